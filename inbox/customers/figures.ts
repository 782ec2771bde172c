import type { ChurnQuery, ChurnRowView } from '../../shared/customers-api';
import { AppError, ErrorCode } from '../../shared/errors';
import type { Clock } from '../ports';
import type { InboxStore } from '../store/port';
import { activeRange, churnRates } from './churn';
import { splitIntervals } from './days';

const DAY = 24 * 60 * 60_000;
const MAX_RANGE_MS = 400 * DAY;
/** The default range: the last 180 days. */
const DEFAULT_RANGE_MS = 180 * DAY;

const percent = (rate: number | null) => (rate === null ? '' : (rate * 100).toFixed(2));

/**
 * Churn over a range, per Kyiv month or week (README, Customers over time): C1 active at the interval's start, C2
 * active at its end, C3 whose first interaction ever is in it, and both rates from them.
 */
export class ChurnFigures {
  constructor(
    private readonly store: InboxStore,
    private readonly clock: Clock,
    /** ACTIVE_CUSTOMER_WINDOW: interacted within this long before a moment is active at it. */
    readonly windowMs: number,
  ) {}

  async churn(query: ChurnQuery): Promise<ChurnRowView[]> {
    const to = query.to ?? this.clock();
    const from = query.from ?? new Date(to.getTime() - DEFAULT_RANGE_MS);
    if (to.getTime() - from.getTime() > MAX_RANGE_MS) throw new AppError(ErrorCode.BadInput, 'the time range may span at most 400 days');
    const intervals = splitIntervals(from, to, query.interval);
    // Each interval's end is the next one's start: each moment is counted once.
    const moments = [...intervals.map((i) => i.start), to];
    const active = await Promise.all(moments.map((t) => this.store.activity.countActive(activeRange(t, this.windowMs), query.channel)));
    const fresh = await Promise.all(intervals.map((i) => this.store.activity.countFirstBetween(i.start, i.end, query.channel)));
    return intervals.map((interval, k) => {
      const inputs = { c1: active[k] ?? 0, c2: active[k + 1] ?? 0, c3: fresh[k] ?? 0 };
      return { start: interval.start.toISOString(), end: interval.end.toISOString(), ...inputs, ...churnRates(inputs) };
    });
  }

  /** The same rows as CSV, the rates in percent. */
  async csv(query: ChurnQuery): Promise<string> {
    const rows = await this.churn(query);
    const lines = ['start,end,c1_active_at_start,c2_active_at_end,c3_new,churn_net_percent,churn_with_new_percent'];
    for (const r of rows) lines.push([r.start, r.end, r.c1, r.c2, r.c3, percent(r.churnNet), percent(r.churnWithNew)].join(','));
    return `${lines.join('\n')}\n`;
  }
}
