import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ann, olena, textUpdate } from './fixtures/telegram';
import { accessibilityProblems } from './support/axe';
import { desktop, launchBrowser, phone, signIn } from './support/browser';
import { eventually, TestGateway, type TestManager } from './support/gateway';
import { horizontalOverflow, unreachableControls } from './support/layout';

const shots = 'test/artifacts';
const shot = (page: Page, name: string) => page.screenshot({ path: `${shots}/${name}.png` });
const row = (page: Page, name: string) => page.locator('#conversations li', { hasText: name });

describe('saved replies and notes in the reply box, in a real browser', () => {
  let gw: TestGateway;
  let browser: Browser;
  let lead: TestManager;
  let managers = 0;
  const manager = (role: 'agent' | 'supervisor' | 'admin', name: string) => ({ name, role, email: `r${++managers}.${role}@shop.example` });

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    gw = await TestGateway.start();
    browser = await launchBrowser();
    lead = await gw.manager('supervisor', 'Оксана Левченко');
    for (const reply of [
      { scope: 'team', shortcut: 'price', title: 'Prices', text: 'Hello, {name}! Our price list is at shop.example/prices.' },
      { scope: 'team', shortcut: 'privat', title: 'Оплата карткою', text: 'Оплатити можна карткою ПриватБанку або при отриманні.' },
      { scope: 'team', shortcut: 'ціна', title: 'Ціни', text: 'Вітаю, {name}! Актуальні ціни — на shop.example/prices.' },
      { scope: 'team', shortcut: 'доставка', title: 'Доставка', text: 'Доставляємо Новою поштою за 1–3 дні.' },
    ]) {
      const created = await gw.request('POST', '/api/saved-replies', { token: lead.token, json: reply });
      if (created.status !== 201) throw new Error(`saved reply not created: ${JSON.stringify(created.body)}`);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('in English: "/pri" lists the matching saved replies, Enter puts one in the box with the name filled in, and the edited reply is sent', async () => {
    await gw.postTelegram(textUpdate(ann, 'Hi! How much is the linen dress?'));
    const page = await signIn(browser, gw, manager('agent', 'Iryna Bond'), { viewport: desktop });
    await row(page, 'Ann').locator('button').click();
    await page.locator('#messages li.in', { hasText: 'linen dress' }).waitFor();

    const box = page.getByRole('combobox', { name: 'Reply' });
    await box.fill('/');
    const listbox = page.getByRole('listbox', { name: 'Saved replies' });
    await eventually(async () => (await listbox.getByRole('option').count()) === 4);
    await box.pressSequentially('pri');
    // Shortcuts that start so first, then a reply whose text holds it.
    await eventually(async () => (await listbox.getByRole('option').count()) === 3);
    expect(await listbox.getByRole('option').allTextContents()).toEqual([
      expect.stringMatching(/^\/price/),
      expect.stringMatching(/^\/privat/),
      expect.stringMatching(/^\/ціна.*shop\.example\/prices/),
    ]);
    expect(await box.getAttribute('aria-expanded')).toBe('true');
    expect(await listbox.getByRole('option', { selected: true }).textContent()).toContain('/price');
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, 'reply-tools-en-desktop-picker');

    // Down and up again, then Enter: the highlighted reply goes into the box, to be edited, not sent.
    await box.press('ArrowDown');
    expect(await listbox.getByRole('option', { selected: true }).textContent()).toContain('/privat');
    await box.press('ArrowUp');
    await box.press('Enter');
    await listbox.waitFor({ state: 'detached' });
    expect(await box.inputValue()).toBe('Hello, Ann! Our price list is at shop.example/prices.');
    expect(gw.telegram.callsTo('sendMessage')).toEqual([]);

    await box.pressSequentially(' The linen dress is 1 450 UAH.');
    await box.press('Enter');
    const [sent] = await gw.telegram.waitForCalls('sendMessage', 1);
    expect(sent?.body.text).toBe('Hello, Ann! Our price list is at shop.example/prices. The linen dress is 1 450 UAH.');
    await page.locator('#messages li.out[data-status="sent"]', { hasText: 'The linen dress is 1 450 UAH.' }).waitFor();
    expect(await box.inputValue()).toBe('');
    await page.close();
  });

  it('in English on a phone: Esc closes the list and keeps what was typed; a click on an option inserts it too', async () => {
    const page = await signIn(browser, gw, manager('supervisor', 'Sam Green'), { viewport: phone });
    await row(page, 'Ann').locator('button').click();
    const box = page.getByRole('combobox', { name: 'Reply' });
    await box.fill('/знижка');
    const listbox = page.getByRole('listbox', { name: 'Saved replies' });
    await page.locator('.picker-state', { hasText: 'No saved reply matches /знижка' }).waitFor();
    await box.press('Escape');
    await listbox.waitFor({ state: 'detached' });
    expect(await box.inputValue()).toBe('/знижка');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('reply-text');

    await box.fill('/д');
    await listbox.getByRole('option', { name: /доставка/ }).click();
    expect(await box.inputValue()).toBe('Доставляємо Новою поштою за 1–3 дні.');
    await box.fill('/');
    await listbox.waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    await shot(page, 'reply-tools-en-phone-picker');
    await box.fill('');
    await page.close();
  });

  it('in Ukrainian: a note written with the Note switch shows as a note with its author, reaches nobody outside, and the customer still waits', async () => {
    await gw.postTelegram(textUpdate(olena, 'Добрий день! Чи є ця сукня в розмірі M?'));
    const page = await signIn(browser, gw, manager('supervisor', 'Марія Шевчук'), { locale: 'uk-UA', viewport: desktop });
    await row(page, 'Олена Коваленко').locator('button').click();
    await page.locator('#messages li.in', { hasText: 'розмірі M' }).waitFor();
    const callsBefore = gw.telegram.callsTo('sendMessage').length;

    // The switch is reached by keyboard: Tab onto it, arrows move between Reply and Note.
    await page.locator('#composer-mode-reply').focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('#composer-mode-note').isChecked()).toBe(true);
    const box = page.getByRole('combobox', { name: 'Нотатка' });
    await box.fill('Перевірити на складі: розмір M лишився тільки в чорному.');
    await page.getByRole('button', { name: 'Додати нотатку' }).waitFor();
    await box.press('Enter');
    const note = page.locator('#messages li.internal-note', { hasText: 'розмір M лишився тільки в чорному' });
    await note.waitFor();
    expect(await note.locator('.note-label').textContent()).toBe('Нотатка');
    expect(await note.locator('.sender').textContent()).toBe('Марія Шевчук');
    expect(await note.locator('.delivery').count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, 'reply-tools-uk-desktop-note');

    const olenas = (await gw.request('GET', '/api/conversations', { token: lead.token })).body.items.find(
      (c: { contact: { name: string } }) => c.contact.name === 'Олена Коваленко',
    );
    expect(olenas.awaitingReplySince).not.toBeNull();
    expect(olenas.lastMessagePreview).toBe('Добрий день! Чи є ця сукня в розмірі M?');
    await row(page, 'Олена Коваленко').filter({ hasText: /Чекає/ }).waitFor();

    // Back to Reply: `/ціна` in Ukrainian, Tab inserts it with the name, Enter sends it.
    await page.locator('#composer-mode-reply').check();
    const reply = page.getByRole('combobox', { name: 'Відповідь' });
    await reply.fill('/ці');
    await page.getByRole('listbox', { name: 'Шаблони відповідей' }).getByRole('option', { name: /ціна/ }).waitFor();
    await reply.press('Tab');
    expect(await reply.inputValue()).toBe('Вітаю, Олена Коваленко! Актуальні ціни — на shop.example/prices.');
    await reply.press('Enter');
    const calls = await gw.telegram.waitForCalls('sendMessage', callsBefore + 1);
    expect(calls.slice(callsBefore).map((c) => c.body.text)).toEqual(['Вітаю, Олена Коваленко! Актуальні ціни — на shop.example/prices.']);
    await page.close();
  });

  it('in Ukrainian on a phone: a note and the list of saved replies fit the screen', async () => {
    const page = await signIn(browser, gw, manager('supervisor', 'Тарас Мельник'), { locale: 'uk-UA', viewport: phone });
    await row(page, 'Олена Коваленко').locator('button').click();
    await page.locator('#messages li.internal-note').first().waitFor();
    await page.locator('label', { hasText: 'Нотатка' }).click();
    await page.getByRole('combobox', { name: 'Нотатка' }).fill('Клієнтка постійна — можна запропонувати знижку 5%.');
    await page.getByRole('button', { name: 'Додати нотатку' }).click();
    await page.locator('#messages li.internal-note', { hasText: 'знижку 5%' }).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await unreachableControls(page)).toEqual([]);
    await shot(page, 'reply-tools-uk-phone-note');
    const box = page.getByRole('combobox', { name: 'Нотатка' });
    await box.fill('/');
    await page.getByRole('listbox', { name: 'Шаблони відповідей' }).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    await shot(page, 'reply-tools-uk-phone-picker');
    await page.close();
  });

  it('manages saved replies in their dialog: an agent adds their own and cannot touch the team’s; a supervisor edits the team’s', async () => {
    const agent = await signIn(browser, gw, manager('agent', 'Ірина Бондар'), { locale: 'uk-UA', viewport: phone });
    await agent.getByRole('button', { name: 'Шаблони' }).click();
    const dialog = agent.getByRole('dialog', { name: 'Шаблони відповідей' });
    await dialog.locator('li[data-shortcut="ціна"]').waitFor();
    expect(await dialog.getByRole('button', { name: 'Змінити /ціна' }).count()).toBe(0);
    expect(await dialog.getByRole('radio', { name: 'Команди' }).count()).toBe(0);
    await dialog.getByLabel('Скорочення').fill('дякую');
    await dialog.getByLabel('Назва').fill('Подяка');
    await dialog.locator('textarea[name="text"]').fill('Дякуємо за замовлення, {name}! Гарного дня.');
    await dialog.getByRole('button', { name: 'Додати' }).click();
    await dialog.getByRole('status').filter({ hasText: '/дякую додано.' }).waitFor();
    await dialog.locator('li[data-shortcut="дякую"]').getByRole('button', { name: 'Змінити /дякую' }).waitFor();
    // The same shortcut again: the gateway's 409 is shown, nothing is added.
    await dialog.getByLabel('Скорочення').fill('дякую');
    await dialog.getByLabel('Назва').fill('Ще раз');
    await dialog.locator('textarea[name="text"]').fill('Дякую!');
    await dialog.getByRole('button', { name: 'Додати' }).click();
    await dialog.locator('#saved-reply-error', { hasText: 'Шаблон /дякую уже є: виберіть інше скорочення.' }).waitFor();
    expect(await dialog.locator('li[data-shortcut="дякую"]').count()).toBe(1);
    expect(await horizontalOverflow(agent)).toBe(0);
    expect(await accessibilityProblems(agent)).toEqual([]);
    await shot(agent, 'reply-tools-uk-phone-admin');
    await agent.close();

    const supervisor = await signIn(browser, gw, manager('supervisor', 'Dana Reed'), { viewport: desktop });
    await supervisor.getByRole('button', { name: 'Saved replies' }).click();
    const admin = supervisor.getByRole('dialog', { name: 'Saved replies' });
    await admin.getByRole('button', { name: 'Edit /доставка' }).click();
    await admin.locator('textarea[name="text"]').fill('Доставляємо Новою поштою за 1–2 дні, від 1 500 грн — безкоштовно.');
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.getByRole('status').filter({ hasText: '/доставка saved.' }).waitFor();
    await admin.locator('li[data-shortcut="доставка"]', { hasText: 'від 1 500 грн' }).waitFor();
    await admin.getByRole('button', { name: 'Delete /privat' }).click();
    await admin.getByRole('status').filter({ hasText: '/privat deleted.' }).waitFor();
    expect(await admin.locator('li[data-shortcut="privat"]').count()).toBe(0);
    expect(await supervisor.evaluate(() => document.activeElement?.id)).toBe('saved-replies-title');
    expect(await accessibilityProblems(supervisor)).toEqual([]);
    await shot(supervisor, 'reply-tools-en-desktop-admin');
    await supervisor.close();

    const listed = await gw.request('GET', '/api/saved-replies', { token: lead.token });
    expect(listed.body.items.map((r: { shortcut: string }) => r.shortcut)).toEqual(['price', 'доставка', 'ціна']);
  });
});
