import type { Agenda } from 'agenda';
import type { Inbox } from '../inbox';
import type { Logger } from '../shared/logger';

export const PIPELINE_REPAIR = 'pipeline-repair';
export const PIPELINE_REPAIR_INTERVAL_MS = 60_000;
/** Hours (and days) of the funnel counted again per pass, oldest first. */
const FUNNEL_COUNTS_PER_PASS = 200;
/** How often every lead in play is compared with the ageing's view of it. */
const IN_PLAY_RECONCILE_MS = 60 * 60_000;

/**
 * Stores the stage moves a process that died mid-move left on their leads (found by index, so a quiet pass reads
 * nothing): the figures count moves from `stage_moves`, and no move a manager was told of is lost.
 */
export function definePipelineRepairJob(agenda: Agenda, inbox: Inbox, log: Logger): void {
  // Not at start: the view is written with every lead's change, and only a process stopped between the two writes
  // leaves it out of step; reading every lead in play each minute would cost more than it mends.
  let lastReconciled = Date.now();
  agenda.define(
    PIPELINE_REPAIR,
    async () => {
      const settled = await inbox.pipeline.settlePending();
      if (settled) log.info({ settled }, 'pipeline: stage moves and first answers a stopped process left half-written settled');
      // The funnel's hours and days changed since they were counted; a busy hour waits for the next pass.
      await inbox.pipelineFigures.tallies.countMarked(FUNNEL_COUNTS_PER_PASS);
      if (Date.now() - lastReconciled >= IN_PLAY_RECONCILE_MS) {
        lastReconciled = Date.now();
        const mended = await inbox.store.pipeline.reconcileInPlay();
        if (mended) log.info({ mended }, 'pipeline: leads in play put back in step with the ageing view');
      }
    },
    { concurrency: 1, lockLifetime: 5 * 60_000 },
  );
}
