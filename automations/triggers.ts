import type { Agenda } from 'agenda';
import type { Inbox } from '../inbox';
import { InboxEvent } from '../inbox/events';
import type { Logger } from '../shared/logger';

export const TRIGGER_SWEEP = 'trigger-sweep';
/** Inactivity and renewals count in days: a sweep a minute is on time for them. */
export const TRIGGER_SWEEP_INTERVAL_MS = 60_000;

/**
 * The stage and loss triggers fire as a lead moves (`lead:stage-changed`), in the process that moved it; what a
 * crash leaves unfinished the tasks' pass finishes (inbox/triggers/firings.ts). The inactivity and renewal triggers
 * fire from the `trigger-sweep` job.
 */
export function listenForLeadMoves(inbox: Inbox, log: Logger): void {
  inbox.events.on(InboxEvent.LeadStageChanged, (change) => {
    inbox.triggerFirings
      .onStageChange(change)
      .catch((err: unknown) =>
        log.error({ err, conversationId: change.conversation.id }, 'triggers of a lead move failed; the pass finishes them'),
      );
  });
}

export function defineTriggerSweepJob(agenda: Agenda, inbox: Inbox, log: Logger): void {
  agenda.define(
    TRIGGER_SWEEP,
    async () => {
      const fired = await inbox.triggerFirings.sweep();
      if (fired) log.info({ fired }, 'timed triggers fired');
    },
    { concurrency: 1, lockLifetime: 5 * 60_000 },
  );
}
