import type { Channel } from '../../shared/channels';
import { type AgeBucket, ageBuckets, type FunnelRow } from '../../shared/pipeline-api';
import { joinRuns, percentilesOf } from '../selection';
import type { FunnelCell, PathStep, PipelineStageRecord, StageMoveRecord, StageRequirement } from '../store/records';

/** The pure rules of the pipeline: what a stage asks of a lead, and how the funnel's figures are counted. */

const DAY = 86_400_000;

/** What a lead lacks to enter the stage: its amount (given with the move or kept), the customer's phone. */
export function missingRequirements(
  requires: readonly StageRequirement[],
  has: { amount: number | null; phone: string | null },
): StageRequirement[] {
  return requires.filter((r) => (r === 'amount' ? has.amount == null : !has.phone));
}

/** How long a lead has been in its stage, as the ageing buckets count it: [0, 1 d), [1, 3 d), [3, 7 d), [7, 30 d), 30 d and more. */
export function ageBucket(ms: number): AgeBucket {
  if (ms < DAY) return '<1d';
  if (ms < 3 * DAY) return '1-3d';
  if (ms < 7 * DAY) return '3-7d';
  if (ms < 30 * DAY) return '7-30d';
  return '>30d';
}

/** What became of a lead after it entered the stage at `path[index]`. */
export interface EntryOutcome {
  /** Later it reached a stage ordered after this one that is not a lost stage (skipping stages counts). */
  toNext: boolean;
  /** Later it reached a won stage. */
  toWon: boolean;
  /** How long it stayed, when it has left. */
  msInStage: number | null;
}

export function outcomeOfEntry(path: readonly PathStep[], index: number, orderOf: ReadonlyMap<string, number>): EntryOutcome {
  const entry = path[index];
  if (!entry) return { toNext: false, toWon: false, msInStage: null };
  const order = orderOf.get(entry.stageId) ?? 0;
  const later = path.slice(index + 1);
  const next = later[0];
  return {
    toNext: later.some((s) => s.kind !== 'lost' && (orderOf.get(s.stageId) ?? 0) > order),
    toWon: later.some((s) => s.kind === 'won'),
    msInStage: next ? next.at.getTime() - entry.at.getTime() : null,
  };
}

export type FunnelKey = (m: Pick<StageMoveRecord, 'channel' | 'source' | 'assigneeId'>) => string;
export const funnelKeys: Record<'channel' | 'source' | 'agent', FunnelKey> = {
  channel: (m) => m.channel,
  source: (m) => m.source ?? 'none',
  agent: (m) => m.assigneeId ?? 'unassigned',
};

/** A lead as the funnel reads it: its path, and whether anyone answered it. */
export interface FunnelLead {
  path: readonly PathStep[];
  contactedAt: Date | null;
}
/** A lead in play now, as the ageing reads it. */
export interface LeadInPlay {
  channel: StageMoveRecord['channel'];
  source: string | null;
  assigneeId: string | null;
  stageId: string;
  stageSince: Date;
}

const emptyAgeing = (): Record<AgeBucket, number> => Object.fromEntries(ageBuckets.map((b) => [b, 0])) as Record<AgeBucket, number>;
const rate = (n: number, of: number): number | null => (of ? n / of : null);
const cellId = (channel: string, key: string, stageId: string) => `${channel}\u0000${key}\u0000${stageId}`;
const emptyCell = (channel: Channel, key: string, stageId: string): FunnelCell => ({
  channel,
  key,
  stageId,
  entered: 0,
  toNext: 0,
  toWon: 0,
  leads: 0,
  neverContacted: 0,
  ms: [],
});

/** What the funnel's counts were counted under: a reorder of the stages changes which stage is "next". */
export const stagesKeyOf = (stages: readonly PipelineStageRecord[]): string => stages.map((s) => `${s.id}:${s.order}:${s.kind}`).join(',');

/**
 * The cells of these moves (README, The sales pipeline: every figure defined): each move an entry into its stage,
 * counted under its channel and its value of the grouping, and followed along its lead's path to now.
 */
export function tallyMoves(input: {
  stages: readonly PipelineStageRecord[];
  moves: readonly StageMoveRecord[];
  leads: ReadonlyMap<string, FunnelLead>;
  keyOf: FunnelKey;
}): FunnelCell[] {
  const orderOf = new Map(input.stages.map((s) => [s.id, s.order]));
  const cells = new Map<string, FunnelCell>();
  const durations = new Map<FunnelCell, number[]>();
  for (const move of input.moves) {
    const lead = input.leads.get(move.leadId);
    if (!lead) continue;
    const key = input.keyOf(move);
    const id = cellId(move.channel, key, move.to);
    const cell = cells.get(id) ?? emptyCell(move.channel, key, move.to);
    cells.set(id, cell);
    const outcome = outcomeOfEntry(lead.path, move.seq - 1, orderOf);
    cell.entered += 1;
    if (outcome.toNext) cell.toNext += 1;
    if (outcome.toWon) cell.toWon += 1;
    if (outcome.msInStage !== null) {
      const ms = durations.get(cell) ?? [];
      durations.set(cell, ms);
      ms.push(outcome.msInStage);
    }
    if (move.from === null) {
      cell.leads += 1;
      if (!lead.contactedAt) cell.neverContacted += 1;
    }
  }
  for (const [cell, ms] of durations) cell.ms = [Float64Array.from(ms).sort()];
  return [...cells.values()];
}

