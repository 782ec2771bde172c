import type { Agenda } from 'agenda';
import type { Inbox } from '../inbox';
import type { Logger } from '../shared/logger';

export const HOUSEKEEPING = 'housekeeping';
export const HOUSEKEEPING_INTERVAL_MS = 30 * 60_000;

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
      const repaired = await inbox.openFigures.rebuild();
      if (repaired.written || repaired.removed) log.info(repaired, 'open response-time figures repaired from the conversations');
    },
    { concurrency: 1, lockLifetime: 10 * 60_000 },
  );
}
