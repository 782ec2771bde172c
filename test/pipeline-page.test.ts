import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { type FormContact, formMessage } from './fixtures/site-form';
import { accessibilityProblems } from './support/axe';
import { desktop, launchBrowser, phone, signIn } from './support/browser';
import { eventually, TestGateway, type TestManager } from './support/gateway';
import { horizontalOverflow } from './support/layout';

const shots = 'test/artifacts';
const shot = (page: Page, name: string) => page.screenshot({ path: `${shots}/${name}.png`, fullPage: false });
const row = (page: Page, name: string) => page.locator('#conversations li', { hasText: name });
const customer = (externalId: string, name: string): FormContact => ({ externalId, name, email: `${externalId}@example.com` });

describe('the sales pipeline on the page', () => {
  let gw: TestGateway;
  let browser: Browser;
  let api: TestManager;
  let managers = 0;
  const manager = (role: 'agent' | 'supervisor' | 'admin', name: string) => ({ name, role, email: `pp${++managers}.${role}@shop.example` });
  const ids: Record<string, string> = {};
  const leadOf = async (name: string) => (await gw.request('GET', `/api/conversations/${ids[name]}/lead`, { token: api.token })).body.lead;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    gw = await TestGateway.start();
    browser = await launchBrowser();
    api = await gw.manager('supervisor', 'Світлана Коваль');
    const people: [string, string, string, string?][] = [
      ['form-kateryna', 'Катерина Левченко', 'Доброго дня! Чи є шафа «Міла» в білому кольорі?'],
      ['form-andrii', 'Андрій Мельничук', 'Скільки коштує доставка ліжка до Києва?', 'qualified'],
      ['form-sofia', 'Софія Руденко', 'Хочу замовити кухню під ключ, які терміни?', 'proposal'],
      ['form-emily', 'Emily Clarke', 'Do you ship sofas to Warsaw?', 'contacted'],
    ];
    for (const [externalId, name, text, stage] of people) {
      await gw.postApi(formMessage(customer(externalId, name), text));
      const list = await gw.request('GET', '/api/conversations', { token: api.token });
      ids[name] = list.body.items.find((c: { contact: { name: string } }) => c.contact.name === name).id;
      await eventually(() => leadOf(name));
      if (stage) await gw.request('POST', `/api/conversations/${ids[name]}/stage`, { token: api.token, json: { stageId: stage } });
    }
    // Two losses, so the dashboard's losses have something to show.
    for (const [externalId, name, reason] of [
      ['form-oleksa', 'Олекса Бойко', 'Ціна'],
      ['form-nina', 'Ніна Гриценко', 'Обрали конкурента'],
    ] as const) {
      await gw.postApi(formMessage(customer(externalId, name), 'Дякую, я ще подумаю.'));
      const list = await gw.request('GET', '/api/conversations', { token: api.token });
      ids[name] = list.body.items.find((c: { contact: { name: string } }) => c.contact.name === name).id;
      await eventually(() => leadOf(name));
      await gw.request('POST', `/api/conversations/${ids[name]}/stage`, {
        token: api.token,
        json: { stageId: 'lost', lossReason: reason },
      });
    }
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('moves the open conversation’s lead from its contact panel, a lost stage through the lost dialog (uk, both sizes)', async () => {
    const page = await signIn(browser, gw, manager('supervisor', 'Богдана Ткач'), { locale: 'uk-UA', viewport: desktop });
    await row(page, 'Катерина Левченко').locator('button').click();
    const picker = page.locator('.stage-picker');
    await picker.locator('.stage-badge', { hasText: 'Новий' }).waitFor();
    await picker.getByLabel('Перемістити до…').selectOption({ label: 'Кваліфіковано' });
    await picker.getByRole('button', { name: 'Перемістити' }).click();
    await picker.locator('.stage-badge', { hasText: 'Кваліфіковано' }).waitFor();
    expect((await leadOf('Катерина Левченко')).stageId).toBe('qualified');
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, 'pipeline-uk-desktop-stage');

    await picker.getByLabel('Перемістити до…').selectOption({ label: 'Втрачено' });
    await picker.getByRole('button', { name: 'Перемістити' }).click();
    const dialog = page.locator('#stage-lost-dialog');
    await dialog.getByLabel('Ціна').check();
    await dialog.getByRole('button', { name: 'Закрити як втрачене' }).click();
    await picker.locator('.stage-badge', { hasText: 'Втрачено' }).waitFor();
    await picker.getByText('Цей лід закрито').waitFor();
    const closed = (await gw.request('GET', `/api/conversations/${ids['Катерина Левченко']}`, { token: api.token })).body;
    expect(closed).toMatchObject({ status: 'resolved', outcome: 'lost', lossReason: 'Ціна' });

    await page.setViewportSize(phone);
    await page.getByRole('button', { name: 'Контакт' }).first().click();
    await picker.waitFor();
    await shot(page, 'pipeline-uk-phone-stage');
    expect(await horizontalOverflow(page)).toBe(0);
    await page.close();
  }, 60_000);

  for (const [lang, locale, words] of [
    [
      'uk',
      'uk-UA',
      { view: 'Воронка', move: 'Перемістити Андрій Мельничук на інший етап', proposal: 'Пропозиція', moved: 'тепер на етапі' },
    ],
    ['en', 'en-US', { view: 'Pipeline', move: 'Move Андрій Мельничук to another stage', proposal: 'Пропозиція', moved: 'moved to' }],
  ] as const) {
    it(`shows the board by stage and moves a card from its menu with the keyboard (${lang}, both sizes)`, async () => {
      const page = await signIn(browser, gw, manager('supervisor', lang === 'uk' ? 'Марія Дяченко' : 'Grace Hall'), {
        locale,
        viewport: desktop,
      });
      await page.getByRole('button', { name: words.view }).click();
      const board = page.locator('#pipeline');
      // The Ukrainian run moves him on to Пропозиція; the English one finds him there.
      const at = lang === 'uk' ? 'qualified' : 'proposal';
      await board.locator(`.board-column[data-stage="${at}"] .board-card`, { hasText: 'Андрій Мельничук' }).waitFor();
      expect(await board.locator('.board-column h3').allInnerTexts()).toHaveLength(4);
      expect(await accessibilityProblems(page)).toEqual([]);
      await shot(page, `pipeline-${lang}-desktop-board`);

      if (lang === 'en') {
        // Another manager moves a lead: the board follows live.
        await gw.request('POST', `/api/conversations/${ids['Emily Clarke']}/stage`, { token: api.token, json: { stageId: 'qualified' } });
        await board.locator('.board-column[data-stage="qualified"] .board-card', { hasText: 'Emily Clarke' }).waitFor();
      }
      if (lang === 'uk') {
        const menu = board.getByLabel(words.move);
        await menu.focus();
        await menu.selectOption({ label: words.proposal });
        await board.getByRole('status').filter({ hasText: words.moved }).waitFor();
        await board.locator('.board-column[data-stage="proposal"] .board-card', { hasText: 'Андрій Мельничук' }).waitFor();
        expect((await leadOf('Андрій Мельничук')).stageId).toBe('proposal');
      }
      await page.setViewportSize(phone);
      await shot(page, `pipeline-${lang}-phone-board`);
      expect(await horizontalOverflow(page)).toBe(0);
      await page.close();
    }, 60_000);
  }

  it('lets an admin keep the stages in Settings, and shows the funnel and the losses on the dashboard (uk and en)', async () => {
    const page = await signIn(browser, gw, manager('admin', 'Адміністратор Алла'), { locale: 'uk-UA', viewport: desktop });
    await page.getByRole('button', { name: 'Адміністрування' }).click();
    await page.getByRole('tab', { name: 'Етапи воронки' }).click();
    const panel = page.locator('#pipeline-stages');
    await panel.locator('li input').first().waitFor();
    await panel.getByLabel('Новий етап').fill('Замір');
    await panel.getByRole('button', { name: 'Додати' }).click();
    await panel.locator('li input[value="Замір"]').waitFor();
    expect(await panel.locator('li input[type="checkbox"]').count()).toBe(14);
    await panel
      .locator('li', { has: page.locator('input[value="Замір"]') })
      .getByLabel('потрібна сума')
      .click();
    await eventually(async () => {
      const stages = (await gw.request('GET', '/api/pipeline/stages', { token: api.token })).body.items;
      return stages.find((s: { label: string; requires: string[] }) => s.label === 'Замір' && s.requires.includes('amount'));
    });
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot(page, 'pipeline-uk-desktop-stages-admin');
    await page.setViewportSize(phone);
    expect(await horizontalOverflow(page)).toBe(0);
    await shot(page, 'pipeline-uk-phone-stages-admin');

    await page.setViewportSize(desktop);
    await page.locator('#show-figures').click();
    const figures = page.locator('.pipeline-figures');
    await figures.locator('#funnel-table tbody tr').first().waitFor();
    await figures.locator('#chart-losses canvas').waitFor();
    await figures.locator('#chart-funnel').getByRole('button', { name: 'Таблицею' }).click();
    await figures.locator('#chart-funnel table').waitFor();
    await figures.scrollIntoViewIfNeeded();
    await shot(page, 'pipeline-uk-desktop-dashboard');
    await page.setViewportSize(phone);
    expect(await horizontalOverflow(page)).toBe(0);
    await shot(page, 'pipeline-uk-phone-dashboard');

    await page.getByRole('button', { name: 'EN' }).click();
    await figures.getByRole('heading', { name: 'Pipeline' }).waitFor();
    // Two lost before the page opened, and one more when the first scenario ran before this one.
    await figures
      .locator('#chart-losses')
      .getByRole('heading', { name: /^Lost leads \([23]\)$/ })
      .waitFor();
    await figures.scrollIntoViewIfNeeded();
    expect(await horizontalOverflow(page)).toBe(0);
    await shot(page, 'pipeline-en-phone-dashboard');
    await page.setViewportSize(desktop);
    await figures.scrollIntoViewIfNeeded();
    await shot(page, 'pipeline-en-desktop-dashboard');
    await page.close();
  }, 90_000);

  it('shows an agent the board of their own leads (en, phone)', async () => {
    const agent = manager('agent', 'Oksana Hrytsenko');
    const page = await signIn(browser, gw, agent, { locale: 'en-GB', viewport: phone });
    const { body: agents } = await gw.request('GET', '/api/agents', { token: api.token });
    const agentId = agents.items.find((a: { email: string }) => a.email === agent.email).id;
    expect(
      (await gw.request('POST', `/api/conversations/${ids['Emily Clarke']}/assign`, { token: api.token, json: { agentId } })).status,
    ).toBe(200);
    await page.locator('#show-pipeline').click();
    const board = page.locator('#pipeline');
    await board.locator('.board-card', { hasText: 'Emily Clarke' }).waitFor();
    expect(await board.locator('.board-card').count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    await shot(page, 'pipeline-en-phone-agent-board');
    await page.close();
  }, 60_000);
});
