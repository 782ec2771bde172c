import { gzipSync } from 'node:zlib';
import { olena, textUpdate } from './fixtures/telegram';
import { sign, VIBER_TOKEN, viberEnv } from './fixtures/viber';
import { FakeViber } from './support/fake-viber';
import { API_KEY, TELEGRAM_SECRET, type TestManager } from './support/gateway';
import { hubSignature, INSTAGRAM, MetaGateway, WHATSAPP } from './support/meta';

describe('requests at fault get a clear 4xx, never a 500', () => {
  let meta: MetaGateway;
  let fake: FakeViber;
  let admin: TestManager;

  beforeAll(async () => {
    fake = await new FakeViber(VIBER_TOKEN).start();
    meta = await MetaGateway.start(viberEnv(fake.apiUrl));
    admin = await meta.gw.manager('admin', 'Адміністратор Олег');
  });
  afterAll(async () => {
    await meta.close();
    await fake.stop();
  });

  const plain = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
  /** Each webhook route with the headers that get a body past its signature check. */
  const routes: [string, Record<string, string>][] = [
    ['telegram', { 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET }],
    ['viber', { 'x-viber-content-signature': sign(plain) }],
    ['whatsapp', { 'x-hub-signature-256': hubSignature(plain, WHATSAPP.appSecret) }],
    ['instagram', { 'x-hub-signature-256': hubSignature(plain, INSTAGRAM.appSecret) }],
    ['api', { authorization: `Bearer ${API_KEY}` }],
  ];

  it.each(routes)('answers 400 on /webhooks/%s to a body that says it is gzip and is not, storing nothing', async (channel, headers) => {
    const res = await meta.gw.request('POST', `/webhooks/${channel}`, {
      body: plain,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', ...headers },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: { code: 'INBOX.BAD_INPUT', message: 'the body is not valid gzip, as its Content-Encoding says it is' },
    });
    expect(await meta.inbox.messages()).toEqual([]);
  });

  it('answers 415 to a Content-Encoding the gateway does not read', async () => {
    const res = await meta.gw.request('POST', '/webhooks/telegram', {
      body: plain,
      headers: { 'content-type': 'application/json', 'content-encoding': 'compress', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET },
    });
    expect(res.status).toBe(415);
    expect(res.body.error).toEqual({ code: 'INBOX.BAD_INPUT', message: 'unsupported content encoding "compress"' });
  });

  it('reads a body that really is gzip', async () => {
    const update = textUpdate(olena, 'Добрий день! Чи є доставка до Львова?');
    const res = await fetch(`${meta.gw.url}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET },
      body: gzipSync(JSON.stringify(update)),
    });
    expect(res.status).toBe(200);
    const stored = await meta.inbox.messages();
    expect(stored.map((m) => m.text)).toEqual(['Добрий день! Чи є доставка до Львова?']);
  });

  it('answers 400 to a path that is not valid percent-encoding, signed in or not', async () => {
    for (const token of [admin.token, undefined]) {
      const res = await meta.gw.request('GET', '/api/conversations/%', { token });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.error.code).toMatch(/^(INBOX\.BAD_INPUT|AUTH\.UNAUTHORIZED)$/);
    }
    const signedIn = await meta.gw.request('GET', '/api/conversations/%E0%A4%A', { token: admin.token });
    expect(signedIn.status).toBe(400);
    expect(signedIn.body).toEqual({ error: { code: 'INBOX.BAD_INPUT', message: 'the URL is not valid percent-encoding' } });
  });
});
