import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { accessibilityProblems } from './support/axe';
import { downloadedLines, launchBrowser, phone, signIn } from './support/browser';
import { type SocketRecorder, TestGateway, type TestManager } from './support/gateway';
import { answeredAndWaiting } from './support/inbox-reader';
import { horizontalOverflow, unreachableControls } from './support/layout';

const shots = 'test/artifacts';
const wall = { width: 1920, height: 1080 };
const wall4k = { width: 3840, height: 2160 };
const charts = ['chart-first', 'chart-reply', 'chart-leads', 'chart-sla', 'chart-ageing', 'chart-volume'];

/** Everything the page's console says went wrong, CSP refusals first among them. */
function consoleProblems(page: Page, expected?: RegExp): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (expected?.test(m.text())) return;
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

/** The charts drawn on canvas (a canvas with pixels), and the tiles that say they have nothing to show. */
async function drawn(page: Page): Promise<{ canvases: string[]; empty: string[] }> {
  return page.evaluate((ids) => {
    const canvases: string[] = [];
    const empty: string[] = [];
    for (const id of ids) {
      const card = document.getElementById(id);
      const canvas = card?.querySelector('canvas');
      if (canvas && canvas.width > 0 && canvas.height > 0) canvases.push(id);
      if (card?.dataset.empty) empty.push(id);
    }
    return { canvases, empty };
  }, charts);
}

const kyivHour = String(
  Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Kyiv', hour: 'numeric', hourCycle: 'h23' }).format(new Date())) % 24,
).padStart(2, '0');

