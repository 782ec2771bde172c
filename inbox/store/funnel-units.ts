import type { FunnelUnit } from './records';

/** The UTC hours, days and calendar months the funnel is counted per: where each begins and ends. */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The start of the unit holding `ms`. */
export function unitStart(unit: FunnelUnit, ms: number): number {
  if (unit === 'hour') return Math.floor(ms / HOUR) * HOUR;
  if (unit === 'day') return Math.floor(ms / DAY) * DAY;
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** The start of the unit after the one starting at `start`. */
export function unitEnd(unit: FunnelUnit, start: number): number {
  if (unit === 'hour') return start + HOUR;
  if (unit === 'day') return start + DAY;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** The first unit start at or after `ms`. */
export const unitCeil = (unit: FunnelUnit, ms: number): number => {
  const start = unitStart(unit, ms);
  return start === ms ? ms : unitEnd(unit, start);
};

/** What a unit is counted from: a day from its hours, a month from its days. */
export const finerUnit = (unit: 'day' | 'month'): FunnelUnit => (unit === 'month' ? 'day' : 'hour');
