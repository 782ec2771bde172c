import { actOn, chainOf, startChain } from '../inbox/tasks/chain';

const timings = { reminderBeforeMs: 15 * 60_000, escalateAfterMs: 60 * 60_000 };
const due = new Date('2026-03-02T10:00:00Z');
const at = (iso: string) => new Date(iso);

describe('a task’s alert chain', () => {
  it('reminds 15 minutes before, alerts the assignee at due and the supervisors an hour after', () => {
    expect(chainOf(due, timings)).toEqual([
      { step: 'reminder', at: at('2026-03-02T09:45:00Z') },
      { step: 'overdue', at: due },
      { step: 'escalate', at: at('2026-03-02T11:00:00Z') },
    ]);
    expect(chainOf(due, { ...timings, reminderBeforeMs: 0 }).map((a) => a.step)).toEqual(['overdue', 'escalate']);
  });

  it('starts at the first alert still ahead of the moment the task is made or rescheduled', () => {
    expect(startChain(due, at('2026-03-02T08:00:00Z'), timings)).toEqual({ step: 'reminder', dueAt: at('2026-03-02T09:45:00Z') });
    expect(startChain(due, at('2026-03-02T09:50:00Z'), timings)).toEqual({ step: 'overdue', dueAt: due });
    expect(startChain(due, at('2026-03-02T10:00:00Z'), timings)).toEqual({ step: 'escalate', dueAt: at('2026-03-02T11:00:00Z') });
    expect(startChain(due, at('2026-03-02T11:00:00Z'), timings)).toEqual({ step: null, dueAt: null });
  });

  it('raises a due alert and moves on to the next one', () => {
    expect(actOn('reminder', due, at('2026-03-02T09:45:01Z'), timings)).toEqual({
      raise: 'reminder',
      next: { step: 'overdue', dueAt: due },
    });
    expect(actOn('overdue', due, at('2026-03-02T10:00:00Z'), timings)).toEqual({
      raise: 'overdue',
      next: { step: 'escalate', dueAt: at('2026-03-02T11:00:00Z') },
    });
    expect(actOn('escalate', due, at('2026-03-02T11:00:00Z'), timings)).toEqual({ raise: 'escalate', next: { step: null, dueAt: null } });
  });

  it('raises only the latest of the alerts that fell due together, so a gateway back after an outage does not remind of an overdue task', () => {
    expect(actOn('reminder', due, at('2026-03-02T10:30:00Z'), timings)).toEqual({
      raise: 'overdue',
      next: { step: 'escalate', dueAt: at('2026-03-02T11:00:00Z') },
    });
    expect(actOn('reminder', due, at('2026-03-02T12:00:00Z'), timings)).toEqual({ raise: 'escalate', next: { step: null, dueAt: null } });
  });

  it('raises nothing for a step not due yet', () => {
    expect(actOn('overdue', due, at('2026-03-02T09:00:00Z'), timings)).toEqual({ raise: null, next: { step: 'overdue', dueAt: due } });
  });
});
