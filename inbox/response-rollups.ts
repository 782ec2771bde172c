import type { Channel } from '../shared/channels';
import { groupBy } from '../shared/group-by';
import type { Checkpoints } from './checkpoints';
import type { InboxStore, ResponseFact } from './store/port';
import type { RollupEntry } from './store/records';

export type { RollupEntry } from './store/records';

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

/** The response fields the figures are made of. */
type Fact = Omit<ResponseFact, 'respondedAt'>;

/** The responses grouped by channel, agent and kind, in that order (so that one hour always makes the same document). */
export function entriesOf(facts: Iterable<Fact>, targets: Readonly<Record<Channel, number>>): RollupEntry[] {
  const byKey = new Map<string, Omit<RollupEntry, 'ms'> & { ms: number[] }>();
  for (const f of facts) {
    const kind = f.kind === 'first' ? 'first' : 'reply';
    const key = `${f.channel}|${f.agentId}|${kind}`;
    let entry = byKey.get(key);
    if (!entry) {
      entry = { channel: f.channel, agentId: f.agentId, kind, ms: [], met: 0 };
      byKey.set(key, entry);
    }
    entry.ms.push(f.durationMs);
    // Responses recorded before targets were stored on them are judged by the channel's target.
    if (kind === 'first' && (f.withinTarget ?? f.durationMs <= targets[f.channel])) entry.met++;
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
    private readonly store: InboxStore,
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
    const facts = await this.store.responses.factsBetween(new Date(from), new Date(to));
    const byHour = groupBy(facts, (f) => floorTo(f.respondedAt.getTime(), HOUR));
    for (const [hour, list] of byHour) {
      await this.store.rollups.replaceHour(new Date(hour), list.length, entriesOf(list, this.slaTargets));
    }
    return byHour.size;
  }

  private async oldestHour(): Promise<number | null> {
    const oldest = await this.store.responses.oldestAt();
    return oldest ? floorTo(oldest.getTime(), HOUR) : null;
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

  /** The documents of the hours in [from, to) (both whole hours): one range query on the hour. */
  private async rolledUp(from: number, to: number, channel: Channel | undefined): Promise<RollupEntry[]> {
    const entries = await this.store.rollups.hours(new Date(from), new Date(to));
    return channel ? entries.filter((e) => e.channel === channel) : entries;
  }

  /**
   * The responses recorded in [from, to), grouped: one range query on the response time, every channel's (an edge
   * is at most an hour or two, like the hours read whole above; one channel's are kept here).
   */
  private async raw(from: number, to: number, channel: Channel | undefined): Promise<RollupEntry[]> {
    if (from >= to) return [];
    const facts = await this.store.responses.factsBetween(new Date(from), new Date(to));
    return entriesOf(channel ? facts.filter((f) => f.channel === channel) : facts, this.slaTargets);
  }
}
