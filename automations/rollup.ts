import type { Agenda } from 'agenda';
import type { Inbox } from '../inbox';
import type { Logger } from '../shared/logger';

export const RESPONSE_ROLLUP = 'response-rollup';
export const ROLLUP_INTERVAL_MS = 60_000;

/** Rolls the closed UTC hours of `responses` up into `response_rollups`, one document per hour (inbox/response-rollups.ts). */
export function defineRollupJob(agenda: Agenda, inbox: Inbox, log: Logger): void {
  agenda.define(
    RESPONSE_ROLLUP,
    async () => {
      const hours = await inbox.rollups.run(inbox.clock());
      if (hours > 2) log.info({ hours }, 'response figures rolled up');
    },
    { concurrency: 1, lockLifetime: 10 * 60_000 },
  );
}
