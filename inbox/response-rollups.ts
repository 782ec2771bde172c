import { Types } from 'mongoose';
import type { Channel } from '../shared/channels';
import type { Checkpoints } from './checkpoints';
import { type Durations, durationsOf, emptyDurations, mergeDurations } from './stats';
import type { Models, ResponseDoc, ResponseRollupDoc } from './store/models';

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;
export const floorTo = (t: number, unit: number): number => Math.floor(t / unit) * unit;
export const ceilTo = (t: number, unit: number): number => Math.ceil(t / unit) * unit;

/** The rollup's checkpoint: every UTC hour before it is rolled up (and every whole day before it). */
export const ROLLUP_CHECKPOINT = 'response-rollup';
/** How long after an hour ends before it is rolled up: replies stamped just before the hour ended are stored by then. */
const SETTLE_MS = 2 * 60_000;
/** The last closed hours are rolled again on every run, so a late write is still counted. */
const REROLL_HOURS = 2;

export interface RollupPart {
  channel: Channel;
  agentId: string;
  first: Durations;
  reply: Durations;
  slaMet: number;
  slaBreached: number;
}

/** One bucket's figures from its raw responses. */
export function partsOfResponses(rows: readonly ResponseDoc[], targets: Readonly<Record<Channel, number>>, keepValues?: number) {
  const groups = new Map<string, { channel: Channel; agentId: string; first: number[]; reply: number[]; met: number; breached: number }>();
  for (const r of rows) {
    const channel = r.channel as Channel;
    const agentId = r.agentId.toString();
    const key = `${channel}|${agentId}`;
    let g = groups.get(key);
    if (!g) {
      g = { channel, agentId, first: [], reply: [], met: 0, breached: 0 };
      groups.set(key, g);
    }
    g.reply.push(r.durationMs);
    if (r.kind === 'first') {
      g.first.push(r.durationMs);
      const met = r.withinTarget ?? r.durationMs <= targets[channel];
      if (met) g.met++;
      else g.breached++;
    }
  }
  return [...groups.values()].map(
    (g): RollupPart => ({
      channel: g.channel,
      agentId: g.agentId,
      first: durationsOf(g.first, keepValues),
      reply: durationsOf(g.reply, keepValues),
      slaMet: g.met,
      slaBreached: g.breached,
    }),
  );
}

const stored = (d: Durations) => ({ ...d, hist: d.hist.flat() });
function unflatten(flat: readonly number[]): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i] ?? 0, flat[i + 1] ?? 0]);
  return pairs;
}

export function partOfRollup(doc: ResponseRollupDoc): RollupPart {
  const durations = (d: ResponseRollupDoc['first']): Durations => ({
    count: d.count,
    sumMs: d.sumMs,
    maxMs: d.maxMs ?? null,
    hist: unflatten(d.hist ?? []),
    values: d.values ?? null,
  });
  return {
    channel: doc.channel as Channel,
    agentId: doc.agentId.toString(),
    first: durations(doc.first),
    reply: durations(doc.reply),
    slaMet: doc.slaMet ?? 0,
    slaBreached: doc.slaBreached ?? 0,
  };
}

/**
 * Pre-aggregates recorded responses per UTC hour and per UTC day, per channel and agent, into `response_rollups`.
 * Idempotent: a bucket is recomputed from its sources and replaced whole, so a retried or concurrent run writes the
 * same documents.
 */
export class ResponseRollups {
  constructor(
    private readonly models: Models,
    private readonly checkpoints: Checkpoints,
    private readonly slaTargets: Readonly<Record<Channel, number>>,
  ) {}

  /** The end of the rolled-up stretch: hours before it are in the rollups. */
  watermark(): Promise<Date | null> {
    return this.checkpoints.get(ROLLUP_CHECKPOINT);
  }

