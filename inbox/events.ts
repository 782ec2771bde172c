import { EventEmitter } from 'node:events';
import type { Agent, Alert, Conversation, Message, Role } from './views';

/**
 * What happened in the inbox, as named events. The live inbox, metrics and automations listen; the inbox
 * itself never knows who does.
 */
export const InboxEvent = {
  MessageNew: 'message:new',
  MessageUpdated: 'message:updated',
  ConversationUpdated: 'conversation:updated',
  Alert: 'alert',
  AgentReplied: 'agent:replied',
  AgentChanged: 'agent:changed',
} as const;

export interface InboxEventMap {
  'message:new': [{ conversation: Conversation; message: Message }];
  'message:updated': [{ conversation: Conversation; message: Message }];
  /** previousAssigneeId: whoever lost the conversation should hear it left their list. */
  'conversation:updated': [{ conversation: Conversation; previousAssigneeId?: string | null }];
  /** Who must hear about it live: the agents concerned and the managers of these roles. */
  alert: [{ alert: Alert; agentIds: string[]; roles: readonly Role[] }];
  /** A waiting customer got an answer: the measurement response-time figures are built from. */
  'agent:replied': [{ channel: string; agentId: string; kind: 'first' | 'reply'; durationMs: number }];
  /** An admin changed a manager's role or deactivated them: what their live connections were let in as is stale. */
  'agent:changed': [{ agent: Agent }];
}

export class InboxEvents extends EventEmitter<InboxEventMap> {}
