import { mkdirSync } from 'node:fs';
import { Types } from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { downloadedLines, launchBrowser, signIn } from './support/browser';
import { type SocketRecorder, TestGateway, type TestManager } from './support/gateway';
import { answeredAndWaiting, InboxReader } from './support/inbox-reader';

/** What a supervisor reads in the response-times table, row by row: the cells as shown. */
async function table(page: Page): Promise<string[][]> {
  return page.locator('#figures-rows tr').evaluateAll((rows) => rows.map((tr) => [...tr.children].map((td) => td.textContent ?? '')));
}

describe('response times on the inbox page, for supervisors', () => {
  let gw: TestGateway;
  let browser: Browser;
  let iryna: TestManager & { socket: SocketRecorder };
  let page: Page;

  beforeAll(async () => {
    gw = await TestGateway.start();
    browser = await launchBrowser();
    iryna = await answeredAndWaiting(gw);
    page = await signIn(browser, gw, { name: 'Supervisor Sam', email: 'sam@shop.example', role: 'supervisor' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('shows leads, unanswered, first responses and who waits, by channel', async () => {
    await page.getByRole('button', { name: 'Response times' }).click();
    await page.locator('#figures-rows tr[data-key="api"]').waitFor();
    const rows = await table(page);
    expect(rows.map((r) => r[0])).toEqual(['Site form', 'Telegram']);
    const [api, telegram] = rows as [string[], string[]];
    // Марта's form: one lead, nobody has answered it, and she is waiting.
    expect(api).toEqual(['Site form', '1', '1 (100%)', '— / —', '— / —', '0 / 0', '1']);
    // Олена was answered at once: one lead, a first response in milliseconds or seconds, within the 5-minute target.
    expect(telegram.slice(0, 3)).toEqual(['Telegram', '1', '0 (0%)']);
    expect(telegram[3]).toMatch(/^\d+ (ms|sec) \/ \d+ (ms|sec)$/);
    expect(telegram.slice(5)).toEqual(['1 / 0', '0']);
  });

  it('groups the same figures by manager, with their names', async () => {
    await page.getByRole('button', { name: 'By manager' }).click();
    await page.locator('#figures-key', { hasText: 'Manager' }).waitFor();
    await page.locator(`#figures-rows tr[data-key="${iryna.agent.id}"]`).waitFor();
    const [row] = await table(page);
    // Both leads are Ірина's: the one she answered and the one assigned to her that waits.
    expect(row?.slice(0, 3)).toEqual(['Ірина Бондар', '2', '1 (50%)']);
    expect(row?.[6]).toBe('1');
  });

  it('exports the range as CSV, one row per conversation', async () => {
    const csv = await downloadedLines(page, 'Download CSV');
    expect(csv[0]).toMatch(/^conversation_id,channel,contact,/);
    expect(
      csv
        .slice(1)
        .map((line) => line.split(',')[2])
        .sort(),
    ).toEqual(['Марта Шевченко', 'Олена Коваленко']);
  });

  it('lists the alerts of the range, and takes a new one as it is raised', async () => {
    const [waiting] = await new InboxReader(gw).conversations({ channel: 'api' });
    await gw.inbox.alerts.raise({
      type: 'sla_breach',
      conversationId: String(waiting?.id),
      channel: 'api',
      detail: 'Марта Шевченко (api) got no first reply within the 5 minutes target.',
      key: `sla_breach:${new Types.ObjectId().toString()}`,
      roles: ['supervisor'],
    });
    await page.locator('#figures-alerts li', { hasText: 'got no first reply within the 5 minutes target' }).waitFor();
    mkdirSync('test/artifacts', { recursive: true });
    await page.screenshot({ path: 'test/artifacts/response-times.png', fullPage: true });
  });

  it('is not offered to agents', async () => {
    const agentPage = await signIn(browser, gw, { name: 'Богдан Кравець', email: 'bohdan@shop.example', role: 'agent' });
    expect(await agentPage.getByRole('button', { name: 'Response times' }).count()).toBe(0);
    await agentPage.close();
  });
});
