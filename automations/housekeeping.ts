import type { Agenda } from 'agenda';
import type { Inbox } from '../inbox';
import { secondOf } from '../inbox/due-hints';
import type { Logger } from '../shared/logger';

export const HOUSEKEEPING = 'housekeeping';
export const HOUSEKEEPING_INTERVAL_MS = 30 * 60_000;
/** Claims and due hints this old are long settled. */
const KEEP_MS = 24 * 3600_000;

/**
 * Every 30 minutes, in one process: drops settled escalation claims and past hours of due hints, and reconciles the
 * open figures of the response-time report with the conversations (data from before them, a write lost to a crash).
 * The reconciliation reads every open conversation — on the embedded FerretDB every conversation — which is why it
 * runs here and not in the due-timer pass, which must fire within 2 s.
 */
export function defineHousekeepingJob(agenda: Agenda, inbox: Inbox, log: Logger): void {
  agenda.define(
    HOUSEKEEPING,
    async () => {
      const before = new Date(inbox.clock().getTime() - KEEP_MS);
      const claims = await inbox.claims.prune(before);
      const hours = await inbox.waits.hints.prune(secondOf(before));
      if (claims || hours) log.debug({ claims, hours }, 'settled claims and due hints dropped');
      const repaired = await inbox.openFigures.rebuild();
      if (repaired.written || repaired.removed) log.info(repaired, 'open response-time figures repaired from the conversations');
    },
    { concurrency: 1, lockLifetime: 10 * 60_000 },
  );
}
