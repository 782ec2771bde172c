import type { Agenda } from 'agenda';
import type { Inbox } from '../inbox';
import type { Logger } from '../shared/logger';
import { SerialPasses } from './serial-passes';
import type { TaskAlerts } from './task-alerts';

export const TASKS_TICK = 'tasks-tick';

/** Tasks taken per query of the due-time index; a pass keeps taking batches while they come back full. */
const BATCH = 100;
const MAX_BATCHES = 20;
const PARALLEL = 8;

export interface TaskTickResult {
  alerted: number;
  /** Trigger firings a crash or a failed action had left pending, finished now. */
  firings: number;
  failed: number;
}

/**
 * One pass over the tasks whose next alert fell due, then the trigger firings left pending past their lease, read from their index (`{alertDueAt: 1, _id: 1}`), earliest
 * first: a quiet pass is one empty index range however many tasks are open.
 */
export class TaskTimers {
  private readonly passes = new SerialPasses<TaskTickResult>(() => this.pass());

  constructor(
    private readonly inbox: Inbox,
    private readonly alerts: TaskAlerts,
    private readonly log: Logger,
  ) {}

  /** Runs one pass after every pass already running in this process. */
  tick(): Promise<TaskTickResult> {
    return this.passes.run();
  }

  stop(): Promise<void> {
    return this.passes.stop();
  }

  private async pass(): Promise<TaskTickResult> {
    const result: TaskTickResult = { alerted: 0, firings: 0, failed: 0 };
    if (this.passes.stopped) return result;
    const now = this.inbox.clock();
    for (let batch = 0; batch < MAX_BATCHES && !this.passes.stopped; batch++) {
      const due = await this.inbox.tasks.alertsDue(now, BATCH);
      let next = 0;
      const worker = async () => {
        for (let t = due[next++]; t && !this.passes.stopped; t = due[next++]) {
          try {
            if (await this.alerts.act(t, now)) result.alerted++;
          } catch (err) {
            result.failed++;
            this.log.error({ err, taskId: t.id }, 'task alert failed; retrying later');
            await this.alerts
              .postpone(t, now)
              .catch((e: unknown) => this.log.error({ err: e, taskId: t.id }, 'could not postpone the task alert'));
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL, due.length) }, worker));
      if (due.length < BATCH) break;
    }
    if (!this.passes.stopped) {
      result.firings = await this.inbox.triggerFirings.finishUnfinished().catch((err: unknown) => {
        result.failed++;
        this.log.error({ err }, 'unfinished trigger firings could not be finished; the next pass tries again');
        return 0;
      });
    }
    return result;
  }
}

/** The recurring job of the pass, every `intervalMs`, run by one process at a time. */
export function defineTaskTimersJob(agenda: Agenda, timers: TaskTimers, log: Logger): void {
  agenda.define(
    TASKS_TICK,
    async () => {
      const result = await timers.tick();
      if (result.alerted || result.firings || result.failed) log.info(result, 'automations acted on due tasks and trigger firings');
    },
    { concurrency: 1, lockLifetime: 60_000 },
  );
}
