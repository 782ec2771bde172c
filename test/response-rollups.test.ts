import { randomUUID } from 'node:crypto';
import mongoose, { type Connection, mongo, Types } from 'mongoose';
import { loadConfig } from '../gateway/config';
import { createInbox, type Inbox } from '../inbox';
import { EXACT_RANGE_LIMIT, GROWTH, summarize } from '../inbox/stats';
import { readMs, storedMs } from '../inbox/store/mongo/figures';
import { createLogger } from '../shared/logger';
import { ManualClock } from './support/clock';
import { indexUsed } from './support/explain';
import { storeUri } from './support/gateway';

const iryna = new Types.ObjectId();
const bohdan = new Types.ObjectId();
const HOUR = 3600_000;

interface Fact {
  channel: 'telegram' | 'viber';
  agentId: Types.ObjectId;
  kind: 'first' | 'reply';
  respondedAt: number;
  durationMs: number;
  withinTarget: boolean | null;
}

/** Seven weeks of a shop's replies, deterministic: a reply every ~8 hours, every third one a first response. */
function history(from: string, to: string): Fact[] {
  const facts: Fact[] = [];
  let x = 7;
  for (let t = Date.parse(from), i = 0; t < Date.parse(to); i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const durationMs = 5_000 + Math.floor((x / 2 ** 31) ** 2 * 3 * 3600_000);
    const first = i % 3 === 0;
    facts.push({
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

/** The figures computed by hand from the raw responses of [from, to): what the report must say. */
function expected(facts: readonly Fact[], from: string, to: string) {
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

const responseOf = (f: Fact) => ({
  conversationId: new Types.ObjectId(),
  channel: f.channel,
  agentId: f.agentId,
  kind: f.kind,
  waitingSince: new Date(f.respondedAt - f.durationMs),
  respondedAt: new Date(f.respondedAt),
  durationMs: f.durationMs,
  messageId: new Types.ObjectId(),
  withinTarget: f.withinTarget,
});

describe('the response rollup', () => {
  let connection: Connection;
  let inbox: Inbox;
  const sent: { collection: string; command: Record<string, any> }[] = [];
  let recording = false;
  const clock = new ManualClock('2025-03-10T05:30:00Z');
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
  const stored = async () => inbox.models.ResponseRollup.find({}).sort({ _id: 1 }).lean();

  beforeAll(async () => {
    connection = await mongoose.createConnection(storeUri(`rollups_${randomUUID().slice(0, 8)}`), { monitorCommands: true }).asPromise();
    connection.getClient().on('commandStarted', (event) => {
      const target = event.command[event.commandName];
      if (recording && typeof target === 'string') sent.push({ collection: target, command: event.command });
    });
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
    // Responses recorded before the rollup ever ran: its first run rolls up every closed hour from the oldest on.
    await inbox.models.Response.insertMany(past.map(responseOf));
    await inbox.rollups.run(clock.now());
    // Replies sent since, recorded as they are sent: their hours are not rolled up yet at 06:40.
    await inbox.models.Response.insertMany(live.map(responseOf));
    clock.set('2025-03-10T06:40:00Z');
  }, 120_000);

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('rolled every closed hour up into one document, from the oldest response on', async () => {
    // 05:30 less two minutes of settling: every hour before 05:00 is closed.
    expect(await inbox.rollups.watermark()).toEqual(new Date('2025-03-10T05:00:00Z'));
    const hours = await stored();
    const byHour = new Map<number, Fact[]>();
    for (const f of past) {
      const hour = Math.floor(f.respondedAt / HOUR) * HOUR;
      byHour.set(hour, [...(byHour.get(hour) ?? []), f]);
    }
    expect(hours.map((h) => h._id.getTime())).toEqual([...byHour.keys()]);
    for (const h of hours) {
      const own = byHour.get(h._id.getTime()) ?? [];
      expect(h.n).toBe(own.length);
      // One entry per channel, agent and kind, the durations ascending: one BSON binary value each (subtype 0,
      // the little-endian bytes of a Float64Array).
      for (const e of h.entries) {
        const binary = e.ms as unknown as mongo.Binary;
        expect([binary instanceof mongo.Binary, binary.sub_type, binary.length() % 8]).toEqual([true, 0, 0]);
      }
      expect(h.entries.map((e) => [e.channel, e.agentId.toString(), e.kind, [...readMs(e.ms)], e.met])).toEqual(
        [...new Set(own.map((f) => `${f.channel}|${f.agentId.toString()}|${f.kind}`))].sort().map((key) => {
          const same = own.filter((f) => `${f.channel}|${f.agentId.toString()}|${f.kind}` === key);
          const [channel, agentId, kind] = key.split('|');
          const ms = same.map((f) => f.durationMs).sort((a, b) => a - b);
          return [channel, agentId, kind, ms, same.filter((f) => f.withinTarget).length];
        }),
      );
    }
  });

  it('answers a range with ragged edges across whole months exactly as the raw responses say', async () => {
    expect(await figures('2025-01-15T13:17:00Z', '2025-03-10T06:30:00Z')).toEqual(
      expected(all, '2025-01-15T13:17:00Z', '2025-03-10T06:30:00Z'),
    );
  });

  it('answers a week of whole days, a calendar month, and the last hours not rolled up yet', async () => {
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

  it('reads only its whole hours, its edges and what is newer than the rollup, each by an index', async () => {
    // Data for the conversation queries' paths, so the embedded store has seen their kinds of values.
    await inbox.models.Conversation.insertMany([
      {
        channel: 'telegram',
        contactId: new Types.ObjectId(),
        contactName: 'Waiting',
        lastMessageAt: clock.now(),
        awaitingReplySince: clock.now(),
        firstInboundAt: clock.now(),
      },
      {
        channel: 'viber',
        contactId: new Types.ObjectId(),
        contactName: 'Answered',
        lastMessageAt: clock.now(),
        firstInboundAt: clock.now(),
        firstResponseAt: clock.now(),
      },
    ]);
    sent.length = 0;
    recording = true;
    await inbox.responseTimes.figures({ from: new Date('2025-02-01T10:30:00Z'), to: new Date('2025-03-10T06:40:00Z'), groupBy: 'agent' });
    await inbox.responseTimes.figures({
      from: new Date('2025-02-01T10:30:00Z'),
      to: new Date('2025-03-10T06:40:00Z'),
      channel: 'viber',
      groupBy: 'channel',
    });
    await inbox.responseTimes.waitingByChannel();
    recording = false;

    const reads = sent.filter((s) => s.command.find || s.command.aggregate);
    // Per request: the watermark, the rolled-up hours, two edges of raw responses, the unanswered leads, the waits.
    expect(
      reads
        .map((s) => s.collection)
        .slice(0, 6)
        .sort(),
    ).toEqual(['checkpoints', 'conversations', 'conversations', 'response_rollups', 'responses', 'responses'].sort());
    const rollups = reads.filter((s) => s.collection === 'response_rollups').map((s) => s.command.filter);
    expect(rollups).toEqual([
      { _id: { $gte: new Date('2025-02-01T11:00:00Z'), $lt: new Date('2025-03-10T05:00:00Z') } },
      { _id: { $gte: new Date('2025-02-01T11:00:00Z'), $lt: new Date('2025-03-10T05:00:00Z') } },
    ]);
    const edges = reads
      .filter((s) => s.collection === 'responses')
      .map((s) => s.command.filter)
      .sort((a, b) => a.respondedAt.$gte - b.respondedAt.$gte);
    // The ragged start, and the hours since the watermark (05:00), for every request.
    const start = { respondedAt: { $gte: new Date('2025-02-01T10:30:00Z'), $lt: new Date('2025-02-01T11:00:00Z') } };
    const since = { respondedAt: { $gte: new Date('2025-03-10T05:00:00Z'), $lt: new Date('2025-03-10T06:40:00Z') } };
    expect(edges).toEqual([start, start, since, since]);

    const db = connection.db;
    if (!db) throw new Error('no database');
    const wanted: Record<string, string[]> = {
      checkpoints: ['_id_'],
      response_rollups: ['_id_'],
      responses: ['respondedAt_1_channel_1'],
      conversations: [
        'firstResponseAt_1_firstInboundAt_1',
        'channel_1_firstResponseAt_1_firstInboundAt_1',
        'awaitingReplySince_1__id_1',
        'channel_1_awaitingReplySince_1',
      ],
    };
    for (const { collection, command } of reads) {
      const explained: Record<string, unknown> = command.find
        ? { find: collection, filter: command.filter }
        : { aggregate: collection, pipeline: command.pipeline, cursor: {} };
      for (const option of ['projection', 'sort', 'limit'])
        if (command.find && command[option] !== undefined) explained[option] = command[option];
      const explain = await db.command({ explain: explained, verbosity: 'queryPlanner' });
      const index = indexUsed(explain) ?? (explain.queryPlanner?.Plan ?? []).join(' ');
      // The plan rides along so that a failure shows what the server did instead.
      expect({
        collection,
        filter: command.filter ?? command.pipeline,
        index: wanted[collection]?.includes(index) ? 'by index' : index,
      }).toEqual({
        collection,
        filter: command.filter ?? command.pipeline,
        index: 'by index',
      });
    }
  });

  it('rolls the same hours again when run twice or in two processes at once, and counts a late response', async () => {
    await inbox.rollups.run(clock.now());
    expect(await inbox.rollups.watermark()).toEqual(new Date('2025-03-10T06:00:00Z'));
    const before = await stored();
    await Promise.all([inbox.rollups.run(clock.now()), inbox.rollups.run(clock.now())]);
    expect(await stored()).toEqual(before);

    // Fifty replies of the last closed hour stored late, while two rollups run: the next run counts every one.
    const late = Array.from(
      { length: 50 },
      (_, i): Fact => ({
        channel: 'telegram',
        agentId: i % 2 ? iryna : bohdan,
        kind: 'reply',
        respondedAt: Date.parse('2025-03-10T05:40:00Z') + i,
        durationMs: 60_000 + i * 1000,
        withinTarget: null,
      }),
    );
    await Promise.all([
      inbox.rollups.run(clock.now()),
      ...late.map((f) => inbox.models.Response.create(responseOf(f))),
      inbox.rollups.run(clock.now()),
    ]);
    await inbox.rollups.run(clock.now());
    const hour = await inbox.models.ResponseRollup.findById(new Date('2025-03-10T05:00:00Z')).lean();
    expect(hour?.n).toBe([...live, ...late].filter((f) => f.respondedAt < Date.parse('2025-03-10T06:00:00Z')).length);
    expect(await figures('2025-03-09T00:00:00Z', '2025-03-10T06:40:00Z')).toEqual(
      expected([...all, ...late], '2025-03-09T00:00:00Z', '2025-03-10T06:40:00Z'),
    );
  });

  it('reads an hour rolled up before the durations were stored as binary (plain arrays) as before', async () => {
    const hour = Date.parse('2024-12-01T03:00:00Z');
    const legacy = [60_000, 125_000, 7_200_000];
    const binary = [30_000, 45_000];
    const db = connection.db;
    if (!db) throw new Error('no database');
    await db.collection<{ _id: Date; n: number; entries: unknown[] }>('response_rollups').insertOne({
      _id: new Date(hour),
      n: legacy.length,
      entries: [{ channel: 'viber', agentId: iryna, kind: 'first', ms: legacy, met: 2 }],
    });
    await inbox.models.ResponseRollup.create({
      _id: new Date(hour + HOUR),
      n: binary.length,
      entries: [{ channel: 'viber', agentId: bohdan, kind: 'first', ms: storedMs(Float64Array.from(binary)), met: 2 }],
    });
    // (The telegram row is the customer waiting now, inserted above.)
    expect((await figures('2024-12-01T03:00:00Z', '2024-12-01T05:00:00Z')).find((row) => row.key === 'viber')).toEqual({
      key: 'viber',
      firstResponse: summarize([...legacy, ...binary]),
      reply: summarize([...legacy, ...binary]),
      slaMet: 4,
      slaBreached: 1,
    });
  });

  it('keeps percentiles exact up to the limit and within 2% beyond it; counts, averages and maxima always exact', async () => {
    // A busy hour: 300 viber responses of one agent, recorded, then rolled up.
    const day = Date.parse('2025-04-01T00:00:00Z');
    const busy = Array.from(
      { length: 300 },
      (_, i): Fact => ({
        channel: 'viber',
        agentId: iryna,
        kind: i % 10 === 0 ? 'first' : 'reply',
        respondedAt: day + 5 * HOUR + i * 1000,
        durationMs: 1_000 + ((i * 7919) % 3_600_000),
        withinTarget: i % 10 === 0 ? i % 20 === 0 : null,
      }),
    );
    await inbox.models.Response.insertMany(busy.map(responseOf));
    const range = { from: new Date(day), to: new Date(day + 6 * HOUR), groupBy: 'channel' as const };
    clock.set('2025-04-01T07:00:00Z');
    // Not rolled up yet: read from `responses`; then from the rollup, the same figures.
    const raw = await inbox.responseTimes.figures(range);
    await inbox.rollups.run(clock.now());
    expect(await inbox.responseTimes.figures(range)).toEqual(raw);
    const viber = raw.find((row) => row.key === 'viber');
    expect(viber?.reply).toEqual(summarize(busy.map((f) => f.durationMs)));
    expect(viber?.firstResponse).toEqual(summarize(busy.filter((f) => f.kind === 'first').map((f) => f.durationMs)));
    expect(viber).toMatchObject({ slaMet: 15, slaBreached: 15 });

    // An hour of 22,550 telegram responses (2,050 of them first), as the rollup stores it: more replies than the
    // limit, so their percentiles come from the histogram; the first responses stay exact.
    const durations = (n: number, step: number) => Array.from({ length: n }, (_, i) => 1_000 + ((i * step) % 3_600_000));
    const first = durations(2_050, 7919);
    const replies = durations(20_500, 104_729);
    const hour = new Date('2025-01-01T00:00:00Z');
    await inbox.models.ResponseRollup.create({
      _id: hour,
      n: first.length + replies.length,
      entries: [
        { channel: 'telegram', agentId: bohdan, kind: 'first', ms: storedMs(Float64Array.from(first).sort()), met: 1025 },
        { channel: 'telegram', agentId: bohdan, kind: 'reply', ms: storedMs(Float64Array.from(replies).sort()), met: 0 },
      ],
    });
    const [telegram] = await inbox.responseTimes.figures({ from: hour, to: new Date(hour.getTime() + HOUR), groupBy: 'channel' });
    expect(telegram?.firstResponse).toEqual(summarize(first));
    expect(first.length + replies.length).toBeGreaterThan(EXACT_RANGE_LIMIT);
    const exact = summarize([...first, ...replies]);
    const approx = telegram?.reply;
    expect({ count: approx?.count, avgMs: approx?.avgMs, maxMs: approx?.maxMs }).toEqual({
      count: exact.count,
      avgMs: exact.avgMs,
      maxMs: exact.maxMs,
    });
    // The upper edge of the 2% bucket holding each nearest-rank value (the histogram's answer, as before).
    expect(approx).not.toEqual(exact);
    for (const p of ['p50Ms', 'p90Ms', 'p95Ms'] as const) {
      expect(approx?.[p]).toBeGreaterThanOrEqual(exact[p] ?? 0);
      expect(approx?.[p]).toBeLessThanOrEqual(Math.ceil((exact[p] ?? 0) * GROWTH) + 1);
    }
    expect(telegram).toMatchObject({ slaMet: 1025, slaBreached: 1025 });
  });
});
