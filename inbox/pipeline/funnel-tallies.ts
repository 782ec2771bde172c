import type { Channel } from '../../shared/channels';
import type { InboxStore } from '../store/port';
import type { FunnelCell, FunnelDimension, FunnelTallyRecord, LeadRecord, PipelineStageRecord } from '../store/records';
import { type FunnelLead, funnelKeys, mergeCells, stagesKeyOf, tallyMoves } from './rules';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const dimensions: readonly FunnelDimension[] = ['channel', 'source', 'agent'];
const LEADS_PER_READ = 1_000;
/** Set once every move stored before the tallies existed has marked its hour: until then ranges are counted from the moves. */
export const TALLIES_BACKFILLED = 'funnel-tallies-backfilled';

const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;
const ceilTo = (ms: number, unit: number) => Math.ceil(ms / unit) * unit;

/**
 * The funnel's cells of a range, read from counts kept per UTC hour and day (README, The sales pipeline: how the
 * funnel stays fast and exact). A range reads its whole days' tallies, the whole hours' at its edges, and the moves
 * of the part-hours at its ends; an hour or day marked changed since it was counted (or counted under another order
 * of the stages) is counted from its moves instead. The automations' pass counts the marked ones again.
 */
export class FunnelTallies {
  constructor(private readonly store: InboxStore) {}

  async cells(from: Date, to: Date, dimension: FunnelDimension, channel?: Channel): Promise<readonly FunnelCell[]> {
    const stages = await this.store.pipeline.stages();
    const key = stagesKeyOf(stages);
    const only = (cells: readonly FunnelCell[]) => (channel ? cells.filter((c) => c.channel === channel) : cells);
    const fromMoves = async (a: number, b: number) =>
      only(await this.fromMoves(stages, a, b, channel, [dimension]).then((t) => t[dimension]));
    if (!(await this.store.checkpoints.get(TALLIES_BACKFILLED))) return fromMoves(from.getTime(), to.getTime());

    const h0 = ceilTo(from.getTime(), HOUR);
    const h1 = floorTo(to.getTime(), HOUR);
    if (h0 >= h1) return fromMoves(from.getTime(), to.getTime());
    const parts: Promise<readonly FunnelCell[]>[] = [];
    if (from.getTime() < h0) parts.push(fromMoves(from.getTime(), h0));
    if (h1 < to.getTime()) parts.push(fromMoves(h1, to.getTime()));
    const stale: Date[] = [];

    const d0 = ceilTo(h0, DAY);
    const d1 = floorTo(h1, DAY);
    const hourSpans: [number, number][] = [];
    if (d0 < d1) {
      if (h0 < d0) hourSpans.push([h0, d0]);
      if (d1 < h1) hourSpans.push([d1, h1]);
      const [marked, tallies] = await Promise.all([
        this.store.funnelTallies.changedBetween('day', new Date(d0), new Date(d1)),
        this.store.funnelTallies.tallies('day', dimension, new Date(d0), new Date(d1)),
      ]);
      const markedDays = new Set(marked.map((d) => d.getTime()));
      const byDay = new Map(tallies.map((t) => [t.start.getTime(), t]));
      for (let day = d0; day < d1; day += DAY) {
        const tally = byDay.get(day);
        if (tally && tally.stagesKey !== key) stale.push(tally.start);
        if (markedDays.has(day) || (tally && tally.stagesKey !== key)) hourSpans.push([day, day + DAY]);
        else if (tally) parts.push(Promise.resolve(only(tally.cells)));
      }
    } else hourSpans.push([h0, h1]);

    for (const [a, b] of hourSpans) parts.push(this.hours(a, b, dimension, key, stale, fromMoves));
    const cells = mergeCells(await Promise.all(parts));
    // A tally counted under another order of the stages is counted again by the next pass.
    if (stale.length) await this.store.funnelTallies.markChanged(stale);
    return cells;
  }

