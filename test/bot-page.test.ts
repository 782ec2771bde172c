import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { accessibilityProblems } from './support/axe';
import { desktop, launchBrowser, phone, signIn } from './support/browser';
import { FakeCallback } from './support/fake-callback';
import { eventually, TestGateway } from './support/gateway';
import { horizontalOverflow } from './support/layout';

const shots = 'test/artifacts';
const shot = (page: Page, name: string) => page.screenshot({ path: `${shots}/${name}.png` });

describe('the chatbot on the managers’ page: its conversations, the take-over, its flows and its figures', () => {
  let gw: TestGateway;
  let browser: Browser;
  let callback: FakeCallback;
  let managers = 0;
  const admin = (name: string) => ({ name, role: 'admin' as const, email: `bot-page${++managers}@shop.example` });

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    callback = await new FakeCallback().start();
    gw = await TestGateway.start({ env: { API_CHANNEL_CALLBACK_URL: callback.url } });
    browser = await launchBrowser();
    const { token } = await gw.manager('admin', 'Налаштування');
    expect((await gw.request('PATCH', '/api/bot', { token, json: { enabled: true } })).status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await callback.stop();
  });

  for (const [lang, locale, words] of [
    ['en', 'en-US', { badge: 'Bot', takeOver: 'Take over', settings: 'Settings', tab: 'Chatbot', figures: 'Response times', open: 'Open' }],
    [
      'uk',
      'uk-UA',
      { badge: 'Бот', takeOver: 'Взяти розмову', settings: 'Адміністрування', tab: 'Чат-бот', figures: 'Час відповіді', open: 'Відкриті' },
    ],
  ] as const) {
    it(`shows the bot's conversation with its badge and messages, takes it over, and keeps the flows (${lang})`, async () => {
      const customer = lang === 'en' ? 'Emma Stone' : 'Софія Ткаченко';
      const externalId = `bot-page-${lang}`;
      const page = await signIn(browser, gw, admin(lang === 'en' ? 'Alice Admin' : 'Алла Адміністраторка'), { locale, viewport: desktop });
      const post = (n: number, text: string) =>
        gw.postApi({ externalMessageId: `${externalId}-${n}`, contact: { externalId, name: customer }, text });
      await post(1, lang === 'en' ? 'Hello!' : 'Добрий день!');
      await eventually(async () => callback.received.filter((r) => r.body.contactExternalId === externalId).length === 1);
      await post(2, lang === 'en' ? 'Do you deliver to Lviv?' : 'Чи є доставка у Львів?');
      await eventually(async () => callback.received.filter((r) => r.body.contactExternalId === externalId).length === 2);

      // The bot's conversations are the pending ones: nobody waits on them yet.
      await page.locator('#filter-status').selectOption('pending');
      const row = page.locator('#conversations li', { hasText: customer });
      await row.locator('.bot-badge', { hasText: words.badge }).waitFor();
      await row.locator('button').click();
      await page.locator('#bot-badge', { hasText: words.badge }).waitFor();
      await page.locator('.message.from-bot .offered-choices li').first().waitFor();
      expect(await page.locator('.message.from-bot').count()).toBe(2);
      expect(await accessibilityProblems(page)).toEqual([]);
      await shot(page, `bot-${lang}-desktop-thread`);
      await page.setViewportSize(phone);
      expect(await horizontalOverflow(page)).toBe(0);
      await shot(page, `bot-${lang}-phone-thread`);
      await page.setViewportSize(desktop);

      await page.getByRole('button', { name: words.takeOver }).click();
      await page.locator('#bot-badge').waitFor({ state: 'detached' });
      await page.locator('#thread-state .status-badge', { hasText: words.open }).waitFor();

      await page.getByRole('button', { name: words.settings }).click();
      await page.getByRole('tab', { name: words.tab }).click();
      await page.locator('#bot-enabled').waitFor();
      expect(await page.locator('#bot-enabled').isChecked()).toBe(true);
      expect(await accessibilityProblems(page)).toEqual([]);
      await shot(page, `bot-${lang}-desktop-flows`);
      await page.setViewportSize(phone);
      expect(await horizontalOverflow(page)).toBe(0);
      await shot(page, `bot-${lang}-phone-flows`);
      await page.setViewportSize(desktop);

      await page.getByRole('button', { name: words.figures }).click();
      await page.locator('#bot-figures dd').first().waitFor();
      await page.locator('#bot-figures').scrollIntoViewIfNeeded();
      await shot(page, `bot-${lang}-desktop-figures`);
      await page.setViewportSize(phone);
      expect(await horizontalOverflow(page)).toBe(0);
      await page.locator('#bot-figures').scrollIntoViewIfNeeded();
      await shot(page, `bot-${lang}-phone-figures`);
      await page.close();
    }, 90_000);
  }

  it('saves the flows edited on the page, and shows why a bad one is refused', async () => {
    const page = await signIn(browser, gw, admin('Олег Адмін'), { locale: 'uk-UA', viewport: desktop });
    await page.getByRole('button', { name: 'Адміністрування' }).click();
    await page.getByRole('tab', { name: 'Чат-бот' }).click();
    const panel = page.locator('#bot-panel');
    await panel.getByLabel('Ще слова, що кличуть менеджера, через кому').fill('скарга, повернення коштів');
    await panel.getByRole('button', { name: 'Зберегти сценарії' }).click();
    await panel.getByRole('status').filter({ hasText: 'Збережено' }).waitFor();
    const { token } = await gw.manager('admin', 'Перевірка сценаріїв');
    expect((await gw.request('GET', '/api/bot/flows', { token })).body.flows.handOff.words).toEqual(['скарга', 'повернення коштів']);

    await panel.locator('.bot-answers textarea').first().fill('');
    await panel.getByRole('button', { name: 'Зберегти сценарії' }).click();
    await panel.getByRole('alert').filter({ hasText: 'the text must not be empty' }).waitFor();
    await page.close();
  }, 60_000);
});