/** Adds `c` to the cell of its channel, value and stage in `cells` (a copy of it when there is none yet). */
export function addCell(cells: Map<string, FunnelCell>, c: FunnelCell): void {
  const id = cellId(c.channel, c.key, c.stageId);
  const cell = cells.get(id);
  if (!cell) {
    cells.set(id, { ...c, ms: [...c.ms] });
    return;
  }
  cell.entered += c.entered;
  cell.toNext += c.toNext;
  cell.toWon += c.toWon;
  cell.leads += c.leads;
  cell.neverContacted += c.neverContacted;
  for (const run of c.ms) cell.ms.push(run);
}

/** Cells of the same channel, value and stage added up: hours and days into a range. */
export function mergeCells(lists: readonly (readonly FunnelCell[])[]): FunnelCell[] {
  const cells = new Map<string, FunnelCell>();
  for (const list of lists) for (const c of list) addCell(cells, c);
  return [...cells.values()];
}

interface StageTally {
  entered: number;
  toNext: number;
  toWon: number;
  ms: Float64Array[];
  ageing: Record<AgeBucket, number>;
}

/** The funnel's rows from the cells of a range (of one channel, or all) and the ageing of the leads in play now. */
export function funnelRowsFromCells(input: {
  stages: readonly PipelineStageRecord[];
  cells: readonly FunnelCell[];
  inPlay: readonly LeadInPlay[];
  keyOf: FunnelKey;
  now: Date;
}): FunnelRow[] {
  const rows = new Map<string, { leads: number; neverContacted: number; stages: Map<string, StageTally> }>();
  const rowOf = (key: string) => {
    const row = rows.get(key) ?? { leads: 0, neverContacted: 0, stages: new Map<string, StageTally>() };
    rows.set(key, row);
    return row;
  };
  const tallyOf = (row: ReturnType<typeof rowOf>, stageId: string) => {
    const tally = row.stages.get(stageId) ?? { entered: 0, toNext: 0, toWon: 0, ms: [], ageing: emptyAgeing() };
    row.stages.set(stageId, tally);
    return tally;
  };
  for (const cell of input.cells) {
    const row = rowOf(cell.key);
    const tally = tallyOf(row, cell.stageId);
    tally.entered += cell.entered;
    tally.toNext += cell.toNext;
    tally.toWon += cell.toWon;
    for (const run of cell.ms) tally.ms.push(run);
    row.leads += cell.leads;
    row.neverContacted += cell.neverContacted;
  }
  for (const lead of input.inPlay) {
    const tally = tallyOf(rowOf(input.keyOf(lead)), lead.stageId);
    tally.ageing[ageBucket(input.now.getTime() - lead.stageSince.getTime())] += 1;
  }
  const shown = input.stages.filter((s) => s.active || [...rows.values()].some((r) => r.stages.has(s.id)));
  return [...rows.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, row]) => ({
      key,
      leads: row.leads,
      neverContacted: row.neverContacted,
      neverContactedShare: rate(row.neverContacted, row.leads),
      stages: shown.map((stage) => {
        const t = row.stages.get(stage.id) ?? { entered: 0, toNext: 0, toWon: 0, ms: [], ageing: emptyAgeing() };
        const ends = stage.kind !== 'open';
        const ms = joinRuns(t.ms);
        const [p50Ms = null, p90Ms = null] = percentilesOf(ms, [50, 90]);
        return {
          stageId: stage.id,
          label: stage.label,
          kind: stage.kind,
          entered: t.entered,
          toNext: ends ? 0 : t.toNext,
          toNextRate: ends ? null : rate(t.toNext, t.entered),
          toWon: ends ? 0 : t.toWon,
          toWonRate: ends ? null : rate(t.toWon, t.entered),
          left: ms.length,
          p50Ms,
          p90Ms,
          ageing: t.ageing,
        };
      }),
    }));
}

/** The funnel of a range straight from its moves: the cells of the moves, then the rows. */
export function funnelRows(input: {
  stages: readonly PipelineStageRecord[];
  moves: readonly StageMoveRecord[];
  leads: ReadonlyMap<string, FunnelLead>;
  inPlay: readonly LeadInPlay[];
  keyOf: FunnelKey;
  now: Date;
}): FunnelRow[] {
  return funnelRowsFromCells({ ...input, cells: tallyMoves(input) });
}
