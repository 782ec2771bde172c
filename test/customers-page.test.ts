import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { formMessage, john, marta } from './fixtures/site-form';
import { ann, olena, textUpdate } from './fixtures/telegram';
import { accessibilityProblems } from './support/axe';
import { launchBrowser, phone, signIn } from './support/browser';
import { ManualClock } from './support/clock';
import { TestGateway } from './support/gateway';
import { horizontalOverflow, unreachableControls } from './support/layout';

const shots = 'test/artifacts';
const DAY = 24 * 60 * 60_000;

function consoleProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

/**
 * The Customers section in headless Chromium: Олена wrote 70 days ago, Марта 45, Ann 40, John 2 days ago; the page
 * shows churn by both formulas, who has gone quiet, saves a view, opens a conversations view in the inbox and starts
 * a campaign whose progress follows live.
 */
describe('the Customers section in a real browser', () => {
  const now = Date.now();
  const clock = new ManualClock(new Date(now - 70 * DAY));
  let gw: TestGateway;
  let browser: Browser;
  let people = 0;
  const person = (name: string) => ({ name, role: 'supervisor' as const, email: `c${++people}.supervisor@shop.example` });

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    gw = await TestGateway.start({ clock: clock.now });
    browser = await launchBrowser();
    await gw.postTelegram(textUpdate(olena, 'Доброго дня! Чи є ця сукня в розмірі M?'));
    clock.set(new Date(now - 45 * DAY));
    await gw.postApi(formMessage(marta, 'Добрий день, чи є подарункові сертифікати?'));
    clock.set(new Date(now - 40 * DAY));
    await gw.postTelegram(textUpdate(ann, 'Hello! Do you ship to Poland?'));
    clock.set(new Date(now - 2 * DAY));
    await gw.postApi(formMessage(john, 'Hi, is the coffee grinder back in stock?'));
    clock.set(new Date(now));
    const admin = await gw.manager('admin', 'Адміністратор Ольга');
    const [price] = (await gw.request('GET', '/api/loss-reasons', { token: admin.token })).body.items;
    await gw.request('POST', '/api/views', {
      token: admin.token,
      json: { name: 'Втрачено через ціну', kind: 'conversations', scope: 'team', filter: { outcome: 'lost', lossReasonId: price.id } },
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('in English: churn with its inputs, the quiet customers, a saved view, a campaign followed live', async () => {
    const page = await signIn(browser, gw, person('Sam Green'));
    const problems = consoleProblems(page);
    await page.getByRole('button', { name: 'Customers' }).click();
    await page.locator('#churn-table tbody tr').first().waitFor();
    expect(await page.locator('#churn-table thead th').allTextContents()).toEqual([
      'Period',
      'C1 active at start',
      'C2 active at end',
      'C3 new',
      '(C1 − C2) / C1',
      '(C1 + C3 − C2) / C1',
    ]);
    await page.locator('#churn-chart canvas').waitFor();
    await page.getByText('Active = wrote within the last 30 days.').waitFor();

    const quiet = page.locator('#inactive-list li');
    await quiet.first().waitFor();
    expect(await quiet.locator('button').allTextContents()).toEqual(['Ann', 'Марта Шевченко', 'Олена Коваленко']);
    await page.getByLabel('Silent for').selectOption('60');
    await page.locator('#inactive-list li', { hasText: 'Ann' }).waitFor({ state: 'detached' });
    expect(await quiet.locator('button').allTextContents()).toEqual(['Олена Коваленко']);
    await page.getByLabel('View name').fill('Silent for two months');
    await page.getByRole('button', { name: 'Save as view' }).click();
    await page.locator('#views-list li', { hasText: 'Silent for two months' }).waitFor();
    await page.screenshot({ path: `${shots}/customers-en-desktop.png` });

    await page.getByLabel('Campaign name').fill('Come back: 15% off');
    await page.getByLabel('Send to').selectOption({ label: 'Silent for two months' });
    await page.getByLabel('Approved template (WhatsApp)').fill('winback_15');
    await page.locator('#campaign-form textarea').fill('We miss you! 15% off until Sunday: shop.example/sale');
    await page.getByRole('button', { name: 'Start campaign' }).click();
    const campaign = page.locator('#campaign-list li', { hasText: 'Come back: 15% off' });
    await campaign.waitFor();
    await gw.automations.sendCampaigns();
    await campaign.filter({ hasText: 'Done' }).waitFor();
    expect(await campaign.locator('.campaign-counts dd').allTextContents()).toEqual(['1', '1', '0', '0', '0']);
    await campaign.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shots}/customers-en-campaign.png` });

    // A conversations view opens in the inbox's list, named above it.
    await page.locator('#views-list li', { hasText: 'Втрачено через ціну' }).getByRole('button', { name: /^Open/ }).click();
    await page.locator('#list-view', { hasText: 'Showing the view “Втрачено через ціну”' }).waitFor();
    await page.getByRole('button', { name: 'Close the view' }).click();
    await page.locator('#list-view').waitFor({ state: 'detached' });

    await page.setViewportSize(phone);
    await page.getByRole('button', { name: 'Customers' }).click();
    await page.locator('#churn-table').waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    await page.screenshot({ path: `${shots}/customers-en-phone.png` });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('in Ukrainian on a phone and a laptop: nothing overflows, every control is reachable, no accessibility problems', async () => {
    const page = await signIn(browser, gw, person('Оксана Левченко'), { locale: 'uk-UA', viewport: phone });
    const problems = consoleProblems(page);
    await page.getByRole('button', { name: 'Клієнти' }).click();
    await page.locator('#churn-table tbody tr').first().waitFor();
    await page.locator('#inactive-list li').first().waitFor();
    await page.getByText('Мовчать').first().waitFor();
    expect(await page.locator('#churn-table thead th').first().textContent()).toBe('Період');
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await unreachableControls(page)).toEqual([]);
    await page.screenshot({ path: `${shots}/customers-uk-phone.png` });
    await page.locator('#customers').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.screenshot({ path: `${shots}/customers-uk-phone-end.png` });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.locator('#customers').evaluate((el) => el.scrollTo(0, 0));
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: `${shots}/customers-uk-desktop.png` });
    await page.locator('#campaigns').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shots}/customers-uk-desktop-end.png` });
    expect(problems).toEqual([]);
    await page.close();
  });
});
