import { existsSync } from 'node:fs';
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

/** A manager created with a password, signed in on the inbox page and connected live. */
export async function signIn(
  browser: Browser,
  gw: TestGateway,
  manager: { name: string; email: string; role: 'admin' | 'supervisor' | 'agent' },
): Promise<Page> {
  const password = 'пароль-для-тесту';
  await gw.inbox.agents.create({ ...manager, password });
  const page = await browser.newPage();
  await page.goto(gw.url);
  await page.getByLabel('Email').fill(manager.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#connection.live').waitFor();
  return page;
}
