import type { Agenda } from 'agenda';
import type { Logger } from '../shared/logger';

export const BOT_REPAIR = 'bot-repair';
export const BOT_REPAIR_INTERVAL_MS = 5_000;
/** A turn owed this long is no longer one still at work: its process died, or its answer failed. */
export const BOT_REPAIR_GRACE_MS = 30_000;

/**
 * The chatbot's repair pass: the customer messages ingest noted as owed an answer (by index on when) that got none
 * within the grace, answered now. Safe in every process at once: a turn answers a message once.
 */
export function defineBotRepairJob(agenda: Agenda, repair: (olderThanMs: number) => Promise<number>, log: Logger): void {
  agenda.define(
    BOT_REPAIR,
    async () => {
      const repaired = await repair(BOT_REPAIR_GRACE_MS);
      if (repaired) log.warn({ repaired }, 'the bot answered messages whose answer had been lost');
    },
    { concurrency: 1, lockLifetime: 60_000 },
  );
}
