import ms from 'ms';
import type { Inbox } from '../inbox';
import { actOn } from '../inbox/tasks/chain';
import type { TaskRecord } from '../inbox/tasks/tasks';
import { utc } from './wording';

const RETRY_AFTER_MS = 30_000;

/**
 * A task's alert chain: `task_reminder` to the assignee TASK_REMINDER_BEFORE ahead of the due time,
 * `task_overdue` to them at it, and `task_overdue_escalated` to the supervisors TASK_OVERDUE_ESCALATE_AFTER later
 * if it is still not done. The alert is raised (keyed by the task, the step and the due time) before the chain
 * moves on with a write guarded by the step it was found at, so of two processes one moves it, a crash in between
 * repeats the attempt, and the alert is stored and told once.
 */
export class TaskAlerts {
  constructor(private readonly inbox: Inbox) {}

  /** Acts on one task found due; false when nothing was raised (a stale step, or another process first). */
  async act(t: TaskRecord, now: Date): Promise<boolean> {
    const { tasks, alerts } = this.inbox;
    if (t.alertStep === null || t.doneAt !== null) {
      await tasks.advanceAlert(t, { step: null, dueAt: null });
      return false;
    }
    const { raise: step, next } = actOn(t.alertStep, t.dueAt, now, tasks.timings);
    let raised = false;
    if (step) {
      const { conversation, assigneeName } = await tasks.alertContext(t);
      const about = conversation ? ` (${conversation.contactName}, ${conversation.channel})` : '';
      const base = {
        conversationId: conversation?.id ?? null,
        channel: conversation?.channel ?? null,
        taskId: t.id,
        agentId: t.assigneeId,
        key: `${step}:task:${t.id}:${t.dueAt.getTime()}`,
      };
      if (step === 'reminder') {
        raised = !!(await alerts.raise({
          ...base,
          type: 'task_reminder',
          detail: `“${t.title}”${about} is due at ${utc(t.dueAt)}.`,
          roles: [],
        }));
      } else if (step === 'overdue') {
        raised = !!(await alerts.raise({
          ...base,
          type: 'task_overdue',
          detail: `“${t.title}”${about} was due at ${utc(t.dueAt)} and is not done yet.`,
          roles: [],
        }));
      } else {
        const late = ms(now.getTime() - t.dueAt.getTime(), { long: true });
        raised = !!(await alerts.raise({
          ...base,
          type: 'task_overdue_escalated',
          detail: `${assigneeName ?? 'A manager'} has not done “${t.title}”${about}, due at ${utc(t.dueAt)}, ${late} ago.`,
        }));
      }
    }
    await tasks.advanceAlert(t, next);
    return raised;
  }

  /** A task whose alert failed is tried again a little later rather than on every pass. */
  async postpone(t: TaskRecord, now: Date): Promise<boolean> {
    if (t.alertStep === null) return false;
    return this.inbox.tasks.advanceAlert(t, { step: t.alertStep, dueAt: new Date(now.getTime() + RETRY_AFTER_MS) });
  }
}
