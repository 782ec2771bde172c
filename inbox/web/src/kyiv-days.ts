import { timeZone } from './format';
import { kyivTime } from './kyiv-clock';

/** Days as the supervisors count them: Kyiv calendar days, keyed 2026-12-01, whatever the screen's own zone. */
const keyFormat = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
export const kyivDayOf = (at: Date): string => keyFormat.format(at);

/** The instant a Kyiv day begins. */
export function kyivMidnight(day: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  return kyivTime(y ?? 1970, m ?? 1, d ?? 1, 0, 0);
}

export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + n)).toISOString().slice(0, 10);
}

export type Preset = 'today' | 'week' | 'month';
export const presetDays: Record<Preset, number> = { today: 1, week: 7, month: 30 };

export interface DayRange {
  /** The first and last Kyiv day shown, both included. */
  fromDay: string;
  toDay: string;
}

export const presetRange = (preset: Preset, now = new Date()): DayRange => {
  const today = kyivDayOf(now);
  return { fromDay: addDays(today, 1 - presetDays[preset]), toDay: today };
};

/** The instants the API is asked for: from the first day's midnight to the next midnight after the last, or now. */
export function instants(range: DayRange, now = new Date()): { from: string; to: string } {
  const from = kyivMidnight(range.fromDay);
  const end = kyivMidnight(addDays(range.toDay, 1));
  const to = end.getTime() > now.getTime() ? now : end;
  return { from: from.toISOString(), to: (to.getTime() > from.getTime() ? to : end).toISOString() };
}
