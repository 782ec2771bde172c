import type { TaskView } from '../../shared/tasks-api';
import type { TaskRecord } from '../store/records';

export const isOverdue = (t: Pick<TaskRecord, 'doneAt' | 'dueAt'>, now: Date): boolean =>
  t.doneAt === null && t.dueAt.getTime() < now.getTime();

export function toTaskView(t: TaskRecord, now: Date): TaskView {
  return {
    id: t.id,
    title: t.title,
    dueAt: t.dueAt.toISOString(),
    assigneeId: t.assigneeId,
    conversationId: t.conversationId,
    contactId: t.contactId,
    createdBy: t.createdBy,
    triggerId: t.triggerId,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    doneAt: t.doneAt ? t.doneAt.toISOString() : null,
    overdue: isOverdue(t, now),
  };
}
