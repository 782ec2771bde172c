import { DateTime } from 'luxon';

/**
 * Business hours such as `Mon-Fri 09:00-18:00 Europe/Kyiv`: the days, one daily opening window and the time zone
 * it is read in. Waiting clocks (escalation, first-response targets) run only inside the windows, so a due time
 * is the start of the wait plus so many *business* milliseconds. Local times follow the zone's daylight-saving
 * rules (luxon over the platform's Intl time-zone data).
 */
export interface BusinessCalendar {
  /** The setting it was read from; `always` for a calendar that never closes. */
  readonly spec: string;
  readonly zone: string;
  isOpen(at: Date): boolean;
  /** `at` itself while open, otherwise the start of the next opening window. */
  nextOpening(at: Date): Date;
  /** The instant `ms` business milliseconds after `from` (time outside the windows does not count). */
  addBusinessMs(from: Date, ms: number): Date;
}

const dayNames = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const specPattern = /^(\S+) (\d{2}):(\d{2})-(\d{2}):(\d{2}) (\S+)$/;

export class BusinessHoursError extends Error {}

/** A calendar that is always open: waits count in plain milliseconds. */
export const alwaysOpen: BusinessCalendar = {
  spec: 'always',
  zone: 'UTC',
  isOpen: () => true,
  nextOpening: (at) => at,
  addBusinessMs: (from, ms) => new Date(from.getTime() + ms),
};

/** Reads a `BUSINESS_HOURS` value; throws a BusinessHoursError saying what is wrong with it. */
export function parseBusinessHours(spec: string): BusinessCalendar {
  const match = specPattern.exec(spec.trim());
  if (!match) throw new BusinessHoursError(`"${spec}" must look like "Mon-Fri 09:00-18:00 Europe/Kyiv"`);
  const [, daysPart = '', oh = '', om = '', ch = '', cm = '', zone = ''] = match;
  const days = new Set<number>();
  for (const group of daysPart.split(',')) {
    const [first, last = first] = group.split('-');
    const a = dayNames.indexOf(first as (typeof dayNames)[number]);
    const b = dayNames.indexOf(last as (typeof dayNames)[number]);
    if (a < 0 || b < 0) throw new BusinessHoursError(`"${group}" is not a day or a range of days such as Mon-Fri`);
    // A range may wrap over the week's end: Fri-Mon is Friday to Monday.
    for (let d = a; ; d = (d + 1) % 7) {
      days.add(d + 1); // luxon: 1 = Monday … 7 = Sunday
      if (d === b) break;
    }
  }
  const open = Number(oh) * 60 + Number(om);
  const close = Number(ch) * 60 + Number(cm);
  if (Number(oh) > 23 || Number(om) > 59 || Number(ch) > 24 || Number(cm) > 59 || close > 24 * 60) {
    throw new BusinessHoursError(`"${spec}" has an impossible time of day`);
  }
  if (open >= close) throw new BusinessHoursError(`"${spec}": the opening time must be before the closing time`);
  if (!DateTime.now().setZone(zone).isValid) throw new BusinessHoursError(`"${zone}" is not a known time zone (e.g. Europe/Kyiv)`);
  return new WeeklyCalendar(spec.trim(), zone, days, open, close);
}

const at = (day: DateTime, minuteOfDay: number): number =>
  day.set({ hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60 }).toMillis();

interface Window {
  start: number;
  end: number;
}

class WeeklyCalendar implements BusinessCalendar {
  constructor(
    readonly spec: string,
    readonly zone: string,
    private readonly days: ReadonlySet<number>,
    private readonly openMinute: number,
    private readonly closeMinute: number,
  ) {}

  /** The window that contains `t` or, when closed, the next one (windows never span midnight). */
  private windowAtOrAfter(t: number): Window {
    const today = DateTime.fromMillis(t, { zone: this.zone }).startOf('day');
    for (let i = 0; i <= 7; i++) {
      const day = today.plus({ days: i });
      if (!this.days.has(day.weekday)) continue;
      // Wall-clock times of that day, so 09:00 stays 09:00 on the days the clocks change.
      const start = at(day, this.openMinute);
      const end = this.closeMinute === 24 * 60 ? day.plus({ days: 1 }).toMillis() : at(day, this.closeMinute);
      if (end > t) return { start, end };
    }
    throw new Error(`no opening window within a week of ${new Date(t).toISOString()} for "${this.spec}"`);
  }

  isOpen(at: Date): boolean {
    const w = this.windowAtOrAfter(at.getTime());
    return w.start <= at.getTime();
  }

  nextOpening(at: Date): Date {
    const w = this.windowAtOrAfter(at.getTime());
    return new Date(Math.max(w.start, at.getTime()));
  }

  addBusinessMs(from: Date, ms: number): Date {
    let t = from.getTime();
    let remaining = ms;
    for (;;) {
      const w = this.windowAtOrAfter(t);
      const start = Math.max(w.start, t);
      if (start + remaining <= w.end) return new Date(start + remaining);
      remaining -= w.end - start;
      t = w.end;
    }
  }
}
