import { randomUUID } from 'node:crypto';
import mongoose, { type Connection, Types } from 'mongoose';
import { DueHints, secondOf } from '../inbox/due-hints';
import { formMessage, marta } from './fixtures/site-form';
import { ManualClock } from './support/clock';
import { storeUri, TestGateway } from './support/gateway';

describe('due hints: what falls due, found by primary key', () => {
  let connection: Connection;
  const clock = new ManualClock('2024-05-06T07:00:00Z');
  beforeAll(async () => {
    connection = await mongoose.createConnection(storeUri(`hints_${randomUUID().slice(0, 8)}`)).asPromise();
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('reads back every hint two processes filed under the same second', async () => {
    const [one, two] = [new DueHints(connection, clock.now), new DueHints(connection, clock.now)];
    const at = new Date('2024-05-06T07:10:00.250Z');
    const ids = Array.from({ length: 20 }, () => new Types.ObjectId());
    await Promise.all(ids.map((id, i) => (i % 2 ? one : two).file(id, 'escalationDueAt', at)));

    const read = await one.read(secondOf(at), secondOf(at));
    expect(read.map((h) => h.conversationId.toString()).sort()).toEqual(ids.map(String).sort());
    expect(read.map((h) => h._id).sort()).toEqual(ids.map((_, n) => `${secondOf(at)}:${n}`).sort());
    expect(await one.read(secondOf(at) - 3, secondOf(at) - 1)).toEqual([]);
  });

  it('files a due time already past under the current second, which the next pass still reads', async () => {
    const hints = new DueHints(connection, clock.now);
    const id = new Types.ObjectId();
    await hints.file(id, 'slaBreachAt', new Date('2024-05-06T06:00:00Z'));
    const [hint] = await hints.read(secondOf(clock.now()), secondOf(clock.now()));
    expect(hint).toMatchObject({ conversationId: id, kind: 'slaBreachAt', dueAt: new Date('2024-05-06T06:00:00Z') });
  });

  it('drops whole hours of hints that ended before the given second, and keeps the rest', async () => {
    const hints = new DueHints(connection, clock.now);
    const early = new Date('2024-05-06T08:59:59Z');
    const late = new Date('2024-05-06T09:00:00Z');
    await hints.file(new Types.ObjectId(), 'slaWarnAt', early);
    await hints.file(new Types.ObjectId(), 'slaWarnAt', late);
    await hints.prune(secondOf(late));
    expect(await hints.read(secondOf(early), secondOf(early))).toEqual([]);
    expect(await hints.read(secondOf(late), secondOf(late))).toHaveLength(1);
  });
});

describe('the due-timer pass', () => {
  it('hands a lead over from its hint, between the periodic sweeps of the due-time indexes', async () => {
    const clock = new ManualClock('2024-05-06T07:00:00Z');
    const gw = await TestGateway.start({
      env: { ESCALATION_AFTER: '2m', SLA_FIRST_RESPONSE: '1h', JOBS_POLL_INTERVAL: '1h' },
      clock: clock.now,
    });
    try {
      const iryna = await gw.manager('agent', 'Ірина Бондар');
      const socket = await gw.connect(iryna.token);
      // The process's first pass sweeps the indexes; the next sweep is 10 minutes away.
      await gw.automations.tick();
      await gw.postApi(formMessage(marta, 'Добрий вечір! Ви працюєте в неділю?'));
      await socket.waitFor('message:new');

      clock.advance(60_000);
      expect((await gw.automations.tick()).escalated).toBe(0);
      clock.advance(60_000);
      expect((await gw.automations.tick()).escalated).toBe(1);
      // Filed in the collection of its hour, under its second.
      const hints = await (await gw.collection('due_hints_476383')).find({ kind: 'escalationDueAt' }).toArray();
      expect(hints.map((h) => h._id)).toEqual([`${Date.parse('2024-05-06T07:02:00Z') / 1000}:0`]);
      expect(hints.map((h) => h.dueAt)).toEqual([new Date('2024-05-06T07:02:00Z')]);
    } finally {
      await gw.close();
    }
  });
});
