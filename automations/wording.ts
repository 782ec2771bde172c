import ms from 'ms';
import type { BusinessCalendar } from './business-hours';

/** "10 minutes", or "10 minutes of business hours" where the clock stops outside them. */
export function waitPhrase(durationMs: number, calendar: BusinessCalendar): string {
  const words = ms(durationMs, { long: true });
  return calendar.spec === 'always' ? words : `${words} of business hours`;
}

/** "2024-05-06 09:12 UTC": precise and unambiguous in an alert text or an email. */
export const utc = (at: Date): string => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
