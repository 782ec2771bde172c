import { DateTime } from 'luxon';

/** The zone customers' days, weeks and months are counted in, as the supervisors' figures are. */
export const CUSTOMERS_TIME_ZONE = 'Europe/Kyiv';

/** The Kyiv calendar day of an instant, `YYYY-MM-DD` (sorts as the days do). */
export function kyivDay(at: Date): string {
  return DateTime.fromJSDate(at, { zone: CUSTOMERS_TIME_ZONE }).toFormat('yyyy-MM-dd');
}

export type IntervalUnit = 'month' | 'week';

export interface Interval {
  start: Date;
  end: Date;
}

/**
 * [from, to) cut at the Kyiv calendar months (or ISO weeks, from Monday 00:00) it crosses: the first and the last
 * interval are shorter when `from` or `to` falls inside one.
 */
export function splitIntervals(from: Date, to: Date, unit: IntervalUnit): Interval[] {
  const out: Interval[] = [];
  let start = DateTime.fromJSDate(from, { zone: CUSTOMERS_TIME_ZONE });
  const last = to.getTime();
  while (start.toMillis() < last) {
    const next = start.startOf(unit).plus(unit === 'month' ? { months: 1 } : { weeks: 1 });
    const end = Math.min(next.toMillis(), last);
    out.push({ start: start.toJSDate(), end: new Date(end) });
    start = next;
  }
  return out;
}
