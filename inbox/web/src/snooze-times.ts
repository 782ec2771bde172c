import { kyivTime, wallOf } from './kyiv-clock';

/** The snooze presets, reckoned in Kyiv time (the shops' time) whatever the laptop's zone is. */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

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
