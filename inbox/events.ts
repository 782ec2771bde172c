import { EventEmitter } from 'node:events';
import type { CampaignView } from '../shared/customers-api';
import type { LeadView } from '../shared/pipeline-api';
import type { TaskView } from '../shared/tasks-api';
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
  LeadStageChanged: 'lead:stage-changed',
  LeadUpdated: 'lead:updated',
  CampaignUpdated: 'campaign:updated',
  BotTakenOver: 'bot:taken-over',
  TaskCreated: 'task:created',
  TaskUpdated: 'task:updated',
  TaskDeleted: 'task:deleted',
} as const;

/** A lead's stage as a move names it: the stage's id and what kind of stage it is (won and lost end the lead). */
export interface StageRef {
  id: string;
  kind: 'open' | 'won' | 'lost';
}

/** A lead moved from one pipeline stage to another (by a manager, or by itself on the first reply). */
export interface LeadStageChange {
  conversation: Conversation;
  contactId: string;
  /** Null when the lead entered the pipeline. */
  from: StageRef | null;
  to: StageRef;
  /** The manager who moved it; null when the move followed by itself (the first reply, a trigger). */
  byAgentId: string | null;
  at: Date;
}

export interface InboxEventMap {
  'message:new': [{ conversation: Conversation; message: Message }];
  'message:updated': [{ conversation: Conversation; message: Message }];
  /** previousAssigneeId: whoever lost the conversation should hear it left their list. */
  'conversation:updated': [{ conversation: Conversation; previousAssigneeId?: string | null; byAgentId?: string }];
  /** Who must hear about it live: the agents concerned and the managers of these roles. */
  alert: [{ alert: Alert; agentIds: string[]; roles: readonly Role[] }];
  /** A waiting customer got an answer: the measurement response-time figures are built from. */
  'agent:replied': [{ channel: string; agentId: string; kind: 'first' | 'reply'; durationMs: number }];
  /** An admin changed a manager's role or deactivated them: what their live connections were let in as is stale. */
  'agent:changed': [{ agent: Agent }];
  'lead:stage-changed': [LeadStageChange];
  /** A lead changed (a move, its assignee): the rooms that may see its conversation hear it. */
  'lead:updated': [{ conversation: Conversation; lead: LeadView }];
  /** A campaign's progress moved (sends, skips, a customer writing back): for supervisors and admins. */
  'campaign:updated': [{ campaign: CampaignView }];
  /** A manager took a conversation from the chatbot (replying, assigning, or the Take over button): it stops at once. */
  'bot:taken-over': [{ conversationId: string; at: Date }];
  /** A task was made, changed or deleted: its assignee (and whoever it was taken from) and the supervisors hear it. */
  'task:created': [TaskEvent];
  'task:updated': [TaskEvent];
  'task:deleted': [TaskEvent];
}

export interface TaskEvent {
  task: TaskView;
  previousAssigneeId?: string;
}

export class InboxEvents extends EventEmitter<InboxEventMap> {}
