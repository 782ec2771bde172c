import type { Types } from 'mongoose';
import type { Channel } from '../shared/channels';
import { groupBy } from '../shared/group-by';
import type { Checkpoints } from './checkpoints';
import { isDuplicateKey, type Models, type ResponseDoc } from './store/models';

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;
export const floorTo = (t: number, unit: number): number => Math.floor(t / unit) * unit;
export const ceilTo = (t: number, unit: number): number => Math.ceil(t / unit) * unit;

/**
 * The rollup's checkpoint: every UTC hour before it is rolled up. (Not `figures-rollup`, the checkpoint of the
 * time-partitioned ledger this replaced: a store that had it is rolled up again from its oldest response.)
 */
export const ROLLUP_CHECKPOINT = 'response-rollups';
/** How long after an hour ends before it is rolled up: replies stamped just before the hour ended are stored by then. */
const SETTLE_MS = 2 * 60_000;
/** The last closed hours are rolled up again on every run, so a response stored late still counts. */
const REROLL_HOURS = 2;

/** One channel's, one agent's and one kind's responses of a stretch of time (an hour, or a ragged edge of a range). */
export interface RollupEntry {
  channel: Channel;
  agentId: Types.ObjectId;
  /** As in `responses`: `first` ends a conversation's first wait, `reply` any later one. */
  kind: 'first' | 'reply';
  /** The durations in milliseconds, ascending (stored as one binary value: see `storedMs`). */
  ms: Float64Array;
  /** First responses made by the conversation's target (the others in `ms` missed it); 0 for replies. */
  met: number;
}

/** Whether this platform's Float64Array is little-endian, the stored byte order (every platform Node runs on but s390x). */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/**
 * An entry's durations as stored: the little-endian bytes of a Float64Array, one BSON binary value (subtype 0;
 * BSON's vector subtype 9 has no float64, and float32 is not exact past 2^24 ms, about 4.7 h). The store decodes
 * one value per entry however many durations it holds, where an array costs it one value per duration.
 */
export function storedMs(ms: Float64Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(ms.buffer, ms.byteOffset, ms.byteLength);
  const bytes = Buffer.allocUnsafe(ms.byteLength);
  for (let i = 0; i < ms.length; i++) bytes.writeDoubleLE(ms[i] ?? 0, i * 8);
  return bytes;
}

/** A stored `ms` as read: a BSON binary (the driver's Binary, or a Buffer), or a plain array (see `readMs`). */
export type StoredMs = Uint8Array | { buffer: Uint8Array; position: number } | number[];

/**
 * The durations of a stored entry: a view of the bytes as read (no copy) when they sit on an 8-byte boundary of
 * the driver's buffer, a copy otherwise. Documents rolled up before the binary form (a plain array, ascending) are
 * read as they are; the rollup replaces them only as it rolls their hours again.
 */
export function readMs(stored: StoredMs): Float64Array {
  if (Array.isArray(stored)) return Float64Array.from(stored);
  const bytes = stored instanceof Uint8Array ? stored : stored.buffer.subarray(0, stored.position);
  const n = Math.floor(bytes.byteLength / 8);
  if (!LITTLE_ENDIAN) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Float64Array.from({ length: n }, (_, i) => view.getFloat64(i * 8, true));
  }
  if (bytes.byteOffset % 8 === 0) return new Float64Array(bytes.buffer, bytes.byteOffset, n);
  return new Float64Array(new Uint8Array(bytes.subarray(0, n * 8)).buffer);
}

/** The response fields the figures are made of. */
type Fact = Pick<ResponseDoc, 'channel' | 'agentId' | 'kind' | 'durationMs' | 'withinTarget'>;
const factFields = { _id: 0, channel: 1, agentId: 1, kind: 1, durationMs: 1, withinTarget: 1 } as const;

