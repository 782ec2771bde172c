import fc from 'fast-check';
import { formMessage, john, marta } from './fixtures/site-form';
import { sign, VIBER_TOKEN, viberEnv } from './fixtures/viber';
import { FakeViber } from './support/fake-viber';
import { API_KEY, type HttpReply, TELEGRAM_SECRET } from './support/gateway';
import { impossibleIds, malformedBody } from './support/malformed';
import { MetaGateway } from './support/meta';
import { realPayloads } from './support/real-payloads';

/** Bodies per route; FUZZ_RUNS raises it for a longer hunt. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

describe('malformed but correctly signed webhook bodies', () => {
  let meta: MetaGateway;
  let fake: FakeViber;

  beforeAll(async () => {
    fake = await new FakeViber(VIBER_TOKEN).start();
    meta = await MetaGateway.start(viberEnv(fake.apiUrl));
  });
  afterAll(async () => {
    await meta.close();
    await fake.stop();
  });

  // Counted in the store: through the API a count is a request per conversation, and it runs twice for every body.
  const stored = async () =>
    Promise.all(['messages', 'contacts', 'conversations'].map(async (name) => (await meta.collection(name)).countDocuments({})));

  const routes: [string, (body: string) => Promise<HttpReply>][] = [
    [
      'telegram',
      (body) =>
        meta.gw.request('POST', '/webhooks/telegram', {
          body,
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET },
        }),
    ],
    [
      'viber',
      (body) =>
        meta.gw.request('POST', '/webhooks/viber', {
          body,
          headers: { 'content-type': 'application/json', 'x-viber-content-signature': sign(body) },
        }),
    ],
    ['whatsapp', (body) => meta.post('whatsapp', undefined, { body })],
    ['instagram', (body) => meta.post('instagram', undefined, { body })],
    [
      'api',
      (body) =>
        meta.gw.request('POST', '/webhooks/api', {
          body,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
        }),
    ],
  ];

  it.each(routes)(
    'on /webhooks/%s: never a 5xx, and nothing stored from a body refused',
    async (channel, post) => {
      const bodies =
        channel === 'api'
          ? [formMessage(marta, 'Добрий день! Хочу замовити доставку.'), formMessage(john, 'Hello, is delivery to Kyiv free?')]
          : realPayloads(channel as 'telegram').map((p) => JSON.parse(p.body) as unknown);
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(malformedBody(bodies), async (body) => {
          const before = await stored();
          const res = await post(body);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect({ status: res.status, body }).toEqual({ status: expect.any(Number), body });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) {
            expect(res.body.error.code).toBe('INBOX.BAD_INPUT');
            expect(await stored()).toEqual(before);
          }
        }),
        { numRuns: RUNS },
      );
      // Both kinds were tried: bodies refused, and bodies taken.
      expect([...statuses.keys()].sort()).toEqual([200, 400]);

      const contacts = await meta.inbox.contacts();
      const messages = await meta.inbox.messages();
      expect(contacts.map((c) => c.externalId).filter((id) => impossibleIds.test(id))).toEqual([]);
      expect(messages.map((m) => String(m.externalId)).filter((id) => impossibleIds.test(id))).toEqual([]);
    },
    30_000 + RUNS * 300,
  );
});
