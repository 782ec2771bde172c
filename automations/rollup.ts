import type { Agenda } from 'agenda';
import type { Inbox } from '../inbox';
import { secondOf } from '../inbox/due-hints';
import type { Logger } from '../shared/logger';

export const RESPONSE_ROLLUP = 'response-rollup';
export const ROLLUP_INTERVAL_MS = 60_000;

/** Rolls closed hours of recorded responses up into hourly and daily buckets (inbox/response-rollups.ts). */
export function defineRollupJob(agenda: Agenda, inbox: Inbox, log: Logger): void {
  agenda.define(
    RESPONSE_ROLLUP,
    async () => {
      const now = inbox.clock();
      const hours = await inbox.rollups.run(now);
      if (hours > 2) log.info({ hours }, 'response figures rolled up');
      // Housekeeping once an hour: claims and due hints a day old are long settled.
      if (now.getUTCMinutes() === 0) {
        const dayAgo = new Date(now.getTime() - 24 * 3600_000);
        await inbox.claims.prune(dayAgo);
        await inbox.waits.hints.prune(secondOf(dayAgo));
      }
    },
    { concurrency: 1, lockLifetime: 10 * 60_000 },
  );
}
