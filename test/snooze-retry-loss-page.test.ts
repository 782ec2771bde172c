import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { formMessage, john, marta, oksana, petro } from './fixtures/site-form';
import { ann, olena, textUpdate } from './fixtures/telegram';
import { accessibilityProblems } from './support/axe';
import { desktop, launchBrowser, phone, signIn } from './support/browser';
import { eventually, TestGateway } from './support/gateway';
import { horizontalOverflow } from './support/layout';

const shots = 'test/artifacts';
const shot = (page: Page, name: string) => page.screenshot({ path: `${shots}/${name}.png` });
const row = (page: Page, name: string) => page.locator('#conversations li', { hasText: name });

describe('snooze, sending a failed reply again and loss reasons on the page', () => {
  let gw: TestGateway;
  let browser: Browser;
  let managers = 0;
  const manager = (role: 'agent' | 'supervisor' | 'admin', name: string) => ({ name, role, email: `p${++managers}.${role}@shop.example` });
  const conversation = async (name: string) => {
    const { token } = await gw.manager('supervisor', `Перевірка ${++managers}`);
    const list = await gw.request('GET', '/api/conversations', { token });
    const found = list.body.items.find((c: { contact: { name: string } }) => c.contact.name === name);
    return (await gw.request('GET', `/api/conversations/${found.id}`, { token })).body;
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    gw = await TestGateway.start({ env: { DELIVERY_MAX_RETRIES: '0' } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  for (const [lang, locale, words] of [
    ['en', 'en-US', { snooze: 'Snooze…', tomorrow: 'Tomorrow, 9:00', until: 'Snoozed until', open: 'Open' }],
    ['uk', 'uk-UA', { snooze: 'Відкласти…', tomorrow: 'Завтра, 9:00', until: 'Відкладено до', open: 'Відкриті' }],
  ] as const) {
    it(`snoozes from the header until tomorrow 9:00, and the customer writing brings it back (${lang})`, async () => {
      const customer = lang === 'en' ? john : marta;
      const text = lang === 'en' ? 'Please call me back tomorrow morning.' : 'Передзвоніть мені завтра зранку, будь ласка.';
      const page = await signIn(browser, gw, manager('agent', lang === 'en' ? 'Carol White' : 'Ірина Бондар'), {
        locale,
        viewport: desktop,
      });
      await gw.postApi(formMessage(customer, text));
      await row(page, customer.name).locator('button').click();
      await page.getByRole('button', { name: words.snooze }).click();
      const dialog = page.locator('#snooze-dialog');
      await dialog.locator('[data-preset="tomorrow"]').waitFor();
      await shot(page, `snooze-${lang}-desktop-dialog`);
      await page.setViewportSize(phone);
      expect(await horizontalOverflow(page)).toBe(0);
      await shot(page, `snooze-${lang}-phone-dialog`);
      await page.setViewportSize(desktop);
      await dialog.getByRole('button', { name: new RegExp(words.tomorrow) }).click();

      await page.locator('#snoozed-until', { hasText: words.until }).waitFor();
      const snoozed = await conversation(customer.name);
      expect(snoozed.status).toBe('snoozed');
      // 9:00 in Kyiv the next day (06:00 or 07:00 UTC, by the season).
      const until = new Date(snoozed.snoozedUntil);
      expect(until.getTime() - Date.now()).toBeGreaterThan(0);
      expect(until.getTime() - Date.now()).toBeLessThan(34 * 3_600_000);
      expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Kyiv', timeStyle: 'short' }).format(until)).toBe('09:00');
      // It leaves the Open list at once.
      await eventually(async () => (await row(page, customer.name).count()) === 0);
      expect(await accessibilityProblems(page)).toEqual([]);
      await shot(page, `snooze-${lang}-desktop-snoozed`);

      await gw.postApi(formMessage(customer, lang === 'en' ? 'Actually, today works too.' : 'Хоча можна й сьогодні.'));
      await row(page, customer.name).waitFor();
      await eventually(async () => (await page.locator('#snoozed-until').count()) === 0);
      expect((await conversation(customer.name)).status).toBe('open');
      await page.close();
    });
  }

  for (const [lang, locale, words] of [
    ['uk', 'uk-UA', { retry: 'Надіслати ще раз', sent: 'Надіслано' }],
    ['en', 'en-US', { retry: 'Send again', sent: 'Sent' }],
  ] as const) {
    it(`sends a failed reply again from its Retry button on a 390 px phone, and its status moves to sent (${lang})`, async () => {
      const from = lang === 'uk' ? olena : ann;
      const reply = lang === 'uk' ? 'Так, доставимо у суботу.' : 'Yes, we deliver on Saturday.';
      let outage = true;
      gw.telegram.respond((call) =>
        outage && call.method === 'sendMessage' && call.body.text === reply
          ? { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } }
          : undefined,
      );
      const page = await signIn(browser, gw, manager('agent', lang === 'uk' ? 'Богдан Кравець' : 'Dave Miller'), {
        locale,
        viewport: phone,
      });
      await gw.postTelegram(textUpdate(from, lang === 'uk' ? 'Чи доставляєте у суботу?' : 'Do you deliver on Saturdays?'));
      await row(page, from.first_name).locator('button').click();
      await page.locator('#reply textarea').fill(reply);
      await page.locator('#reply textarea').press('Enter');
      const failed = page.locator('#messages li.out[data-status="failed"]', { hasText: reply });
      await failed.waitFor();
      expect(await horizontalOverflow(page)).toBe(0);
      await shot(page, `retry-${lang}-phone-failed`);

      outage = false;
      await failed.getByRole('button', { name: words.retry }).click();
      const sent = page.locator('#messages li.out[data-status="sent"]', { hasText: reply });
      await sent.locator('.delivery', { hasText: words.sent }).waitFor();
      expect(await sent.getByRole('button', { name: words.retry }).count()).toBe(0);
      expect(gw.telegram.callsTo('sendMessage').filter((c) => c.body.text === reply)).toHaveLength(2);
      await shot(page, `retry-${lang}-phone-sent`);
      await page.setViewportSize(desktop);
      await shot(page, `retry-${lang}-desktop-sent`);
      await page.close();
    });
  }

  // Two viewports, the admin area and the lost dialog in one scenario: more than the default 30 s on a busy machine.
  it('lets an admin keep the loss reasons, and a lead is closed as lost only with one of the active ones (uk, both sizes)', async () => {
    const page = await signIn(browser, gw, manager('admin', 'Адміністратор Алла'), { locale: 'uk-UA', viewport: desktop });
    await page.getByRole('button', { name: 'Адміністрування' }).click();
    await page.getByRole('tab', { name: 'Причини втрати' }).click();
    const admin = page.locator('#loss-reasons');
    await admin.locator('li', { hasText: '' }).first().waitFor();
    await admin.getByLabel('Нова причина').fill('Дорога доставка');
    await admin.getByRole('button', { name: 'Додати' }).click();
    await admin.locator('li input').nth(5).waitFor();
    expect(await admin.locator('li input').nth(5).inputValue()).toBe('Дорога доставка');
    await admin.getByRole('button', { name: 'Підняти «Дорога доставка» вище' }).click();
    await eventually(async () => (await admin.locator('li input').nth(4).inputValue()) === 'Дорога доставка');
    await admin
      .locator('li', { has: page.locator('input[value="Інше"]') })
      .getByRole('button', { name: 'Вимкнути' })
      .click();
    await admin.locator('li.inactive').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, 'loss-reasons-uk-desktop-admin');
    await page.setViewportSize(phone);
    expect(await horizontalOverflow(page)).toBe(0);
    await shot(page, 'loss-reasons-uk-phone-admin');
    await page.setViewportSize(desktop);
    await page.getByRole('button', { name: 'Вхідні' }).click();

    await gw.postApi(formMessage(oksana, 'Дякую, але доставка для мене задорога.'));
    await row(page, 'Оксана Мельник').locator('button').click();
    await page.getByRole('button', { name: 'Втрачено…' }).click();
    const dialog = page.locator('#lost-dialog');
    await dialog.getByLabel('Дорога доставка').waitFor();
    // Switched off: no longer offered.
    expect(await dialog.getByLabel('Інше').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Закрити як втрачене' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Спершу оберіть причину.' }).waitFor();
    expect((await conversation('Оксана Мельник')).status).toBe('open');
    await shot(page, 'lost-uk-desktop-dialog');
    await dialog.getByLabel('Дорога доставка').check();
    await dialog.getByRole('button', { name: 'Закрити як втрачене' }).click();
    await page.locator('#thread-state', { hasText: 'Втрачено: Дорога доставка' }).waitFor();
    expect(await conversation('Оксана Мельник')).toMatchObject({
      status: 'resolved',
      outcome: 'lost',
      lossReason: 'Дорога доставка',
      lossNote: null,
    });
    await page.close();
  }, 90_000);

  it('offers the reasons admins keep when closing as lost in English too, on a phone', async () => {
    const page = await signIn(browser, gw, manager('supervisor', 'Sam Green'), { locale: 'en-US', viewport: phone });
    await gw.postApi(formMessage(petro, 'I found the same kettle cheaper elsewhere, sorry.'));
    await row(page, 'Петро Іваненко').locator('button').click();
    await page.getByRole('button', { name: 'Lost…' }).click();
    const dialog = page.locator('#lost-dialog');
    await dialog.getByLabel('Обрали конкурента').waitFor();
    await dialog.getByRole('button', { name: 'Close as lost' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Choose a reason first.' }).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    await shot(page, 'lost-en-phone-dialog');
    await dialog.getByLabel('Обрали конкурента').check();
    await dialog.getByLabel('Note (optional)').fill('cheaper at a competitor');
    await dialog.getByRole('button', { name: 'Close as lost' }).click();
    await page.locator('#thread-state', { hasText: 'Closed as lost: Обрали конкурента' }).waitFor();
    expect(await conversation('Петро Іваненко')).toMatchObject({ outcome: 'lost', lossNote: 'cheaper at a competitor' });
    await page.close();
  });
});
