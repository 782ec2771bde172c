import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { BUSINESS } from './fixtures/whatsapp-web';
import { launchBrowser, signIn } from './support/browser';
import type { TestGateway } from './support/gateway';
import { type StandInFactory, startWebGateway } from './support/stand-in-whatsapp-web';

const QR =
  '2@hX3wEJgWq0M7fC1bT9yZkL5nR8sV2uA4dG6jP0eQ1iO3mK7xB9cF5hN2wS8tY4,Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9f=,Zx8wV6uT4sR2qP0oN8mL6kJ4hG2fE0dC8bA6zY4xW2v=,Qw1Er2Ty3Ui4Op5As6Df7Gh8Jk9Lz0Xc1Vb2Nm3Qw4=,WEB';

describe('linking WhatsApp Web from the inbox page', () => {
  let gw: TestGateway;
  let factory: StandInFactory;
  let browser: Browser;
  beforeAll(async () => {
    ({ gw, factory } = await startWebGateway());
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('shows an admin the QR to scan, then the linked number; an agent sees neither', async () => {
    const client = await factory.client(1);
    const admin = await signIn(browser, gw, { name: 'Адміністратор Ольга', email: 'olha@shop.example', role: 'admin' });
    // In Ukrainian the same session reads «запуск…»; the test's browser asks for English.
    const agent = await signIn(browser, gw, { name: 'Ірина', email: 'iryna@shop.example', role: 'agent' });
    await admin.locator('#sessions', { hasText: 'WhatsApp: starting…' }).waitFor();

    client.showQr(QR);
    const qr = admin.locator('#sessions img.qr');
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    // The browser decoded the PNG (the page's CSP allows data: images).
    const decoded = await qr.evaluate((node) => {
      const img = node as unknown as { complete: boolean; naturalWidth: number };
      return img.complete && img.naturalWidth > 0;
    });
    expect(decoded).toBe(true);
    mkdirSync('test/artifacts', { recursive: true });
    await admin.screenshot({ path: 'test/artifacts/whatsapp-web-qr.png', fullPage: true });

    client.pair();
    await admin.locator('#sessions', { hasText: `WhatsApp: connected (${BUSINESS})` }).waitFor();
    expect(await admin.locator('#sessions img.qr').count()).toBe(0);

    expect(await agent.locator('#sessions').count()).toBe(0);
    await admin.close();
    await agent.close();
  });
});
