import { currentLanguage } from './i18n';

/** The shops work on Kyiv time, wherever the manager's laptop thinks it is. */
export const timeZone = (() => {
  try {
    new Intl.DateTimeFormat('uk', { timeZone: 'Europe/Kyiv' });
    return 'Europe/Kyiv';
  } catch {
    return 'Europe/Kiev';
  }
})();

const cache = new Map<string, Intl.DateTimeFormat>();
function dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const lng = currentLanguage();
  const key = `${lng}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lng, { timeZone, ...options });
    cache.set(key, f);
  }
  return f;
}

export const clockTime = (iso: string) => dateFormat({ hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
export const dateTime = (iso: string) => dateFormat({ dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
/** The day a message belongs to in Kyiv, as a key: 2026-12-01. */
export const dayKey = (iso: string) =>
  dateFormat({ year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date(iso))
    .reduce((k, p) => (p.type === 'literal' ? k : k + p.value), '');

/** A date separator's words: today, yesterday, or the date. */
export function dayLabel(iso: string, now = new Date()): string {
  const day = dayKey(iso);
  const rtf = new Intl.RelativeTimeFormat(currentLanguage(), { numeric: 'auto' });
  if (day === dayKey(now.toISOString())) return capitalise(rtf.format(0, 'day'));
  if (day === dayKey(new Date(now.getTime() - 86_400_000).toISOString())) return capitalise(rtf.format(-1, 'day'));
  return dateFormat({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(iso));
}

/** In the list: the time for today's last message, the date for older ones. */
export function listTime(iso: string, now = new Date()): string {
  return dayKey(iso) === dayKey(now.toISOString()) ? clockTime(iso) : dateFormat({ day: 'numeric', month: 'short' }).format(new Date(iso));
}

const capitalise = (s: string) => s.charAt(0).toLocaleUpperCase() + s.slice(1);

/** A waiting timer that moves every second: 0:42, 7:05, 1:02:09. */
export function stopwatch(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** A duration in words a manager reads at a glance, in their language: 850 ms, 42 s, 7 min, 2 h 5 min. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const lng = currentLanguage();
  const DF = (Intl as unknown as { DurationFormat?: new (l: string, o: object) => { format(d: object): string } }).DurationFormat;
  let parts: Record<string, number>;
  if (ms < 1000) parts = { milliseconds: Math.round(ms) };
  else if (ms < 60_000) parts = { seconds: Math.round(ms / 1000) };
  else if (ms < 3_600_000) parts = { minutes: Math.round(ms / 60_000) };
  else {
    const minutes = Math.round(ms / 60_000);
    parts = { hours: Math.floor(minutes / 60), minutes: minutes % 60 };
  }
  if (DF) return new DF(lng, { style: 'short' }).format(parts);
  return Object.entries(parts)
    .map(([unit, n]) => new Intl.NumberFormat(lng, { style: 'unit', unit: unit.replace(/s$/, ''), unitDisplay: 'short' }).format(n))
    .join(' ');
}

/** A file's size as its owner would say it: 812 B, 140 KB, 2.4 MB. */
export const formatSize = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