describe('the supervisors’ dashboard and the admin area in a real browser', () => {
  let gw: TestGateway;
  let browser: Browser;
  let iryna: TestManager & { socket: SocketRecorder };
  let people = 0;
  const person = (role: 'agent' | 'supervisor' | 'admin', name: string) => ({ name, role, email: `p${++people}.${role}@shop.example` });

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    gw = await TestGateway.start();
    browser = await launchBrowser();
    iryna = await answeredAndWaiting(gw);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('in English: charts of the range drawn under the strict CSP, another range, the hours as a table, the CSV', async () => {
    const page = await signIn(browser, gw, person('supervisor', 'Sam Green'));
    const problems = consoleProblems(page);
    await page.getByRole('button', { name: 'Response times' }).click();
    await page.locator('#chart-first canvas').waitFor();
    expect(await drawn(page)).toEqual({ canvases: charts, empty: [] });
    // Every chart says what it shows in words too.
    expect(await page.locator('#chart-sla canvas').getAttribute('aria-label')).toBe(
      'First-response target: met and missed. Site form: Met 0, Missed 0; Telegram: Met 1, Missed 0',
    );
    await page.locator('#kpis', { hasText: 'Leads2' }).waitFor();
    await page
      .locator('#waiters li', { hasText: 'Марта Шевченко' })
      .filter({ hasText: /Waiting 0:\d\d/ })
      .waitFor();
    await page.locator('#online li', { hasText: 'Ірина Бондар' }).filter({ hasText: '2 open conversations' }).waitFor();
    await page
      .locator('#figures-alerts, .figures-columns .empty-note', { hasText: /No alerts in this range|./ })
      .first()
      .waitFor();
    await page.screenshot({ path: `${shots}/dashboard-en-desktop.png` });

    await page.getByRole('button', { name: 'Today' }).click();
    await page.locator('#figures-range button[aria-pressed="true"]', { hasText: 'Today' }).waitFor();
    await page.locator('#chart-volume').getByRole('button', { name: 'As a table' }).click();
    const hourRow = page.locator('#chart-volume tbody tr', { has: page.locator(`th:text-is("${kyivHour}")`) });
    expect(await hourRow.locator('td').allTextContents()).toEqual(['1', '1']);

    // A custom range of days that holds nothing: every chart says so instead of drawing empty axes.
    await page.getByLabel('From', { exact: true }).fill('2026-01-05');
    await page.getByLabel('To', { exact: true }).fill('2026-01-06');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.locator('#range-label', { hasText: 'Jan 5' }).waitFor();
    await page.locator('#chart-first[data-empty]').waitFor();
    expect((await drawn(page)).empty).toEqual(charts.filter((id) => id !== 'chart-ageing'));
    // Who waits is now, whatever the range.
    expect((await drawn(page)).canvases).toEqual(['chart-ageing']);

    await page.getByRole('button', { name: '7 days' }).click();
    await page.locator('#chart-first canvas').waitFor();
    const csv = await downloadedLines(page, 'Download CSV');
    expect(csv[0]).toMatch(/^conversation_id,channel,contact,/);
    expect(
      csv
        .slice(1)
        .map((line) => line.split(',')[2])
        .sort(),
    ).toEqual(['Марта Шевченко', 'Олена Коваленко']);

    expect(await accessibilityProblems(page)).toEqual([]);
    await page.setViewportSize(phone);
    await page.locator('#chart-first canvas').waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    await page.screenshot({ path: `${shots}/dashboard-en-phone.png` });
    // Clicking who waits opens the conversation.
    await page.locator('#waiters li', { hasText: 'Марта Шевченко' }).getByRole('button').click();
    await page.locator('#messages li.in', { hasText: 'оптового замовлення' }).waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });

  it('in Ukrainian on a phone: the same charts, nothing overflows, every control is reachable', async () => {
    const page = await signIn(browser, gw, person('supervisor', 'Оксана Левченко'), { locale: 'uk-UA', viewport: phone });
    const problems = consoleProblems(page);
    await page.getByRole('button', { name: 'Час відповіді' }).click();
    await page.locator('#chart-volume canvas').waitFor();
    await page.getByRole('button', { name: 'Сьогодні' }).click();
    await page.locator('#chart-first canvas').waitFor();
    expect((await drawn(page)).canvases).toEqual(charts);
    await page.locator('#online li', { hasText: '2 відкриті розмови' }).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await unreachableControls(page)).toEqual([]);
    await page.screenshot({ path: `${shots}/dashboard-uk-phone.png` });
    await page.locator('#figures').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.screenshot({ path: `${shots}/dashboard-uk-phone-end.png` });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.locator('#figures').evaluate((el) => el.scrollTo(0, 0));
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: `${shots}/dashboard-uk-desktop.png` });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('on a wall screen, Full HD and 4K: the figures and the charts fill the screen without scrolling', async () => {
    for (const [viewport, locale, name] of [
      [wall, 'uk-UA', 'dashboard-uk-wall-1920'],
      [wall4k, 'en-US', 'dashboard-en-wall-3840'],
    ] as const) {
      const page = await signIn(browser, gw, person('supervisor', 'Wall Screen'), { locale, viewport });
      const problems = consoleProblems(page);
      await page.locator('#show-figures').click();
      await page.locator('#chart-volume canvas').waitFor();
      const bottom = await page.evaluate(() =>
        Math.max(
          ...['#dashboard-charts', '#kpis', '.dashboard-body .figures-columns'].map(
            (s) => document.querySelector(s)?.getBoundingClientRect().bottom ?? Number.POSITIVE_INFINITY,
          ),
        ),
      );
      expect(bottom).toBeLessThanOrEqual(viewport.height);
      // Large type: a tile's figure reads from across the room.
      const figure = await page
        .locator('#kpis dd')
        .first()
        .evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize));
      expect(figure).toBeGreaterThanOrEqual(viewport.width >= 3840 ? 40 : 30);
      expect(await horizontalOverflow(page)).toBe(0);
      await page.screenshot({ path: `${shots}/${name}.png` });
      expect(problems).toEqual([]);
      await page.close();
    }
  });

  it('in English: an admin adds a manager, makes them a supervisor, and cannot demote the last admin', async () => {
    const page = await signIn(browser, gw, person('admin', 'Olha Admin'));
    // The refused demotion below is a 409 the browser reports in the console; nothing else may be there.
    const problems = consoleProblems(page, /status of 409 \(Conflict\)/);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Managers and roles', selected: true }).waitFor();

    await page.getByLabel('Name').fill('Marko Shevchuk');
    await page.getByLabel('Email').fill('marko@shop.example');
    await page.getByLabel('Password (8 characters or more)').fill('correct-horse-1');
    await page.locator('#add-manager').getByLabel('Role').selectOption('agent');
    await page.getByRole('button', { name: 'Add manager' }).click();
    await page.getByRole('status').filter({ hasText: 'Marko Shevchuk was added and can sign in.' }).waitFor();
    const marko = page.locator('#team tr[data-email="marko@shop.example"]');
    await marko.waitFor();

    await marko.getByLabel('Role of Marko Shevchuk').selectOption('supervisor');
    await page.getByRole('status').filter({ hasText: 'Marko Shevchuk is now: Supervisor.' }).waitFor();
    const team = await gw.request('GET', '/api/agents', { token: iryna.token });
    expect(team.body.items.find((a: { email: string }) => a.email === 'marko@shop.example')).toMatchObject({
      role: 'supervisor',
      active: true,
    });

    await page.getByRole('button', { name: 'Deactivate Marko Shevchuk' }).click();
    await marko.filter({ hasText: 'Deactivated' }).waitFor();
    expect(
      (await gw.request('POST', '/api/auth/login', { json: { email: 'marko@shop.example', password: 'correct-horse-1' } })).status,
    ).toBe(403);

    // The only admin: demoting themselves is refused, and the page says why in its own words.
    const me = page.locator('#team tr', { hasText: 'Olha Admin (you)' });
    await me.getByLabel('Role of Olha Admin').selectOption('agent');
    await page.locator('#team-error', { hasText: 'This is the last active admin.' }).waitFor();
    expect(await me.getByLabel('Role of Olha Admin').inputValue()).toBe('admin');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: `${shots}/admin-en-desktop-team.png`, fullPage: true });

    await page.getByRole('tab', { name: 'Channels' }).click();
    await page.locator('#channel-list li[data-channel="telegram"]', { hasText: 'connected · replies go out' }).waitFor();
    await page.locator('#channel-list li[data-channel="api"]', { hasText: 'Site form' }).waitFor();
    // Arrow keys move between the tabs.
    await page.getByRole('tab', { name: 'Channels' }).press('ArrowRight');
    await page.getByRole('tab', { name: 'Job queue', selected: true }).waitFor();
    await page.locator('#open-jobs').waitFor();
    await page.setViewportSize(phone);
    await page.getByRole('tab', { name: 'Managers and roles' }).click();
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await unreachableControls(page)).toEqual([]);
    await page.screenshot({ path: `${shots}/admin-en-phone-team.png` });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('in Ukrainian on a phone: the admin adds a manager and changes the role', async () => {
    const page = await signIn(browser, gw, person('admin', 'Адміністратор Ольга'), { locale: 'uk-UA', viewport: phone });
    const problems = consoleProblems(page);
    await page.getByRole('button', { name: 'Адміністрування' }).click();
    await page.getByLabel('Ім’я').fill('Тарас Мельник');
    await page.getByLabel('Ел. пошта').fill('taras@shop.example');
    await page.getByLabel('Пароль (щонайменше 8 символів)').fill('надійний-пароль');
    await page.getByRole('button', { name: 'Додати менеджера' }).click();
    await page.getByRole('status').filter({ hasText: 'Тарас Мельник додано, можна входити.' }).waitFor();
    await page.getByLabel('Роль: Тарас Мельник').selectOption('admin');
    await page.getByRole('status').filter({ hasText: 'Тарас Мельник тепер: Адміністратор.' }).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await unreachableControls(page)).toEqual([]);
    await page.screenshot({ path: `${shots}/admin-uk-phone-team.png`, fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.screenshot({ path: `${shots}/admin-uk-desktop-team.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
