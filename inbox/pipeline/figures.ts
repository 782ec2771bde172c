import { z } from 'zod';
import { channelNames } from '../../shared/channels';
import { AppError, ErrorCode } from '../../shared/errors';
import { ageBuckets, type FunnelRow, type LossRow } from '../../shared/pipeline-api';
import type { Clock } from '../ports';
import type { InboxStore } from '../store/port';
import { FunnelTallies } from './funnel-tallies';
import { funnelKeys, funnelRowsFromCells } from './rules';

const DAY = 86_400_000;
const MAX_RANGE_MS = 400 * DAY;
/** Conversations a loss row names; the row's link lists them all. */
export const LOSS_IDS_SHOWN = 100;

const isoDate = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const range = {
  from: isoDate.optional(),
  to: isoDate.optional(),
  channel: z.enum(channelNames).optional(),
};
const ordered = (q: { from?: Date; to?: Date }) => !q.from || !q.to || q.from < q.to;

export const funnelQuery = z
  .object({ ...range, groupBy: z.enum(['channel', 'source', 'agent']).default('channel') })
  .refine(ordered, { message: '"from" must be before "to"', path: ['from'] });
export type FunnelQuery = z.infer<typeof funnelQuery>;

export const lossesQuery = z
  .object({ ...range, groupBy: z.enum(['reason', 'agent']).default('reason') })
  .refine(ordered, { message: '"from" must be before "to"', path: ['from'] });
export type LossesQuery = z.infer<typeof lossesQuery>;

/** RFC 4180 quoting, and a leading quote for cells a spreadsheet would run as a formula. */
const csvCell = (value: string | number | null): string => {
  const text = value === null ? '' : String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};
const csvLine = (cells: (string | number | null)[]) => `${cells.map(csvCell).join(',')}\n`;

/** The funnel and the losses, read from the moves of the range and the leads they belong to (README, The sales pipeline). */
export class PipelineFigures {
  readonly tallies: FunnelTallies;

  constructor(
    private readonly store: InboxStore,
    private readonly clock: Clock,
  ) {
    this.tallies = new FunnelTallies(store);
  }

  private range(query: { from?: Date; to?: Date }): { from: Date; to: Date; now: Date } {
    const now = this.clock();
    const to = query.to ?? now;
    const from = query.from ?? new Date(to.getTime() - 30 * DAY);
    if (to.getTime() - from.getTime() > MAX_RANGE_MS) throw new AppError(ErrorCode.BadInput, 'the time range may span at most 400 days');
    return { from, to, now };
  }

  async funnel(query: FunnelQuery): Promise<FunnelRow[]> {
    const { from, to, now } = this.range(query);
    const [stages, cells, inPlay] = await Promise.all([
      this.store.pipeline.stages(),
      this.tallies.cells(from, to, query.groupBy, query.channel),
      this.store.pipeline.inPlay(query.channel),
    ]);
    return funnelRowsFromCells({ stages, cells, inPlay, keyOf: funnelKeys[query.groupBy], now });
  }

  async losses(query: LossesQuery): Promise<{ total: number; items: LossRow[] }> {
    const { from, to } = this.range(query);
    const moves = await this.store.pipeline.movesBetween(from, to, { toKind: 'lost' });
    const lost = query.channel ? moves.filter((m) => m.channel === query.channel) : moves;
    const byReason = query.groupBy === 'reason';
    const labels = byReason
      ? new Map((await this.store.lossReasons.list()).map((r) => [r.id, r.label]))
      : await this.store.agents.names([...new Set(lost.map((m) => m.assigneeId).filter((a): a is string => a !== null))]);
    const rows = new Map<string, { label: string; count: number; ids: string[] }>();
    for (const m of lost) {
      const key = (byReason ? m.lossReasonId : m.assigneeId) ?? (byReason ? 'none' : 'unassigned');
      const row = rows.get(key) ?? { label: labels.get(key) ?? (byReason ? (m.lossReason ?? '') : ''), count: 0, ids: [] };
      rows.set(key, row);
      row.count += 1;
      if (row.ids.length < LOSS_IDS_SHOWN && !row.ids.includes(m.conversationId)) row.ids.push(m.conversationId);
    }
    const total = lost.length;
    const link = (key: string) =>
      byReason
        ? `/api/conversations?outcome=lost${key === 'none' ? '' : `&lossReasonId=${key}`}`
        : `/api/conversations?outcome=lost&assigneeId=${key === 'unassigned' ? 'none' : key}`;
    const items = [...rows.entries()]
      .map(([key, row]) => ({
        key,
        label: row.label,
        count: row.count,
        share: row.count / total,
        conversationIds: row.ids,
        link: link(key),
      }))
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
    return { total, items };
  }

  async funnelCsv(query: FunnelQuery): Promise<string> {
    const rows = await this.funnel(query);
    const header = [
      'key',
      'leads',
      'never_contacted',
      'never_contacted_share',
      'stage_id',
      'stage',
      'kind',
      'entered',
      'to_next',
      'to_next_rate',
    ];
    header.push('to_won', 'to_won_rate', 'left', 'p50_ms', 'p90_ms', ...ageBuckets.map((b) => `ageing_${b}`));
    let out = csvLine(header);
    for (const row of rows) {
      for (const s of row.stages) {
        out += csvLine(
          [row.key, row.leads, row.neverContacted, row.neverContactedShare, s.stageId, s.label, s.kind, s.entered, s.toNext].concat(
            [s.toNextRate, s.toWon, s.toWonRate, s.left, s.p50Ms, s.p90Ms],
            ageBuckets.map((b) => s.ageing[b]),
          ),
        );
      }
    }
    return out;
  }

  async lossesCsv(query: LossesQuery): Promise<string> {
    const { items } = await this.losses(query);
    let out = csvLine(['key', 'label', 'count', 'share', 'conversation_ids']);
    for (const r of items) out += csvLine([r.key, r.label, r.count, r.share, r.conversationIds.join(' ')]);
    return out;
  }
}
