import type { TaskAlertStep } from '../store/records';

/** TASK_REMINDER_BEFORE and TASK_OVERDUE_ESCALATE_AFTER. */
export interface TaskTimings {
  /** The reminder to the assignee this long before the due time; 0: none. */
  reminderBeforeMs: number;
  /** The supervisors are told this long after the due time, if the task is still not done. */
  escalateAfterMs: number;
}

export const defaultTaskTimings: TaskTimings = { reminderBeforeMs: 15 * 60_000, escalateAfterMs: 60 * 60_000 };

export interface AlertDue {
  step: TaskAlertStep;
  at: Date;
}
export const noAlert = { step: null, dueAt: null } as const;
export type NextAlert = { step: TaskAlertStep; dueAt: Date } | typeof noAlert;

/** The chain of an open task due at `dueAt`: a reminder before, the overdue alert at due, the supervisors after. */
export function chainOf(dueAt: Date, timings: TaskTimings): AlertDue[] {
  const due = dueAt.getTime();
  const steps: AlertDue[] = [];
  if (timings.reminderBeforeMs > 0) steps.push({ step: 'reminder', at: new Date(due - timings.reminderBeforeMs) });
  steps.push({ step: 'overdue', at: dueAt });
  steps.push({ step: 'escalate', at: new Date(due + timings.escalateAfterMs) });
  return steps;
}

const asNext = (a: AlertDue | undefined): NextAlert => (a ? { step: a.step, dueAt: a.at } : noAlert);

/**
 * Where the chain of a task (re)scheduled at `now` starts: the first alert still ahead. A task made 5 minutes before
 * it is due gets no reminder (its maker knows), one made overdue gets only the supervisors' alert, if that is ahead.
 */
export function startChain(dueAt: Date, now: Date, timings: TaskTimings): NextAlert {
  return asNext(chainOf(dueAt, timings).find((a) => a.at.getTime() > now.getTime()));
}

/**
 * Acting on the alert `step` found due at `now`: which alert to raise, and the chain's next one. When later alerts
 * fell due too (every gateway was down meanwhile), only the latest is raised: a reminder is no use once the task is
 * overdue. Null when `step` is not due yet (the task changed since it was read).
 */
export function actOn(step: TaskAlertStep, dueAt: Date, now: Date, timings: TaskTimings): { raise: TaskAlertStep | null; next: NextAlert } {
  const chain = chainOf(dueAt, timings);
  const from = chain.findIndex((a) => a.step === step);
  let latest = -1;
  for (let i = Math.max(from, 0); i < chain.length && from >= 0; i++) if ((chain[i]?.at.getTime() ?? Infinity) <= now.getTime()) latest = i;
  if (latest < 0) return { raise: null, next: asNext(chain[from]) };
  return { raise: chain[latest]?.step ?? null, next: asNext(chain[latest + 1]) };
}
