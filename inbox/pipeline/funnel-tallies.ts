import type { Channel } from '../../shared/channels';
import { finerUnit, unitCeil, unitEnd, unitStart } from '../store/funnel-units';
import type { InboxStore } from '../store/port';
import type { FunnelCell, FunnelDimension, FunnelTallyRecord, FunnelUnit, LeadRecord, PipelineStageRecord } from '../store/records';
import { type FunnelLead, funnelKeys, mergeCells, stagesKeyOf, tallyMoves } from './rules';

const dimensions: readonly FunnelDimension[] = ['channel', 'source', 'agent'];
const LEADS_PER_READ = 1_000;
/**
 * Set once every move stored before the tallies existed (or before they were kept per month) has marked its hour,
 * day and month: until then ranges are counted from the moves.
 */
export const TALLIES_BACKFILLED = 'funnel-tallies-backfilled-by-month';

type Cells = readonly FunnelCell[];
type FromMoves = (a: number, b: number) => Promise<Cells>;

/**
 * The funnel's cells of a range, read from counts kept per UTC hour, day and month (README, The sales pipeline: how
 * the funnel stays fast and exact). A range reads its whole months' tallies, the whole days' and hours' at its
 * edges, and the moves of the part-hours at its ends; a unit marked changed since it was counted (or counted under
 * another order of the stages) is read from its finer units instead, an hour from its moves. The automations' pass
 * counts the marked ones again: hours from their moves, days from their hours, months from their days.
 */
export class FunnelTallies {
  constructor(private readonly store: InboxStore) {}

  async cells(from: Date, to: Date, dimension: FunnelDimension, channel?: Channel): Promise<Cells> {
    const stages = await this.store.pipeline.stages();
    const key = stagesKeyOf(stages);
    const only = (cells: Cells) => (channel ? cells.filter((c) => c.channel === channel) : cells);
    const fromMoves: FromMoves = async (a, b) => only(await this.fromMoves(stages, a, b, channel, [dimension]).then((t) => t[dimension]));
    const a = from.getTime();
    const b = to.getTime();
    if (!(await this.store.checkpoints.get(TALLIES_BACKFILLED))) return fromMoves(a, b);

    const h0 = unitCeil('hour', a);
    const h1 = unitStart('hour', b);
    if (h0 >= h1) return fromMoves(a, b);
    const stale: Date[] = [];
    const read = { dimension, key, stale, fromMoves, only };
    const parts: Promise<Cells>[] = [this.whole('month', h0, h1, read)];
    if (a < h0) parts.push(fromMoves(a, h0));
    if (h1 < b) parts.push(fromMoves(h1, b));
    const cells = mergeCells(await Promise.all(parts));
    // A tally counted under another order of the stages is counted again by the next pass.
    if (stale.length) await this.store.funnelTallies.markChanged(stale);
    return cells;
  }

  /**
   * The cells of [a, b), whole hours: its whole units' tallies, the rest (and any unit marked or stale) from the
   * finer units, an hour's from its moves.
   */
  private async whole(
    unit: FunnelUnit,
    a: number,
    b: number,
    read: { dimension: FunnelDimension; key: string; stale: Date[]; fromMoves: FromMoves; only: (c: Cells) => Cells },
  ): Promise<Cells> {
    const finer = unit === 'hour' ? null : finerUnit(unit);
    const u0 = unitCeil(unit, a);
    const u1 = unitStart(unit, b);
    if (u0 >= u1) return finer ? this.whole(finer, a, b, read) : read.fromMoves(a, b);
    const parts: Promise<Cells>[] = [];
    if (a < u0 && finer) parts.push(this.whole(finer, a, u0, read));
    if (u1 < b && finer) parts.push(this.whole(finer, u1, b, read));
    const [marked, tallies] = await Promise.all([
      this.store.funnelTallies.changedBetween(unit, new Date(u0), new Date(u1)),
      this.store.funnelTallies.tallies(unit, read.dimension, new Date(u0), new Date(u1)),
    ]);
    const markedStarts = new Set(marked.map((d) => d.getTime()));
    const byStart = new Map(tallies.map((t) => [t.start.getTime(), t]));
    // Units to read from finer ones (hours: from their moves), in runs so that neighbours are read in one go.
    let run: number | null = null;
    const flush = (end: number) => {
      if (run === null) return;
      parts.push(finer ? this.whole(finer, run, end, read) : read.fromMoves(run, end));
      run = null;
    };
    for (let start = u0; start < u1; start = unitEnd(unit, start)) {
      const tally = byStart.get(start);
      if (tally && tally.stagesKey !== read.key) read.stale.push(tally.start);
      if (markedStarts.has(start) || (tally && tally.stagesKey !== read.key)) {
        run ??= start;
        continue;
      }
      flush(start);
      if (tally) parts.push(Promise.resolve(read.only(tally.cells)));
    }
    flush(u1);
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
   * Counts the marked hours again, then the marked days whose hours are all counted, then the marked months whose
   * days are; at most `limit` of each.
   * Returns how many were counted. Before the first, marks the hours of the moves stored before tallies existed.
   */
  async countMarked(limit: number): Promise<number> {
    await this.backfill();
    const stages = await this.store.pipeline.stages();
    const key = stagesKeyOf(stages);
    let counted = 0;
    for (const { start, version } of await this.store.funnelTallies.changed('hour', limit)) {
      const at = start.getTime();
      const cells = await this.fromMoves(stages, at, unitEnd('hour', at), undefined, dimensions);
      await this.store.funnelTallies.saveTallies(
        'hour',
        start,
        version,
        dimensions.map((dimension) => ({ unit: 'hour', start, dimension, stagesKey: key, cells: cells[dimension] })),
      );
      counted += 1;
    }
    for (const unit of ['day', 'month'] as const) {
      const finer = finerUnit(unit);
      for (const { start, version } of await this.store.funnelTallies.changed(unit, limit)) {
        const end = new Date(unitEnd(unit, start.getTime()));
        if ((await this.store.funnelTallies.changedBetween(finer, start, end)).length) continue;
        const tallies: FunnelTallyRecord[] = [];
        const stale: Date[] = [];
        for (const dimension of dimensions) {
          const parts = await this.store.funnelTallies.tallies(finer, dimension, start, end);
          for (const p of parts) if (p.stagesKey !== key) stale.push(p.start);
          tallies.push({ unit, start, dimension, stagesKey: key, cells: mergeCells(parts.map((p) => p.cells)) });
        }
        // Parts counted under an earlier order of the stages: those first, this one on a later pass.
        if (stale.length) await this.store.funnelTallies.markChanged(stale);
        else await this.store.funnelTallies.saveTallies(unit, start, version, tallies);
        counted += 1;
      }
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