  /** The cells of the whole hours [a, b): their tallies, or their moves where marked or stale. */
  private async hours(
    a: number,
    b: number,
    dimension: FunnelDimension,
    key: string,
    stale: Date[],
    fromMoves: (a: number, b: number) => Promise<readonly FunnelCell[]>,
  ): Promise<FunnelCell[]> {
    const [marked, tallies] = await Promise.all([
      this.store.funnelTallies.changedBetween('hour', new Date(a), new Date(b)),
      this.store.funnelTallies.tallies('hour', dimension, new Date(a), new Date(b)),
    ]);
    const markedHours = new Set(marked.map((d) => d.getTime()));
    const byHour = new Map(tallies.map((t) => [t.start.getTime(), t]));
    const parts: Promise<readonly FunnelCell[]>[] = [];
    let run: number | null = null;
    for (let hour = a; hour <= b; hour += HOUR) {
      const tally = byHour.get(hour);
      const counted = hour < b && !markedHours.has(hour) && (!tally || tally.stagesKey === key);
      if (tally && tally.stagesKey !== key) stale.push(tally.start);
      if (hour < b && !counted) {
        run ??= hour;
        continue;
      }
      // Marked hours in a row are read from their moves in one go.
      if (run !== null) parts.push(fromMoves(run, hour));
      run = null;
      if (hour < b && tally) parts.push(Promise.resolve(tally.cells));
    }
    return mergeCells(await Promise.all(parts));
  }

  /** The cells of the moves made in [a, b), for each grouping asked for. */
  private async fromMoves(
    stages: readonly PipelineStageRecord[],
    a: number,
    b: number,
    channel: Channel | undefined,
    groupings: readonly FunnelDimension[],
  ): Promise<Record<FunnelDimension, FunnelCell[]>> {
    const moves = await this.store.pipeline.movesBetween(new Date(a), new Date(b), channel ? { channel } : {});
    const ids = [...new Set(moves.map((m) => m.leadId))];
    const leads = new Map<string, FunnelLead>();
    for (let i = 0; i < ids.length; i += LEADS_PER_READ) {
      for (const lead of await this.store.pipeline.getLeads(ids.slice(i, i + LEADS_PER_READ))) leads.set(lead.id, lead as LeadRecord);
    }
    const out = { channel: [], source: [], agent: [] } as Record<FunnelDimension, FunnelCell[]>;
    for (const d of groupings) out[d] = tallyMoves({ stages, moves, leads, keyOf: funnelKeys[d] });
    return out;
  }

  /**
   * Counts the marked hours again, then the marked days whose hours are all counted; at most `limit` of each.
   * Returns how many were counted. Before the first, marks the hours of the moves stored before tallies existed.
   */
  async countMarked(limit: number): Promise<number> {
    await this.backfill();
    const stages = await this.store.pipeline.stages();
    const key = stagesKeyOf(stages);
    let counted = 0;
    for (const { start, version } of await this.store.funnelTallies.changed('hour', limit)) {
      const at = start.getTime();
      const cells = await this.fromMoves(stages, at, at + HOUR, undefined, dimensions);
      await this.store.funnelTallies.saveTallies(
        'hour',
        start,
        version,
        dimensions.map((dimension) => ({ unit: 'hour', start, dimension, stagesKey: key, cells: cells[dimension] })),
      );
      counted += 1;
    }
    for (const { start, version } of await this.store.funnelTallies.changed('day', limit)) {
      const at = start.getTime();
      const end = new Date(at + DAY);
      if ((await this.store.funnelTallies.changedBetween('hour', start, end)).length) continue;
      const tallies: FunnelTallyRecord[] = [];
      const stale: Date[] = [];
      for (const dimension of dimensions) {
        const hours = await this.store.funnelTallies.tallies('hour', dimension, start, end);
        for (const h of hours) if (h.stagesKey !== key) stale.push(h.start);
        tallies.push({ unit: 'day', start, dimension, stagesKey: key, cells: mergeCells(hours.map((h) => h.cells)) });
      }
      // Hours counted under an earlier order of the stages: those first, the day on a later pass.
      if (stale.length) await this.store.funnelTallies.markChanged(stale);
      else await this.store.funnelTallies.saveTallies('day', start, version, tallies);
      counted += 1;
    }
    return counted;
  }

  private async backfill(): Promise<void> {
    if (await this.store.checkpoints.get(TALLIES_BACKFILLED)) return;
    let after = new Date(0);
    for (;;) {
      const times = await this.store.pipeline.moveTimes(after, 5_000);
      if (!times.length) break;
      await this.store.funnelTallies.markChanged(times);
      after = times[times.length - 1] as Date;
    }
    await this.store.checkpoints.create(TALLIES_BACKFILLED, new Date());
  }
}
