import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { idOf, olena, sheena, textCallback, WABA_ID } from './fixtures/whatsapp';
import { desktop, launchBrowser, phone, signIn } from './support/browser';
import { graphError } from './support/fake-graph';
import type { SocketRecorder, TestManager } from './support/gateway';
import { MetaGateway, WHATSAPP } from './support/meta';

const HOUR = 3600_000;

/** Two pages of `GET /<WABA_ID>/message_templates`, as Meta lists a flower shop's templates. */
const firstPage = {
  data: [
    {
      name: 'order_ready',
      parameter_format: 'POSITIONAL',
      components: [
        { type: 'BODY', text: 'Вітаємо, {{1}}! Ваше замовлення №{{2}} готове до видачі.', example: { body_text: [['Олена', '4521']] } },
        { type: 'FOOTER', text: 'Квіткова крамниця «Півонія»' },
      ],
      language: 'uk',
      status: 'APPROVED',
      category: 'UTILITY',
      id: '1191372108942316',
    },
    {
      name: 'spring_catalog',
      components: [
        { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2UvanBlZw==:ARb'] } },
        { type: 'BODY', text: 'Весняна колекція вже в продажу!' },
      ],
      language: 'uk',
      status: 'APPROVED',
      category: 'MARKETING',
      id: '1191372108942317',
    },
    {
      name: 'login_code',
      components: [
        { type: 'BODY', text: '*{{1}}* is your verification code.', add_security_recommendation: true },
        {
          type: 'BUTTONS',
          buttons: [{ type: 'OTP', otp_type: 'COPY_CODE', text: 'Copy code' }],
        },
      ],
      language: 'en_US',
      status: 'APPROVED',
      category: 'AUTHENTICATION',
      id: '1191372108942318',
    },
  ],
  paging: {
    cursors: { before: 'MAZDZD', after: 'MgZDZD' },
    next: `https://graph.facebook.com/v21.0/${WABA_ID}/message_templates?limit=100&after=MgZDZD`,
  },
};
const secondPage = {
  data: [
    {
      name: 'follow_up',
      parameter_format: 'POSITIONAL',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Flower shop Peony' },
        { type: 'BODY', text: 'Hello {{1}}, you asked us about {{2}}. Shall we keep it for you?' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'QUICK_REPLY', text: 'Yes, please' },
            { type: 'QUICK_REPLY', text: 'No, thanks' },
          ],
        },
      ],
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
      id: '1191372108942319',
    },
    {
      name: 'delivery_named',
      parameter_format: 'NAMED',
      components: [{ type: 'BODY', text: 'Hi {{first_name}}, your bouquet is on its way.' }],
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
      id: '1191372108942320',
    },
  ],
  paging: { cursors: { before: 'MwZDZD', after: 'NAZDZD' } },
};

