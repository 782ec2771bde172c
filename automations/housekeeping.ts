import type { Agenda } from 'agenda';
import type { Inbox } from '../inbox';
import { secondOf } from '../inbox/due-hints';
import type { Logger } from '../shared/logger';

export const HOUSEKEEPING = 'housekeeping';
export const HOUSEKEEPING_INTERVAL_MS = 3600_000;
/** Claims and due hints this old are long settled. */
const KEEP_MS = 24 * 3600_000;

/** Drops settled escalation claims and past hours of due hints, hourly. */
export function defineHousekeepingJob(agenda: Agenda, inbox: Inbox, log: Logger): void {
  agenda.define(
    HOUSEKEEPING,
    async () => {
      const before = new Date(inbox.clock().getTime() - KEEP_MS);
      const claims = await inbox.claims.prune(before);
      const hours = await inbox.waits.hints.prune(secondOf(before));
      if (claims || hours) log.debug({ claims, hours }, 'settled claims and due hints dropped');
    },
    { concurrency: 1, lockLifetime: 10 * 60_000 },
  );
}
