import { mkdirSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import type { Browser } from 'playwright-core';
import { olena, textUpdate } from './fixtures/telegram';
import { desktop, launchBrowser, phone, signIn } from './support/browser';
import { eventually, type TestGateway } from './support/gateway';
import { InboxReader } from './support/inbox-reader';
import { relayTo, SUPPORT } from './support/mail';
import { startMailGateway } from './support/mail-gateway';
import type { SmtpSink } from './support/smtp-sink';

const pricePdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n', 'latin1');

describe('the managers’ app attaches files to email replies', () => {
  let sink: SmtpSink;
  let gw: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    const mailbox = await startMailGateway({ EMAIL_FROM: SUPPORT });
    gw = mailbox.gw;
    sink = mailbox.sink;
    browser = await launchBrowser();
    await relayTo(mailbox.port).sendMail({
      from: { name: 'Mark Evans', address: 'mark.evans@example.co.uk' },
      to: SUPPORT,
      subject: 'Wholesale prices',
      text: 'Hello, could you send your wholesale price list for 200+ bouquets a month?',
      messageId: '<wholesale-2.mark@example.co.uk>',
    });
    await gw.postTelegram(textUpdate(olena, 'Добрий день! Чи є доставка в неділю?'));
    const inbox = new InboxReader(gw);
    await eventually(async () => (await inbox.conversations()).length === 2);
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await sink?.stop();
  });

  for (const [size, viewport, locale] of [
    ['desktop', desktop, 'uk-UA'],
    ['phone', phone, 'en-US'],
  ] as const) {
    it(`uploads the picked file and sends it with the reply (${size}, ${locale})`, async () => {
      const before = sink.mails.length;
      const page = await signIn(
        browser,
        gw,
        { name: 'Ірина', email: `iryna.files.${size}@shop.example`, role: 'supervisor' },
        { viewport, locale },
      );
      await page.locator('#conversations li', { hasText: 'Mark Evans' }).locator('button').first().click();
      await page.locator('#messages li.in', { hasText: 'wholesale price list' }).waitFor();
      await page.locator('#reply-files').setInputFiles({ name: `Ціни опт ${size}.pdf`, mimeType: 'application/pdf', buffer: pricePdf });
      await page.locator('#reply-file-list li', { hasText: `Ціни опт ${size}.pdf` }).waitFor();
      await page.locator('#reply-text').fill('Dear Mark, our wholesale price list is attached.');
      mkdirSync('test/artifacts', { recursive: true });
      await page.screenshot({ path: `test/artifacts/email-reply-files-${locale}-${size}.png` });
      await page.locator('#reply button[type=submit]').click();

      await eventually(async () => sink.mails.length === before + 1);
      const sent = await simpleParser(sink.mails[before]?.raw ?? '');
      expect(sent.attachments.map((a) => [a.filename, a.contentType, a.content.equals(pricePdf)])).toEqual([
        [`Ціни опт ${size}.pdf`, 'application/pdf', true],
      ]);
      await page
        .locator('#messages li.out', { hasText: 'our wholesale price list is attached' })
        .locator('.attachment', { hasText: `Ціни опт ${size}.pdf` })
        .waitFor();
      expect(await page.locator('#reply-file-list').count()).toBe(0);
      await page.screenshot({ path: `test/artifacts/email-reply-files-${locale}-${size}-sent.png` });

      // A screenshot pasted into the reply box is attached the same way.
      await page.locator('#reply-text').evaluate((area) => {
        const data = new DataTransfer();
        data.items.add(
          new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])], 'screenshot.png', { type: 'image/png' }),
        );
        area.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
      });
      await page.locator('#reply-file-list li', { hasText: 'screenshot.png' }).waitFor();
      await page.locator('#reply-file-list .remove-file').click();
      expect(await page.locator('#reply-file-list').count()).toBe(0);

      // Telegram replies cannot carry files here: no attach button in that thread.
      if (size === 'phone')
        await page
          .getByRole('button', { name: /Back to the list|Назад до списку/ })
          .first()
          .click();
      await page.locator('#conversations li', { hasText: 'Олена' }).locator('button').first().click();
      await page.locator('#messages li.in', { hasText: 'доставка в неділю' }).waitFor();
      expect(await page.locator('#reply-attach').count()).toBe(0);
      await page.close();
    });
  }
});
