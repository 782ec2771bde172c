import type { Agenda } from 'agenda';
import type { Logger } from '../shared/logger';

export const BOT_REPAIR = 'bot-repair';
/** How often the pass looks; what it answers has been owed for BOT_REPAIR_AFTER at least. */
export const BOT_REPAIR_INTERVAL_MS = 1_000;

/**
 * The chatbot's repair pass: the customer messages ingest noted as owed an answer (by index on when) that got none
 * within `afterMs` (a turn owed that long is no longer one still at work), answered now. Safe in every process at
 * once: a turn answers a message once.
 */
export function defineBotRepairJob(agenda: Agenda, repair: (olderThanMs: number) => Promise<number>, afterMs: number, log: Logger): void {
  agenda.define(
    BOT_REPAIR,
    async () => {
      const repaired = await repair(afterMs);
      if (repaired) log.warn({ repaired }, 'the bot answered messages whose answer had been lost');
    },
    { concurrency: 1, lockLifetime: 60_000 },
  );
}
