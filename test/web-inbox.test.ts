import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { ann, olena, textUpdate } from './fixtures/telegram';
import { launchBrowser, signIn } from './support/browser';
import { TestGateway } from './support/gateway';

describe('the managers’ inbox page in a real browser', () => {
  let gw: TestGateway;
  let browser: Browser;
  beforeAll(async () => {
    gw = await TestGateway.start();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('signs in, shows a customer message live, and sends the reply typed into it', async () => {
    const page = await signIn(browser, gw, { name: 'Ірина', email: 'iryna@shop.example', role: 'agent' });

    await gw.postTelegram(textUpdate(olena, 'Доброго дня! Чи можна забрати замовлення сьогодні?'));
    const row = page.locator('#conversations li', { hasText: 'Олена Коваленко' });
    await row.waitFor();
    await expectText(row, 'Чи можна забрати замовлення сьогодні?');
    await row.click();
    await page.locator('#messages li.in', { hasText: 'Доброго дня!' }).waitFor();

    await page.locator('#reply textarea').fill('Так, до 19:00 на Хрещатику, 22.');
    await page.locator('#reply textarea').press('Enter');
    const [sent] = await gw.telegram.waitForCalls('sendMessage', 1);
    expect(sent?.body).toEqual({ chat_id: String(olena.id), text: 'Так, до 19:00 на Хрещатику, 22.' });
    await page.locator('#messages li.out', { hasText: 'sent' }).waitFor();

    mkdirSync('test/artifacts', { recursive: true });
    await page.screenshot({ path: 'test/artifacts/web-inbox.png', fullPage: true });
    await page.close();
  });

  it('shows a message the platform did not pass on as an unsupported message type, waiting for an answer', async () => {
    const page = await signIn(browser, gw, { name: 'Supervisor Sam', email: 'sam@shop.example', role: 'supervisor' });
    const poll = textUpdate(ann, '');
    const { text: _none, ...message } = poll.message as typeof poll.message & { text?: string };
    await gw.postTelegram({
      ...poll,
      message: { ...message, poll: { id: '5861', question: 'Which colour?', options: [{ text: 'Red', voter_count: 0 }] } },
    });
    const row = page.locator('#conversations li', { hasText: 'Ann' });
    await row.waitFor();
    await row.click();
    await page.locator('#messages li.in', { hasText: '⚠ unsupported message type: poll (open it in telegram)' }).waitFor();
    // It is the customer's turn like any message: the conversation waits for a manager.
    await expectText(row, 'waiting');

    mkdirSync('test/artifacts', { recursive: true });
    await page.screenshot({ path: 'test/artifacts/web-inbox-unsupported.png', fullPage: true });
    await page.close();
  });

  it('tells a manager who mistypes the password, and signs in nobody', async () => {
    const page = await browser.newPage();
    await page.goto(gw.url);
    await page.getByLabel('Email').fill('nobody@shop.example');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#login-error', { hasText: 'email or password is wrong' }).waitFor();
    expect(await page.locator('#app').isHidden()).toBe(true);
    await page.close();
  });
});

async function expectText(locator: import('playwright-core').Locator, text: string): Promise<void> {
  await locator.filter({ hasText: text }).waitFor();
}
