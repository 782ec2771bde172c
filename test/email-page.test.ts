import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { desktop, launchBrowser, phone, signIn } from './support/browser';
import { freePort } from './support/dovecot';
import { TestGateway } from './support/gateway';
import { relayTo, SUPPORT } from './support/mail';
import { smtpListener } from './support/mail-gateway';

const receiptPdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

describe('email conversations in the managers’ app', () => {
  let gw: TestGateway;
  let browser: Browser;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    gw = await TestGateway.start({ env: { ...smtpListener(port), EMAIL_FROM: SUPPORT } });
    browser = await launchBrowser();
    const relay = relayTo(port);
    await relay.sendMail({
      from: { name: 'Олена Коваль', address: 'olena.koval@example.com' },
      to: SUPPORT,
      subject: 'Re: Повернення товару',
      text: 'Дякую, надсилаю чек. Сукню відправлю завтра.\n\nOn Tue, 1 Dec 2026 at 10:15, Shop <support@shop.example> wrote:\n> Надішліть, будь ласка, чек і сукню Новою поштою.\n',
      messageId: '<return-2207-3.olena@example.com>',
      attachments: [{ filename: 'чек-2207.pdf', content: receiptPdf, contentType: 'application/pdf' }],
    });
    await relay.sendMail({
      from: { name: 'Mark Evans', address: 'mark.evans@example.co.uk' },
      to: SUPPORT,
      subject: 'Wholesale prices',
      text: 'Hello, do you offer wholesale prices for 200+ bouquets a month?\n\nBest regards,\nMark',
      messageId: '<wholesale-1.mark@example.co.uk>',
    });
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  for (const [size, viewport, locale] of [
    ['desktop', desktop, 'uk-UA'],
    ['phone', phone, 'en-US'],
  ] as const) {
    it(`shows the subject, folds the quote and opens the attachment (${size}, ${locale})`, async () => {
      const page = await signIn(
        browser,
        gw,
        { name: 'Ірина', email: `iryna.${size}@shop.example`, role: 'supervisor' },
        { viewport, locale },
      );
      await page.locator('#conversations li', { hasText: 'Олена Коваль' }).locator('button').first().click();
      const mail = page.locator('#messages li.in', { hasText: 'Дякую, надсилаю чек.' });
      await mail.waitFor();
      expect(await mail.locator('.subject').textContent()).toBe('Re: Повернення товару');
      const quote = mail.locator('details.quoted div');
      expect(await quote.isVisible()).toBe(false);
      await mail.locator('details.quoted summary').click();
      expect(await quote.textContent()).toContain('> Надішліть, будь ласка, чек і сукню Новою поштою.');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        mail.locator('button.attachment', { hasText: 'чек-2207.pdf' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('чек-2207.pdf');
      expect(readFileSync((await download.path()) ?? '')).toEqual(receiptPdf);

      mkdirSync('test/artifacts', { recursive: true });
      await page.screenshot({ path: `test/artifacts/email-thread-${locale}-${size}.png` });
      if (size === 'phone')
        await page
          .getByRole('button', { name: /Back to the list|Назад до списку/ })
          .first()
          .click();
      await page.locator('#conversations li', { hasText: 'Mark Evans' }).locator('button').first().click();
      await page.locator('#messages li.in', { hasText: 'wholesale prices' }).waitFor();
      await page.screenshot({ path: `test/artifacts/email-thread-${locale}-${size}-2.png` });
      await page.close();
    });
  }
});
