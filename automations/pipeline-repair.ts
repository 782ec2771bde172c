import type { Agenda } from 'agenda';
import type { Inbox } from '../inbox';
import type { Logger } from '../shared/logger';

export const PIPELINE_REPAIR = 'pipeline-repair';
export const PIPELINE_REPAIR_INTERVAL_MS = 60_000;

/**
 * Stores the stage moves a process that died mid-move left on their leads (found by index, so a quiet pass reads
 * nothing): the figures count moves from `stage_moves`, and no move a manager was told of is lost.
 */
export function definePipelineRepairJob(agenda: Agenda, inbox: Inbox, log: Logger): void {
  agenda.define(
    PIPELINE_REPAIR,
    async () => {
      const settled = await inbox.pipeline.settlePending();
      if (settled) log.info({ settled }, 'pipeline: stage moves left by a stopped process stored');
    },
    { concurrency: 1, lockLifetime: 5 * 60_000 },
  );
}
