import { existsSync, readFileSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { TestGateway } from './gateway';

/** Debian's chromium, headless; the flags keep it off the network beyond loopback. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`no browser at ${executablePath}: apt-get install chromium, or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const desktop = { width: 1440, height: 900 };
export const phone = { width: 390, height: 844 };

export interface PageOptions {
  /** The browser's language: en-US unless told; the app follows it on a first visit. */
  locale?: string;
  viewport?: { width: number; height: number };
}

/** A page of its own (own storage, so its language choice is its own) at the size and language given. */
export async function openPage(browser: Browser, options: PageOptions = {}): Promise<Page> {
  const context = await browser.newContext({
    locale: options.locale ?? 'en-US',
    viewport: options.viewport ?? desktop,
    timezoneId: 'Europe/Kyiv',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  // Shorter than a test's own timeout, so a wait that fails names what it waited for.
  page.setDefaultTimeout(10_000);
  page.on('close', () => void context.close().catch(() => undefined));
  return page;
}

/** A manager created with a password, signed in on the inbox page and connected live. */
export async function signIn(
  browser: Browser,
  gw: TestGateway,
  manager: { name: string; email: string; role: 'admin' | 'supervisor' | 'agent' },
  options: PageOptions = {},
): Promise<Page> {
  const password = 'пароль-для-тесту';
  await gw.inbox.agents.create({ ...manager, password });
  const page = await openPage(browser, options);
  await page.goto(gw.url);
  await page.locator('#login input[name="email"]').fill(manager.email);
  await page.locator('#login input[name="password"]').fill(password);
  await page.locator('#login button[type="submit"]').click();
  await page.locator('#connection.live').waitFor();
  return page;
}

/** What the button of that name downloads, as text lines without the last line break. */
export async function downloadedLines(page: Page, button: string): Promise<string[]> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  return readFileSync(await download.path(), 'utf8')
    .trim()
    .split('\n');
}
