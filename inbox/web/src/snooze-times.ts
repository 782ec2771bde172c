import { timeZone } from './format';

/** The snooze presets, reckoned in Kyiv time (the shops' time) whatever the laptop's zone is. */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

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

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 1 Monday … 7 Sunday. */
  weekday: number;
}
const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function wallOf(at: Date): Wall & { second: number } {
  const p = Object.fromEntries(kyivParts.formatToParts(at).map((x) => [x.type, x.value]));
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
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

export type Preset = 'hour' | 'tomorrow' | 'monday';
export const presets: Preset[] = ['hour', 'tomorrow', 'monday'];

export function presetTime(preset: Preset, now = new Date()): Date {
  if (preset === 'hour') return new Date(now.getTime() + HOUR);
  const today = wallOf(now);
  const ahead = preset === 'tomorrow' ? 1 : (8 - today.weekday) % 7 || 7;
  // Noon of today plus whole days never crosses a second day on a daylight-saving change.
  const noon = kyivTime(today.year, today.month, today.day, 12, 0).getTime() + ahead * DAY;
  const then = wallOf(new Date(noon));
  return kyivTime(then.year, then.month, then.day, 9, 0);
}

/** A datetime-local value ("2026-12-02T09:30") read as Kyiv time; null when it is not one. */
export function fromLocalInput(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  return kyivTime(y, mo, d, h, mi);
}

/** An instant as a datetime-local value in Kyiv time: the input's minimum and its first suggestion. */
export function toLocalInput(at: Date): string {
  const w = wallOf(at);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${two(w.month)}-${two(w.day)}T${two(w.hour)}:${two(w.minute)}`;
}