  /**
   * Rolls every closed hour not rolled yet, plus the last REROLL_HOURS closed hours again, in one pass over the
   * responses in time order (an index range scan); returns how many hours had responses.
   */
  async run(now: Date): Promise<number> {
    const closedEnd = floorTo(now.getTime() - SETTLE_MS, HOUR);
    let mark = await this.checkpoints.get(ROLLUP_CHECKPOINT);
    if (!mark) {
      // First run: start from the oldest response there is.
      const oldest = await this.models.Response.findOne({}, { respondedAt: 1 }).sort({ respondedAt: 1 }).lean<ResponseDoc>();
      const initial = oldest ? floorTo(oldest.respondedAt.getTime(), HOUR) : closedEnd;
      mark = await this.checkpoints.getOrCreate(ROLLUP_CHECKPOINT, new Date(Math.min(initial, closedEnd)));
    }
    const start = Math.min(mark.getTime(), closedEnd - REROLL_HOURS * HOUR);
    if (start >= closedEnd) return 0;

    const rolled = new Set<number>();
    let hour: number | null = null;
    let rows: ResponseDoc[] = [];
    const flush = async () => {
      if (hour === null) return;
      await this.replace('hour', hour, partsOfResponses(rows, this.slaTargets), hour >= mark.getTime());
      rolled.add(hour);
    };
    const cursor = this.models.Response.find(
      { respondedAt: { $gte: new Date(start), $lt: new Date(closedEnd) } },
      { channel: 1, agentId: 1, kind: 1, durationMs: 1, withinTarget: 1, respondedAt: 1 },
    )
      .sort({ respondedAt: 1 })
      .lean<ResponseDoc[]>()
      .cursor();
    for await (const row of cursor as AsyncIterable<ResponseDoc>) {
      const h = floorTo(row.respondedAt.getTime(), HOUR);
      if (h !== hour) {
        await flush();
        hour = h;
        rows = [];
      }
      rows.push(row);
    }
    await flush();
    // Hours rolled before that now have no responses (none should, but a rollup never outlives its data).
    const touched = new Set(rolled);
    for (let h = start; h < Math.min(mark.getTime(), closedEnd); h += HOUR) {
      if (rolled.has(h)) continue;
      await this.replace('hour', h, []);
      touched.add(h);
    }
    const days = new Set([...touched].map((h) => floorTo(h, DAY)));
    for (const day of days) if (day + DAY <= closedEnd) await this.rollDay(day);
    if (closedEnd > mark.getTime()) await this.checkpoints.move(ROLLUP_CHECKPOINT, mark, new Date(closedEnd));
    return rolled.size;
  }

  private async rollDay(start: number): Promise<number> {
    const hours = await this.models.ResponseRollup.find({
      period: 'hour',
      start: { $gte: new Date(start), $lt: new Date(start + DAY) },
    }).lean<ResponseRollupDoc[]>();
    const groups = new Map<string, RollupPart[]>();
    for (const doc of hours) {
      const part = partOfRollup(doc);
      const key = `${part.channel}|${part.agentId}`;
      groups.set(key, [...(groups.get(key) ?? []), part]);
    }
    const parts = [...groups.values()].map((list): RollupPart => {
      const [head] = list as [RollupPart];
      return {
        channel: head.channel,
        agentId: head.agentId,
        first: mergeDurations(list.map((p) => p.first)),
        reply: mergeDurations(list.map((p) => p.reply)),
        slaMet: list.reduce((s, p) => s + p.slaMet, 0),
        slaBreached: list.reduce((s, p) => s + p.slaBreached, 0),
      };
    });
    return this.replace('day', start, parts);
  }

  /**
   * Writes a bucket's documents (a bulk of upserts). `fresh`: the bucket was never written before, so there is
   * nothing stale to drop; otherwise documents no longer backed by data are deleted.
   */
  private async replace(period: 'hour' | 'day', start: number, parts: readonly RollupPart[], fresh = false): Promise<number> {
    const at = new Date(start);
    const ops = parts.map((p) => {
      const _id = `${period}:${at.toISOString()}:${p.channel}:${p.agentId}`;
      return {
        replaceOne: {
          filter: { _id },
          replacement: {
            _id,
            period,
            start: at,
            channel: p.channel,
            agentId: new Types.ObjectId(p.agentId),
            first: stored(p.first.count ? p.first : emptyDurations()),
            reply: stored(p.reply),
            slaMet: p.slaMet,
            slaBreached: p.slaBreached,
          },
          upsert: true,
        },
      };
    });
    if (ops.length) {
      // Mongoose drops operations that fail validation from an unordered bulk without throwing: check it did none.
      const result = await this.models.ResponseRollup.bulkWrite(ops, { ordered: false, throwOnValidationError: true });
      if (result.upsertedCount + result.matchedCount !== ops.length) {
        throw new Error(`rollup of ${period} ${at.toISOString()}: wrote ${result.upsertedCount + result.matchedCount} of ${ops.length}`);
      }
    }
    if (!fresh) {
      await this.models.ResponseRollup.deleteMany({ period, start: at, _id: { $nin: ops.map((o) => o.replaceOne.filter._id) } });
    }
    return parts.length;
  }
}
