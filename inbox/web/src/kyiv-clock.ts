import { timeZone } from './format';

/** Kyiv's wall clock (the shops' time), whatever the screen's own zone is. */
const kyivParts = new Intl.DateTimeFormat('en-GB', {
  timeZone,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  weekday: 'short',
});

export interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 1 Monday … 7 Sunday. */
  weekday: number;
}
const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** What Kyiv's wall clock shows at an instant. */
export function wallOf(at: Date): Wall {
  const p = Object.fromEntries(kyivParts.formatToParts(at).map((x) => [x.type, x.value]));
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    // Some engines write midnight as 24 even with h23.
    hour: Number(p.hour) % 24,
    minute: Number(p.minute),
    second: Number(p.second),
    weekday: weekdays.indexOf(p.weekday ?? '') + 1,
  };
}

/** Kyiv's offset from UTC at `at`, in ms (+2 h in winter, +3 h in summer). */
function offsetAt(at: number): number {
  const w = wallOf(new Date(at));
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(at / 1000) * 1000;
}

/** The instant a Kyiv wall clock shows this date and time (the day may overflow: 32 May is 1 June). */
export function kyivTime(year: number, month: number, day: number, hour: number, minute: number): Date {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const first = asUtc - offsetAt(asUtc);
  // Across a change of daylight-saving time the offset at the answer may differ from the first guess's.
  return new Date(asUtc - offsetAt(first));
}
