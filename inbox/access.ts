import { AppError, ErrorCode } from '../shared/errors';
import type { ConversationRecord } from './store/records';
import type { Role } from './views';

/** Who is acting: the authenticated manager behind a request or a socket. */
export interface Actor {
  id: string;
  role: Role;
  name: string;
}

export const seesEverything = (actor: Actor): boolean => actor.role === 'supervisor' || actor.role === 'admin';

/** An agent works on their own conversations and the unassigned queue; supervisors and admins on anything. */
export function canWorkOn(actor: Actor, conversation: Pick<ConversationRecord, 'assigneeId'>): boolean {
  if (seesEverything(actor)) return true;
  return !conversation.assigneeId || conversation.assigneeId === actor.id;
}

export function assertCanWorkOn(actor: Actor, conversation: Pick<ConversationRecord, 'assigneeId' | 'id'>): void {
  if (!canWorkOn(actor, conversation)) {
    throw new AppError(ErrorCode.Forbidden, `conversation ${conversation.id} is assigned to another agent`);
  }
}

export const isObjectId = (id: string): boolean => /^[a-f0-9]{24}$/i.test(id);
