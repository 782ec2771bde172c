import { type Actor, canWorkOn, seesEverything } from '../access';
import type { ConversationRecord, TaskRecord } from '../store/records';

/**
 * Supervisors and admins see and edit every task; an agent their own, and those on a conversation they may work on
 * (their own conversations and the unassigned queue), whoever's they are.
 */
export function maySee(
  actor: Actor,
  task: Pick<TaskRecord, 'assigneeId'>,
  conversation: Pick<ConversationRecord, 'assigneeId'> | null,
): boolean {
  if (seesEverything(actor) || task.assigneeId === actor.id) return true;
  return conversation !== null && canWorkOn(actor, conversation);
}

/** An agent gives tasks to others only on a conversation they may work on; anywhere else, to themselves. */
export function mayAssign(actor: Actor, assigneeId: string, conversation: Pick<ConversationRecord, 'assigneeId'> | null): boolean {
  if (seesEverything(actor) || assigneeId === actor.id) return true;
  return conversation !== null && canWorkOn(actor, conversation);
}
