import { randomUUID } from 'node:crypto';
import mongoose, { type Connection, Types } from 'mongoose';
import { loadConfig } from '../gateway/config';
import { createInbox, type Inbox } from '../inbox';
import { decodeFacts, decodeParts, encodeFacts, encodeParts, type ResponseFact } from '../inbox/figures-codec';
import { durationsOf, summarize } from '../inbox/stats';
import { createLogger } from '../shared/logger';
import { ManualClock } from './support/clock';
import { storeUri } from './support/gateway';

const iryna = new Types.ObjectId().toString();
const bohdan = new Types.ObjectId().toString();

/** Seven weeks of a shop's replies, deterministic: a reply every ~8 hours, every third one a first response. */
function history(from: string, to: string): ResponseFact[] {
  const facts: ResponseFact[] = [];
  let x = 7;
  for (let t = Date.parse(from), i = 0; t < Date.parse(to); i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const durationMs = 5_000 + Math.floor((x / 2 ** 31) ** 2 * 3 * 3600_000);
    const first = i % 3 === 0;
    facts.push({
      messageId: new Types.ObjectId().toString(),
      channel: i % 4 === 0 ? 'viber' : 'telegram',
      agentId: i % 2 ? iryna : bohdan,
      kind: first ? 'first' : 'reply',
      respondedAt: t,
      durationMs,
      withinTarget: first ? durationMs <= 5 * 60_000 : null,
    });
    t += 6 * 3600_000 + (x % (4 * 3600_000));
  }
  return facts;
}

/** The figures computed by hand from the raw responses of [from, to): what the API must say. */
function expected(facts: readonly ResponseFact[], from: string, to: string) {
  const inRange = facts.filter((f) => f.respondedAt >= Date.parse(from) && f.respondedAt < Date.parse(to));
  const channels = ['telegram', 'viber'].filter((channel) => inRange.some((f) => f.channel === channel));
  return channels.map((channel) => {
    const own = inRange.filter((f) => f.channel === channel);
    const first = own.filter((f) => f.kind === 'first');
    return {
      key: channel,
      firstResponse: summarize(first.map((f) => f.durationMs)),
      reply: summarize(own.map((f) => f.durationMs)),
      slaMet: first.filter((f) => f.withinTarget).length,
      slaBreached: first.filter((f) => !f.withinTarget).length,
    };
  });
}

