import type { Channel } from '../shared/channels';
import type { Attachment, Choice, Template } from '../shared/messages';
import type {
  AgentRecord,
  AlertRecord,
  AlertType,
  ConversationRecord,
  ConversationStatus,
  MessageRecord,
  MessageStatus,
  Role,
} from './store/records';

export type { AlertType, ConversationStatus, MessageStatus, Role };

/** The public shapes of the contract: plain objects with string ids and ISO-8601 UTC times. */

export interface Agent {
  id: string;
  name: string;
  email: string;
  role: Role;
  online: boolean;
  active: boolean;
}

export interface Conversation {
  id: string;
  channel: Channel;
  status: ConversationStatus;
  contact: { id: string; name: string; reachable: boolean };
  assigneeId: string | null;
  lastMessageAt: string;
  lastMessagePreview: string;
  awaitingReplySince: string | null;
  lastInboundAt: string | null;
  firstResponseAt: string | null;
  /** The first-response target (business hours applied), once the conversation has had a first wait. */
  firstResponseDueAt: string | null;
  escalationStep: number;
  /** When the current wait passes to the next manager or to the shared queue; null when nothing is pending. */
  escalationDueAt: string | null;
  unreadCount: number;
  outcome: 'won' | 'lost' | null;
  /** The reason's label as it read when the lead was closed as lost (admins may rename it later). */
  lossReason: string | null;
  lossReasonId: string | null;
  lossNote: string | null;
  /** While snoozed: when it opens again by itself. */
  snoozedUntil: string | null;
  createdAt: string;
  /** The chatbot talks with the customer: nobody waits on it until it hands off. */
  heldByBot?: boolean;
}

export interface Message {
  id: string;
  conversationId: string;
  channel: Channel;
  direction: 'in' | 'out';
  sender: { type: 'contact' | 'agent' | 'bot' | 'system'; id?: string; name?: string };
  text: string;
  template?: Template;
  attachments: Attachment[];
  externalId: string | null;
  status: MessageStatus;
  error: string | null;
  createdAt: string;
  editedAt: string | null;
  /** Written by a machine (an auto-reply, a bounce, list mail): nobody waits for an answer to it. */
  automated?: boolean;
  /** Email: the subject, and the quoted previous message below the new part (folded on the page). */
  subject?: string;
  quoted?: string;
  /** A manager's internal note: seen by managers only, never sent to the customer. */
  note?: boolean;
  /** Outbound: the answers offered to tap. */
  choices?: Choice[];
  /** Inbound: the id of the offered choice the customer pressed. */
  choice?: string;
}

export interface LossReason {
  id: string;
  label: string;
  active: boolean;
  order: number;
}

export interface Alert {
  id: string;
  type: AlertType;
  /** Every alert but a task's on no conversation. */
  conversationId?: string;
  channel?: Channel;
  agentId?: string;
  messageId?: string;
  taskId?: string;
  detail?: string;
  createdAt: string;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toAgent(r: AgentRecord, online: boolean): Agent {
  return { id: r.id, name: r.name, email: r.email, role: r.role, online, active: r.active };
}

export function toConversation(r: ConversationRecord): Conversation {
  return {
    id: r.id,
    channel: r.channel,
    status: r.status,
    contact: { id: r.contactId, name: r.contactName, reachable: r.contactReachable },
    assigneeId: r.assigneeId,
    lastMessageAt: r.lastMessageAt.toISOString(),
    lastMessagePreview: r.lastMessagePreview,
    awaitingReplySince: iso(r.awaitingReplySince),
    lastInboundAt: iso(r.lastInboundAt),
    firstResponseAt: iso(r.firstResponseAt),
    firstResponseDueAt: iso(r.firstResponseDueAt),
    escalationStep: r.escalationStep,
    escalationDueAt: iso(r.escalationDueAt),
    unreadCount: r.unreadCount,
    outcome: r.outcome,
    lossReason: r.lossReason,
    lossReasonId: r.lossReasonId,
    lossNote: r.lossNote,
    snoozedUntil: iso(r.snoozedUntil),
    createdAt: r.createdAt.toISOString(),
    ...(r.heldByBot ? { heldByBot: true } : {}),
  };
}

export function toMessage(r: MessageRecord): Message {
  return {
    id: r.id,
    conversationId: r.conversationId,
    channel: r.channel,
    direction: r.direction,
    sender: { ...r.sender },
    text: r.text,
    ...(r.template ? { template: r.template } : {}),
    attachments: r.attachments,
    externalId: r.externalId,
    status: r.status,
    error: r.error,
    createdAt: r.createdAt.toISOString(),
    editedAt: iso(r.editedAt),
    ...(r.automated ? { automated: true } : {}),
    ...(r.subject ? { subject: r.subject } : {}),
    ...(r.quoted ? { quoted: r.quoted } : {}),
    ...(r.note ? { note: true } : {}),
    ...(r.choices?.length ? { choices: r.choices } : {}),
    ...(r.choice ? { choice: r.choice } : {}),
  };
}

export function toAlert(r: AlertRecord): Alert {
  const alert: Alert = { id: r.id, type: r.type, createdAt: r.createdAt.toISOString() };
  if (r.conversationId) alert.conversationId = r.conversationId;
  if (r.channel) alert.channel = r.channel;
  if (r.taskId) alert.taskId = r.taskId;
  if (r.agentId) alert.agentId = r.agentId;
  if (r.messageId) alert.messageId = r.messageId;
  if (r.detail) alert.detail = r.detail;
  return alert;
}
