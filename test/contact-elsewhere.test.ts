import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { formMessage } from './fixtures/site-form';
import { idOf, olena, textCallback } from './fixtures/whatsapp';
import { launchBrowser, phone, signIn } from './support/browser';
import type { SocketRecorder, TestManager } from './support/gateway';
import { MetaGateway } from './support/meta';

describe('the same customer on other channels, in the contact card', () => {
  let meta: MetaGateway;
  let supervisor: TestManager;
  let live: SocketRecorder;
  let browser: Browser;
  const card = (conversationId: string, token = supervisor.token) =>
    meta.gw.request('GET', `/api/conversations/${conversationId}/contact`, { token });

  beforeAll(async () => {
    meta = await MetaGateway.start();
    supervisor = await meta.gw.manager('supervisor', 'Оксана Левченко');
    live = await meta.gw.connect(supervisor.token);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await meta.close();
  });

  async function whatsappFrom(text: string): Promise<string> {
    const payload = textCallback(olena, text);
    expect((await meta.post('whatsapp', payload)).status).toBe(200);
    return (await live.waitFor('message:new', (p) => p.message.externalId === idOf(payload))).conversation.id;
  }
  async function formFrom(contact: Parameters<typeof formMessage>[0], text: string): Promise<string> {
    const body = formMessage(contact, text);
    expect((await meta.gw.postApi(body)).status).toBe(200);
    return (await live.waitFor('message:new', (p) => p.message.externalId === body.externalMessageId)).conversation.id;
  }

  it('links a site form lead and a WhatsApp customer with one phone, however the form spelled it', async () => {
    const whatsapp = await whatsappFrom('Добрий день! Я залишала заявку на сайті, коли буде доставка?');
    const form = await formFrom(
      { externalId: 'form-olena-2207', name: 'Олена К.', email: 'olena.k@example.com', phone: '+380 (67) 123-45-67' },
      'Хочу замовити букет півоній на суботу',
    );
    await formFrom({ externalId: 'form-mark-1', name: 'Mark Evans', email: 'mark.evans@example.co.uk' }, 'Do you deliver to Bucha?');

    const fromWhatsApp = await card(whatsapp);
    expect(fromWhatsApp.status).toBe(200);
    expect(fromWhatsApp.body.elsewhere).toEqual([
      {
        conversationId: form,
        channel: 'api',
        externalId: 'form-olena-2207',
        name: 'Олена К.',
        status: 'open',
        lastMessageAt: expect.any(String),
      },
    ]);
    const fromForm = await card(form);
    expect(fromForm.body.phone).toBe('+380671234567');
    expect(fromForm.body.elsewhere).toEqual([
      expect.objectContaining({ conversationId: whatsapp, channel: 'whatsapp', externalId: olena.waId, name: olena.name }),
    ]);
  });

  it('shows an agent only the other conversations they may open', async () => {
    const iryna = await meta.gw.manager('agent', 'Ірина Бондар');
    const bohdan = await meta.gw.manager('agent', 'Богдан Кравець');
    const whatsapp = await whatsappFrom('І ще: чи можна оплатити карткою?');
    const form = (await card(whatsapp)).body.elsewhere[0].conversationId;
    const assigned = await meta.gw.request('POST', `/api/conversations/${form}/assign`, {
      token: supervisor.token,
      json: { agentId: iryna.agent.id },
    });
    expect(assigned.status).toBe(200);

    expect((await card(whatsapp, bohdan.token)).body.elsewhere).toEqual([]);
    expect((await card(whatsapp, iryna.token)).body.elsewhere).toEqual([expect.objectContaining({ conversationId: form })]);
  });

  it('finds nobody else for a customer with neither email nor phone in common', async () => {
    const mark = (await meta.gw.request('GET', '/api/conversations?q=Mark', { token: supervisor.token })).body.items[0];
    expect((await card(mark.id)).body.elsewhere).toEqual([]);
  });

  for (const [size, viewport, locale, words] of [
    ['laptop', { width: 1024, height: 768 }, 'uk-UA', { contact: 'Контакт', elsewhere: 'Також пише з', close: 'Закрити' }],
    ['phone', phone, 'en-US', { contact: 'Contact', elsewhere: 'Also writes from', close: 'Close' }],
  ] as const) {
    it(`opens the contact over the thread where it is not beside it, and goes to the customer's other conversation (${size}, ${locale})`, async () => {
      const page = await signIn(
        browser,
        meta.gw,
        { name: 'Марія', email: `maria.contact.${size}@shop.example`, role: 'supervisor' },
        { viewport, locale },
      );
      await page.locator('#conversations li', { hasText: olena.name }).locator('button').first().click();
      await page.locator('#messages li.in').first().waitFor();
      expect(await page.locator('#contact').isVisible()).toBe(false);
      await page.getByRole('button', { name: words.contact, exact: true }).click();
      const sheet = page.locator('#contact.open');
      await sheet.getByRole('heading', { name: words.elsewhere }).waitFor();
      await sheet.locator('a[href="tel:+380671234567"]').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      mkdirSync('test/artifacts', { recursive: true });
      await page.screenshot({ path: `test/artifacts/contact-sheet-${locale}-${size}.png` });

      await page.keyboard.press('Escape');
      await sheet.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: words.contact, exact: true }).click();
      await page.locator('#contact.open .contact-elsewhere button').first().click();
      await page.locator('#thread-name', { hasText: 'Олена К.' }).waitFor();
      expect(await page.locator('#contact.open').count()).toBe(0);
      await page.close();
    });
  }

  it('finds a lead whose form sent the phone without its plus', async () => {
    const whatsapp = (await meta.gw.request('GET', `/api/conversations?q=${encodeURIComponent(olena.name)}`, { token: supervisor.token }))
      .body.items[0];
    const callback = await formFrom(
      { externalId: 'form-callback-77', name: 'Олена (передзвонити)', phone: '380671234567' },
      'Передзвоніть мені після 18:00, будь ласка',
    );
    expect((await card(whatsapp.id)).body.elsewhere).toEqual(
      expect.arrayContaining([expect.objectContaining({ conversationId: callback })]),
    );
  });
});
