import { addDays, kyivDayOf, kyivMidnight } from './kyiv-days';

/** The churn range the page asks for: from the first Kyiv day of the month `months − 1` months back, to now. */
export function monthsBack(months: number, now = new Date()): { from: string; to: string } {
  const [y = 1970, m = 1] = kyivDayOf(now).split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 - (months - 1), 1)).toISOString().slice(0, 10);
  return { from: kyivMidnight(first).toISOString(), to: now.toISOString() };
}

/** A churn period's label: its month (or its week's first day), the Kyiv way, in the page's language. */
export function periodLabel(startIso: string, endIso: string, interval: 'month' | 'week', language: string): string {
  const start = new Date(startIso);
  if (interval === 'month')
    return new Intl.DateTimeFormat(language, { month: 'short', year: 'numeric', timeZone: 'Europe/Kyiv' }).format(start);
  const lastDay = kyivMidnight(addDays(kyivDayOf(new Date(new Date(endIso).getTime() - 1)), 0));
  return new Intl.DateTimeFormat(language, { day: 'numeric', month: 'short', timeZone: 'Europe/Kyiv' }).formatRange(start, lastDay);
}

export const percent = (rate: number | null): string => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
