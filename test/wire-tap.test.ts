import { randomUUID } from 'node:crypto';
import { BSON, MongoClient } from 'mongodb';
import { storeUri } from './support/gateway';
import { mentions, parseCommand, WireTap } from './support/wire-tap';

/** The tap the crash tests stand on: it must pass traffic untouched, see every command, and freeze or cut on demand. */
describe('the wire tap in front of the store', () => {
  const database = `tap_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let tap: WireTap;
  const clients: MongoClient[] = [];

  // Short timeouts so an outage shows up as an error within the test, not as a hang.
  async function client(): Promise<MongoClient> {
    const c = new MongoClient(tap.uri(database), { serverSelectionTimeoutMS: 3_000, socketTimeoutMS: 1_500, heartbeatFrequencyMS: 500 });
    clients.push(c);
    return c.connect();
  }

  beforeAll(async () => {
    tap = await WireTap.start(storeUri(database));
  });
  afterAll(async () => {
    for (const c of clients) await c.close(true).catch(() => undefined);
    await tap.close();
    const direct = await new MongoClient(storeUri(database)).connect();
    await direct.db(database).dropDatabase();
    await direct.close();
  });

  it('passes a find through and logs it with its collection and filter', async () => {
    const c = await client();
    await c
      .db(database)
      .collection('orders')
      .insertOne({ _id: 'order-1042' as never, customer: 'Олена Коваленко', total: 1250 });
    const found = await c
      .db(database)
      .collection('orders')
      .findOne({ _id: 'order-1042' as never });
    expect(found?.customer).toBe('Олена Коваленко');

    const insert = tap.commands.find((cmd) => cmd.name === 'insert' && cmd.collection === 'orders');
    expect(insert).toMatchObject({ db: database, documents: { documents: [{ _id: 'order-1042', total: 1250 }] } });
    const find = tap.commands.find((cmd) => cmd.name === 'find' && cmd.collection === 'orders');
    expect(find?.body.filter).toEqual({ _id: 'order-1042' });
  });

  it("logs an update's batch under `updates`", async () => {
    const c = await client();
    await c
      .db(database)
      .collection('orders')
      .updateOne({ _id: 'order-1042' as never }, { $set: { status: 'paid' } });
    const update = tap.commands.findLast((cmd) => cmd.name === 'update' && cmd.collection === 'orders');
    expect(update?.documents.updates).toEqual([expect.objectContaining({ q: { _id: 'order-1042' }, u: { $set: { status: 'paid' } } })]);
  });

  it('reads kind-1 document sequences, as bulk writes send them', () => {
    // Built by hand: the driver sends single writes inline, so this is the only way to see a kind-1 section.
    const body = BSON.serialize({ insert: 'messages', ordered: true, $db: 'inbox' });
    const docs = [{ text: 'Добрий день' }, { text: 'Hello' }].map((d) => BSON.serialize(d));
    const identifier = Buffer.from('documents\0', 'utf8');
    const sequence = Buffer.concat([Buffer.alloc(4), identifier, ...docs]);
    sequence.writeInt32LE(sequence.length, 0);
    const sections = Buffer.concat([Buffer.from([0]), body, Buffer.from([1]), sequence]);
    const message = Buffer.alloc(16 + 4 + sections.length);
    message.writeInt32LE(message.length, 0);
    message.writeInt32LE(2013, 12);
    sections.copy(message, 20);
    expect(parseCommand(message, 7)).toMatchObject({
      name: 'insert',
      db: 'inbox',
      collection: 'messages',
      connection: 7,
      documents: { documents: [{ text: 'Добрий день' }, { text: 'Hello' }] },
    });
  });

  it('freezes an insert until released, and the store never sees it meanwhile', async () => {
    const c = await client();
    const orders = c.db(database).collection('orders');
    const caught = tap.hold((cmd) => cmd.name === 'insert' && cmd.documents.documents?.[0]?._id === 'order-2001', { label: 'insert 2001' });
    let settled = false;
    const insert = orders.insertOne({ _id: 'order-2001' as never, customer: 'Ann' }, { timeoutMS: 20_000 }).finally(() => {
      settled = true;
    });
    const command = await caught;
    expect(command.collection).toBe('orders');

    // Read straight from the store, past the tap.
    const direct = await new MongoClient(storeUri(database)).connect();
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false);
      expect(
        await direct
          .db(database)
          .collection('orders')
          .countDocuments({ _id: 'order-2001' as never }),
      ).toBe(0);
      tap.release();
      await insert;
      expect(
        await direct
          .db(database)
          .collection('orders')
          .countDocuments({ _id: 'order-2001' as never }),
      ).toBe(1);
    } finally {
      await direct.close();
    }
  });

  it('applies a command but keeps its answer back until released', async () => {
    const c = await client();
    const orders = c.db(database).collection('orders');
    const caught = tap.holdAnswer((cmd, answer) => cmd.name === 'insert' && mentions(cmd, 'order-3003') && answer.n === 1, {
      label: 'answer to insert 3003',
    });
    let settled = false;
    const insert = orders.insertOne({ _id: 'order-3003' as never, customer: 'Тарас' }).finally(() => {
      settled = true;
    });
    const { answer } = await caught;
    expect(answer).toMatchObject({ ok: 1, n: 1 });

    const direct = await new MongoClient(storeUri(database)).connect();
    try {
      // The store has it; the app has not heard.
      expect(
        await direct
          .db(database)
          .collection('orders')
          .countDocuments({ _id: 'order-3003' as never }),
      ).toBe(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false);
      tap.release();
      await expect(insert).resolves.toMatchObject({ acknowledged: true });
    } finally {
      await direct.close();
    }
  });

  it('rejects a hold that never matches, naming it', async () => {
    await expect(tap.hold(() => false, { label: 'nothing', timeoutMs: 100 })).rejects.toThrow(/hold "nothing": nothing matched/);
  });

  it('answers nothing during a blackhole, and answers again once it is over', async () => {
    const c = await client();
    const admin = c.db(database).admin();
    await admin.ping();
    tap.blackhole(true);
    try {
      await expect(admin.ping()).rejects.toThrow();
      await expect(client()).rejects.toThrow();
    } finally {
      tap.blackhole(false);
    }
    const fresh = await client();
    await expect(fresh.db(database).admin().ping()).resolves.toMatchObject({ ok: 1 });
  });
});
