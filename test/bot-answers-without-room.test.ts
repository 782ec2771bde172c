import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, storeUri, TestGateway } from './support/gateway';
import { type WireCommand, WireTap } from './support/wire-tap';

/** The outbox's attempts running at once in one gateway process (gateway/server.ts). */
const OUTBOX_ROOM = 20;
const CUSTOMERS = OUTBOX_ROOM + 6;

/** A site callback that takes its time over every reply: the attempts sending to it keep their room meanwhile. */
async function slowCallback(delayMs: number): Promise<{ url: string; received: string[]; close: () => Promise<void> }> {
  const received: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { contactExternalId: string }).contactExternalId);
      setTimeout(() => res.writeHead(204).end(), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/inbox-replies`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the bot’s answers to a burst larger than the outbox’s room', () => {
  const database = `botroom_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let tap: WireTap;
  let gw: TestGateway;
  let callback: Awaited<ReturnType<typeof slowCallback>>;

  beforeAll(async () => {
    tap = await WireTap.start(storeUri(database));
    callback = await slowCallback(700);
    gw = await TestGateway.start({ database, env: { MONGODB_URI: tap.uri(database), API_CHANNEL_CALLBACK_URL: callback.url } });
    const admin = await gw.manager('admin', 'Ірина Адміністраторка');
    expect((await gw.request('PATCH', '/api/bot', { token: admin.token, json: { enabled: true } })).status).toBe(200);
  });
  afterAll(async () => {
    await gw.close();
    await tap.close();
    await callback.close();
  });

  const answers = (c: WireCommand) =>
    c.name === 'insert' && c.collection === 'messages' ? (c.documents.documents ?? []).filter((d) => d.direction === 'out') : [];

  it('sends those with room at once from their insert, and the rest, inserted due, as room frees up: each once', async () => {
    const customers = Array.from({ length: CUSTOMERS }, (_, i) => `visitor-burst-${i}`);
    const posted = await Promise.all(
      customers.map((customer, i) =>
        gw.postApi({ externalMessageId: `burst-${i}`, contact: { externalId: customer, name: 'Відвідувач сайту' }, text: 'Добрий день!' }),
      ),
    );
    expect(posted.map((r) => r.status)).toEqual(customers.map(() => 200));

    await eventually(async () => callback.received.length >= CUSTOMERS, 20_000);
    expect([...callback.received].sort()).toEqual([...customers].sort());
    const inserted = tap.commands.flatMap(answers);
    const claimedInInsert = inserted.filter((d) => d.attempts === 1).length;
    const insertedDue = inserted.filter((d) => d.attempts === 0).length;
    // Never more attempts at once than there is room for; the answers that found none waited their turn.
    expect(claimedInInsert).toBeLessThanOrEqual(OUTBOX_ROOM);
    expect(insertedDue).toBeGreaterThanOrEqual(CUSTOMERS - OUTBOX_ROOM);
    expect(claimedInInsert + insertedDue).toBe(CUSTOMERS);
  }, 60_000);
});