describe('the figures ledger', () => {
  it('keeps responses and figures intact through their binary form', () => {
    const [fact] = history('2025-01-20T10:00:00Z', '2025-01-20T11:00:00Z') as [ResponseFact];
    const reply: ResponseFact = { ...fact, kind: 'reply', withinTarget: null, durationMs: 2 ** 40 + 3 };
    expect(decodeFacts(encodeFacts([fact, reply]))).toEqual([fact, reply]);

    const part = {
      channel: 'telegram',
      agentId: iryna,
      first: durationsOf([120_000, 660_000]),
      reply: { ...durationsOf([180_000, 120_000, 660_000, 5_000_000]), values: null },
      slaMet: 1,
      slaBreached: 1,
    };
    const empty = { ...part, channel: 'viber', first: durationsOf([]), reply: durationsOf([1]), slaMet: 0, slaBreached: 0 };
    expect(decodeParts(encodeParts([part, empty]))).toEqual([part, empty]);
  });

  describe('over seven weeks of history', () => {
    let connection: Connection;
    let inbox: Inbox;
    const clock = new ManualClock('2025-03-10T06:40:00Z');
    const past = history('2025-01-20T08:00:00Z', '2025-03-10T05:00:00Z');
    const live = history('2025-03-10T05:05:00Z', '2025-03-10T06:40:00Z');
    const all = [...past, ...live];
    const figures = async (from: string, to: string) =>
      (await inbox.responseTimes.figures({ from: new Date(from), to: new Date(to), groupBy: 'channel' })).map((row) => ({
        key: row.key,
        firstResponse: row.firstResponse,
        reply: row.reply,
        slaMet: row.slaMet,
        slaBreached: row.slaBreached,
      }));

    beforeAll(async () => {
      connection = await mongoose.createConnection(storeUri(`ledger_${randomUUID().slice(0, 8)}`)).asPromise();
      const config = loadConfig({ NODE_ENV: 'test', MONGODB_URI: 'mongodb://unused', LOG_LEVEL: 'silent' });
      inbox = await createInbox({
        connection,
        presence: { onlineAgentIds: async () => [] },
        senders: new Map(),
        capabilities: new Map(),
        slaTargets: config.slaFirstResponse,
        log: createLogger('silent'),
        clock: clock.now,
      });
      // Responses recorded before the ledger existed: the first rollup builds the ledger from them.
      await inbox.models.Response.insertMany(
        past.map((f) => ({
          conversationId: new Types.ObjectId(),
          channel: f.channel,
          agentId: new Types.ObjectId(f.agentId),
          kind: f.kind,
          waitingSince: new Date(f.respondedAt - f.durationMs),
          respondedAt: new Date(f.respondedAt),
          durationMs: f.durationMs,
          messageId: new Types.ObjectId(f.messageId),
          withinTarget: f.withinTarget,
        })),
      );
      await inbox.rollups.run(clock.now());
      // Replies sent since the last rollup are filed as they are sent.
      await inbox.ledger.record(live);
    }, 120_000);

    afterAll(async () => {
      await connection.dropDatabase();
      await connection.close();
    });

    it('summarized every closed month and day, and packed the closed hours', async () => {
      const months = await connection.collection('figures_year_2025').find({}).toArray();
      expect(months.map((m) => m._id).sort()).toEqual(['m01', 'm02']);
      const march = await connection.collection('figures_month_202503').find({}).toArray();
      expect(march.map((d) => d._id).sort()).toEqual(['d01', 'd02', 'd03', 'd04', 'd05', 'd06', 'd07', 'd08', 'd09']);
      const today = await connection.collection('figures_day_20250310').find({}).toArray();
      // Hours before the last rollup are packed; the replies filed since (05:05 on) wait one by one in their hours.
      const filed = today.filter((d) => String(d._id).startsWith('e:'));
      expect(filed.length).toBe(live.length);
      expect(filed.every((d) => d.h >= 'h05')).toBe(true);
      const last = new Date((past.at(-1) as ResponseFact).respondedAt);
      const day = last.toISOString().slice(0, 10).replaceAll('-', '');
      const hour = (
        await connection
          .collection(`figures_day_${day}`)
          .find({ h: `h${last.toISOString().slice(11, 13)}` })
          .toArray()
      ).map((d) => String(d._id).slice(0, 2));
      expect(hour).toEqual(['p:']);
    });

    it('answers a range with ragged edges across whole months exactly as the raw responses say', async () => {
      expect(await figures('2025-01-15T13:17:00Z', '2025-03-10T06:30:00Z')).toEqual(
        expected(all, '2025-01-15T13:17:00Z', '2025-03-10T06:30:00Z'),
      );
    });

    it('answers a week of whole days, a calendar month, and the live last hours', async () => {
      expect(await figures('2025-02-03T00:00:00Z', '2025-02-10T00:00:00Z')).toEqual(
        expected(all, '2025-02-03T00:00:00Z', '2025-02-10T00:00:00Z'),
      );
      expect(await figures('2025-02-01T00:00:00Z', '2025-03-01T00:00:00Z')).toEqual(
        expected(all, '2025-02-01T00:00:00Z', '2025-03-01T00:00:00Z'),
      );
      expect(await figures('2025-03-09T22:10:00Z', '2025-03-10T06:40:00Z')).toEqual(
        expected(all, '2025-03-09T22:10:00Z', '2025-03-10T06:40:00Z'),
      );
    });

    it('keeps every reply of a busy moment: fifty filed into one hour at once', async () => {
      // A day of its own, after the history the other cases read.
      const at = Date.parse('2025-03-11T10:20:00Z');
      const burst = Array.from(
        { length: 50 },
        (_, i): ResponseFact => ({
          messageId: new Types.ObjectId().toString(),
          channel: 'telegram',
          agentId: i % 2 ? iryna : bohdan,
          kind: 'reply',
          respondedAt: at + i,
          durationMs: 60_000 + i * 1000,
          withinTarget: null,
        }),
      );
      await Promise.all(burst.map((f) => inbox.ledger.record([f])));
      const read = await inbox.ledger.facts(at, at + 60_000);
      expect(read.map((f) => f.messageId).sort()).toEqual(burst.map((f) => f.messageId).sort());
      // Packing the hour while more replies come in loses none of them either.
      const late = burst.map((f) => ({ ...f, messageId: new Types.ObjectId().toString(), respondedAt: f.respondedAt + 100 }));
      await Promise.all([
        inbox.ledger.pack(Date.parse('2025-03-11T10:00:00Z'), Date.parse('2025-03-11T11:00:00Z')),
        ...late.map((f) => inbox.ledger.record([f])),
      ]);
      expect(await inbox.ledger.facts(at, at + 60_000)).toHaveLength(100);
    });

    it('files a response once however often it is filed', async () => {
      await inbox.ledger.record(live.slice(0, 3));
      await inbox.ledger.record(past.slice(-3));
      expect(await figures('2025-03-09T00:00:00Z', '2025-03-10T06:40:00Z')).toEqual(
        expected(all, '2025-03-09T00:00:00Z', '2025-03-10T06:40:00Z'),
      );
    });
  });
});
