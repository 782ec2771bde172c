import type { z } from 'zod';
import { AppError, ErrorCode } from '../shared/errors';
import type { Clock } from './ports';
import { DAY } from './response-rollups';
import { responseTimesQuery } from './response-times';
import type { InboxStore, LeadArrival } from './store/port';

/** The zone the supervisors' days and hours are counted in, as the managers' app shows them. */
export const FIGURES_TIME_ZONE = 'Europe/Kyiv';

/** The same range, channel and grouping as the response-time figures it is shown beside. */
export const volumeQuery = responseTimesQuery;
export type VolumeQuery = z.infer<typeof volumeQuery>;

export interface VolumeRow {
  key: string;
  leads: number;
  /** The row's leads by the hour of day (0–23, FIGURES_TIME_ZONE) of their first message. */
  byHour: number[];
}

export interface Workload {
  agentId: string;
  open: number;
}

const MAX_RANGE_MS = 400 * DAY;
const UNASSIGNED = 'unassigned';

const hourOfDay = new Intl.DateTimeFormat('en-GB', { timeZone: FIGURES_TIME_ZONE, hour: 'numeric', hourCycle: 'h23' });
/** The hour of day of an instant in FIGURES_TIME_ZONE (summer and winter time alike). */
export const kyivHour = (at: Date): number => Number(hourOfDay.format(at)) % 24;

/**
 * What the supervisors' dashboard adds to the response-time figures: when the leads come in (by hour of day) and
 * how many open conversations each manager holds. Both read the conversations by an index, never the messages.
 */
export class VolumeFigures {
  constructor(
    private readonly store: InboxStore,
    private readonly clock: Clock,
  ) {}

  async byHour(query: VolumeQuery): Promise<VolumeRow[]> {
    const to = query.to ?? this.clock();
    const from = query.from ?? new Date(to.getTime() - 30 * DAY);
    if (to.getTime() - from.getTime() > MAX_RANGE_MS) throw new AppError(ErrorCode.BadInput, 'the time range may span at most 400 days');
    const leads = await this.store.conversations.leadsBetween(from, to, query.channel);
    const keyOf = (c: LeadArrival) => (query.groupBy === 'channel' ? c.channel : (c.assigneeId ?? UNASSIGNED));
    const rows = new Map<string, VolumeRow>();
    for (const c of leads) {
      if (!c.firstInboundAt) continue;
      const key = keyOf(c);
      let row = rows.get(key);
      if (!row) {
        row = { key, leads: 0, byHour: Array.from({ length: 24 }, () => 0) };
        rows.set(key, row);
      }
      row.leads++;
      row.byHour[kyivHour(c.firstInboundAt)] = (row.byHour[kyivHour(c.firstInboundAt)] ?? 0) + 1;
    }
    return [...rows.values()].sort((a, b) => a.key.localeCompare(b.key));
  }

  /** Open conversations of each of these managers: one indexed count each (a team is tens of people). */
  async workload(agentIds: readonly string[]): Promise<Workload[]> {
    return Promise.all(agentIds.map(async (agentId) => ({ agentId, open: await this.store.conversations.countOpenOf(agentId) })));
  }
}