/** The responses grouped by channel, agent and kind, in that order (so that one hour always makes the same document). */
export function entriesOf(facts: Iterable<Fact>, targets: Readonly<Record<Channel, number>>): RollupEntry[] {
  const byKey = new Map<string, Omit<RollupEntry, 'ms'> & { ms: number[] }>();
  for (const f of facts) {
    const kind = f.kind === 'first' ? 'first' : 'reply';
    const key = `${f.channel}|${f.agentId.toString()}|${kind}`;
    let entry = byKey.get(key);
    if (!entry) {
      entry = { channel: f.channel as Channel, agentId: f.agentId, kind, ms: [], met: 0 };
      byKey.set(key, entry);
    }
    entry.ms.push(f.durationMs);
    // Responses recorded before targets were stored on them are judged by the channel's target.
    if (kind === 'first' && (f.withinTarget ?? f.durationMs <= targets[f.channel as Channel])) entry.met++;
  }
  return (
    [...byKey.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      // A typed array sorts by value, ascending.
      .map(([, entry]) => ({ ...entry, ms: Float64Array.from(entry.ms).sort() }))
  );
}

/**
 * The response-time figures rolled up by UTC hour from the record of truth, the `responses` collection, into one
 * collection (`response_rollups`, one document per hour that has responses, `_id` = the hour's start). A range of
 * figures reads the documents of its whole rolled-up hours with one range query on `_id`, and the raw responses of
 * its ragged edges and of the hours not rolled up yet with one range query each on `respondedAt`.
 *
 * An hour's document is computed from the hour's responses and replaced whole, so running the rollup twice, or in
 * two processes at once, writes the same document. Responses are only ever added, so of two readings of an hour the
 * one with more responses is the newer: a replace is guarded by the count (`n`), and a slower run's older reading
 * never overwrites a newer one.
 */
export class ResponseRollups {
  constructor(
    private readonly models: Models,
    private readonly checkpoints: Checkpoints,
    private readonly slaTargets: Readonly<Record<Channel, number>>,
  ) {}

  /** The end of the rolled-up stretch: every hour before it has its document (or had no responses). */
  watermark(): Promise<Date | null> {
    return this.checkpoints.get(ROLLUP_CHECKPOINT);
  }

  /**
   * Rolls up every hour closed since the last run (and the last REROLL_HOURS again), a UTC day of responses per
   * query, moving the checkpoint after each day; returns how many of those hours had responses. The first run on a
   * store starts at its oldest response.
   */
  async run(now: Date): Promise<number> {
    const closedEnd = floorTo(now.getTime() - SETTLE_MS, HOUR);
    const mark =
      (await this.checkpoints.get(ROLLUP_CHECKPOINT)) ??
      (await this.checkpoints.getOrCreate(ROLLUP_CHECKPOINT, new Date(Math.min((await this.oldestHour()) ?? closedEnd, closedEnd))));
    let withResponses = 0;
    for (let from = Math.min(mark.getTime(), closedEnd - REROLL_HOURS * HOUR); from < closedEnd; ) {
      const to = Math.min(closedEnd, floorTo(from, DAY) + DAY);
      withResponses += await this.rollUp(from, to);
      // Never moved back: a run behind another one leaves the checkpoint where the other put it.
      if (to > mark.getTime()) await this.checkpoints.advance(ROLLUP_CHECKPOINT, new Date(to));
      from = to;
    }
    return withResponses;
  }

  /** Writes the documents of the hours in [from, to) from their responses; returns how many hours had any. */
  private async rollUp(from: number, to: number): Promise<number> {
    const facts = await this.models.Response.find(
      { respondedAt: { $gte: new Date(from), $lt: new Date(to) } },
      { ...factFields, respondedAt: 1 },
    ).lean<(Fact & { respondedAt: Date })[]>();
    const byHour = groupBy(facts, (f) => floorTo(f.respondedAt.getTime(), HOUR));
    for (const [hour, list] of byHour) {
      const entries = entriesOf(list, this.slaTargets);
      try {
        await this.models.ResponseRollup.replaceOne(
          { _id: new Date(hour), n: { $lte: list.length } },
          { n: list.length, entries: entries.map((e) => ({ ...e, ms: storedMs(e.ms) })) },
          { upsert: true },
        );
      } catch (e) {
        // The hour is stored with more responses than this reading saw: a newer reading, left as it is.
        if (!isDuplicateKey(e)) throw e;
      }
    }
    return byHour.size;
  }

  private async oldestHour(): Promise<number | null> {
    const oldest = await this.models.Response.findOne({}, { _id: 0, respondedAt: 1 })
      .sort({ respondedAt: 1 })
      .lean<{ respondedAt: Date }>();
    return oldest ? floorTo(oldest.respondedAt.getTime(), HOUR) : null;
  }

  /**
   * The responses made in [from, to), of one channel if given: the whole hours up to the watermark from their
   * documents, the ragged edges and whatever is newer than the watermark from `responses`.
   */
  async entries(from: number, to: number, channel?: Channel): Promise<RollupEntry[]> {
    const rolledUpTo = (await this.watermark())?.getTime() ?? 0;
    const wholeFrom = ceilTo(from, HOUR);
    const wholeTo = Math.max(wholeFrom, floorTo(Math.min(to, rolledUpTo), HOUR));
    const reads =
      wholeFrom < wholeTo
        ? [this.rolledUp(wholeFrom, wholeTo, channel), this.raw(from, wholeFrom, channel), this.raw(wholeTo, to, channel)]
        : [this.raw(from, to, channel)];
    return (await Promise.all(reads)).flat();
  }

  /** The documents of the hours in [from, to) (both whole hours): one range query on `_id`. */
  private async rolledUp(from: number, to: number, channel: Channel | undefined): Promise<RollupEntry[]> {
    const hours = await this.models.ResponseRollup.find({ _id: { $gte: new Date(from), $lt: new Date(to) } }, { _id: 0, entries: 1 }).lean<
      { entries: (Omit<RollupEntry, 'ms'> & { ms: StoredMs })[] }[]
    >();
    const entries = hours.flatMap((h) => h.entries);
    return (channel ? entries.filter((e) => e.channel === channel) : entries).map((e) => ({ ...e, ms: readMs(e.ms) }));
  }

  /**
   * The responses recorded in [from, to), grouped: one range query on `respondedAt`, every channel's (an edge is
   * at most an hour or two, like the hours read whole above; one channel's are kept here).
   */
  private async raw(from: number, to: number, channel: Channel | undefined): Promise<RollupEntry[]> {
    if (from >= to) return [];
    const facts = await this.models.Response.find({ respondedAt: { $gte: new Date(from), $lt: new Date(to) } }, factFields).lean<Fact[]>();
    return entriesOf(channel ? facts.filter((f) => f.channel === channel) : facts, this.slaTargets);
  }
}