describe('WhatsApp templates once the 24-hour window has closed', () => {
  let meta: MetaGateway;
  let agent: TestManager;
  let live: SocketRecorder;
  let browser: Browser;

  beforeAll(async () => {
    meta = await MetaGateway.start({ WHATSAPP_BUSINESS_ACCOUNT_ID: WABA_ID });
    meta.graph.respond((call) => {
      if (call.method !== 'GET' || !call.path.endsWith(`/${WABA_ID}/message_templates`)) return undefined;
      return { status: 200, body: call.query.after === 'MgZDZD' ? secondPage : firstPage };
    });
    agent = await meta.gw.manager('agent', 'Ірина Мельник');
    live = await meta.gw.connect(agent.token);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await meta?.close();
  });

  /** The customer wrote `hoursAgo` hours ago by the gateway's clock; resolves with the conversation's id. */
  async function customerWrote(from: typeof olena, text: string, hoursAgo: number): Promise<string> {
    meta.clock.advance(-hoursAgo * HOUR);
    const payload = textCallback(from, text);
    try {
      expect((await meta.post('whatsapp', payload)).status).toBe(200);
    } finally {
      meta.clock.advance(hoursAgo * HOUR);
    }
    return (await live.waitFor('message:new', (p) => p.message.externalId === idOf(payload))).conversation.id;
  }

  it('tells the page each channel’s reply window and whether it sends templates', async () => {
    const res = await meta.gw.request('GET', '/api/channels', { token: agent.token });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual(
      expect.arrayContaining([
        {
          channel: 'whatsapp',
          replies: true,
          sendsFiles: false,
          replyWindowMs: 24 * HOUR,
          humanAgentWindowMs: null,
          templates: true,
          templatesListed: true,
        },
        expect.objectContaining({ channel: 'instagram', replyWindowMs: 24 * HOUR, humanAgentWindowMs: 7 * 24 * HOUR, templates: false }),
      ]),
    );
  });

  it('lists the approved templates a manager can fill in, across Meta’s pages, leaving out those needing more than body values', async () => {
    const res = await meta.gw.request('GET', '/api/channels/whatsapp/templates', { token: agent.token });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        name: 'follow_up',
        language: 'en_US',
        category: 'UTILITY',
        body: 'Hello {{1}}, you asked us about {{2}}. Shall we keep it for you?',
        params: 2,
      },
      {
        name: 'order_ready',
        language: 'uk',
        category: 'UTILITY',
        body: 'Вітаємо, {{1}}! Ваше замовлення №{{2}} готове до видачі.',
        params: 2,
      },
    ]);
    const lists = meta.graph.calls.filter((c) => c.path.endsWith('/message_templates'));
    expect(lists[0]).toMatchObject({
      method: 'GET',
      path: `/v21.0/${WABA_ID}/message_templates`,
      authorization: `Bearer ${WHATSAPP.token}`,
      query: expect.objectContaining({ status: 'APPROVED', limit: '100' }),
    });
    expect(lists.map((c) => c.query.after ?? null)).toEqual([null, 'MgZDZD']);
  });

  it('answers a channel without templates and an unknown one with a clear error', async () => {
    const instagram = await meta.gw.request('GET', '/api/channels/instagram/templates', { token: agent.token });
    expect(instagram.status).toBe(409);
    expect(instagram.body.error).toEqual({ code: 'CHANNEL.UNAVAILABLE', message: 'the instagram channel does not send templates' });
    const viber = await meta.gw.request('GET', '/api/channels/viber/templates', { token: agent.token });
    expect(viber.status).toBe(404);
    expect((await meta.gw.request('GET', '/api/channels/whatsapp/templates')).status).toBe(401);
  });

  for (const [size, viewport, locale, customer, words, values, expected] of [
    [
      'desktop',
      desktop,
      'uk-UA',
      olena,
      'Добрий день! Чи можна забрати букет у суботу?',
      ['Олено', '4521'],
      'Вітаємо, Олено! Ваше замовлення №4521 готове до видачі.',
    ],
    [
      'phone',
      phone,
      'en-US',
      sheena,
      'Hi! Do you still have the peony bouquet?',
      ['Sheena', 'the peony bouquet'],
      'Hello Sheena, you asked us about the peony bouquet. Shall we keep it for you?',
    ],
  ] as const) {
    it(`offers the approved templates instead of free text after 24 hours, and sends the chosen one (${size}, ${locale})`, async () => {
      await customerWrote(customer, words, 26);
      const page = await signIn(
        browser,
        meta.gw,
        { name: 'Марія', email: `maria.templates.${size}@shop.example`, role: 'supervisor' },
        { viewport, locale },
      );
      await page.locator('#conversations li', { hasText: customer.name }).locator('button').first().click();
      await page.locator('#messages li.in', { hasText: words }).waitFor();
      await page.locator('#reply-window.closed').waitFor();
      // Free text would not reach the customer now; notes to colleagues still go.
      expect(await page.locator('#composer-mode-reply').isDisabled()).toBe(true);
      expect(await page.locator('#composer-mode-note').isChecked()).toBe(true);

      const template = expected.startsWith('Вітаємо') ? 'order_ready|uk' : 'follow_up|en_US';
      await page.locator('#template-reply select').selectOption(template);
      const inputs = page.locator('#template-reply input');
      expect(await inputs.count()).toBe(2);
      await inputs.nth(0).fill(values[0]);
      await inputs.nth(1).fill(values[1]);
      await page.locator('#template-reply .template-preview p', { hasText: expected }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      mkdirSync('test/artifacts', { recursive: true });
      await page.screenshot({ path: `test/artifacts/whatsapp-template-${locale}-${size}.png` });

      const before = meta.graph.sends().length;
      await page.locator('#template-reply button[type=submit]').click();
      const sends = await meta.graph.waitForSends(before + 1);
      expect(sends.at(-1)?.body).toMatchObject({
        messaging_product: 'whatsapp',
        to: customer.waId,
        type: 'template',
        template: {
          name: template.split('|')[0],
          language: { policy: 'deterministic', code: template.split('|')[1] },
          components: [{ type: 'body', parameters: values.map((text) => ({ type: 'text', text })) }],
        },
      });
      await page.locator('#messages li.out', { hasText: template.split('|')[0] }).waitFor();
      await page.close();
    });
  }

  it('shows how long free text still reaches a customer who wrote recently', async () => {
    await customerWrote({ waId: '380991234567', name: 'Тарас Ковальчук' }, 'Скільки коштує доставка?', 3);
    const page = await signIn(
      browser,
      meta.gw,
      { name: 'Оксана', email: 'oksana.window@shop.example', role: 'supervisor' },
      { locale: 'uk-UA' },
    );
    await page.locator('#conversations li', { hasText: 'Тарас Ковальчук' }).locator('button').first().click();
    const line = page.locator('#reply-window.open');
    await line.waitFor();
    expect(await line.textContent()).toMatch(/WhatsApp приймає відповіді ще 2[0-9]* год/);
    await page.locator('#reply-text').waitFor();
    await page.close();
  });

  it('answers with Meta’s own reason when the templates cannot be listed', async () => {
    // The list is kept for minutes: a gateway of its own sees Meta refuse.
    const other = await MetaGateway.start({ WHATSAPP_BUSINESS_ACCOUNT_ID: WABA_ID });
    try {
      other.graph.respond((call) =>
        call.method === 'GET' && call.path.endsWith('/message_templates')
          ? graphError(400, 190, 'Error validating access token: Session has expired on Tuesday, 01-Dec-26 09:00:00 PST.')
          : undefined,
      );
      const manager = await other.gw.manager('agent', 'Богдан');
      const res = await other.gw.request('GET', '/api/channels/whatsapp/templates', { token: manager.token });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('CHANNEL.UNAVAILABLE');
      expect(res.body.error.message).toMatch(/^whatsapp did not list its templates: .*Session has expired/);
    } finally {
      await other.close();
    }
  });
});
