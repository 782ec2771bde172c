import type { Channel } from '../shared/channels';
import type { Attachment, Template } from '../shared/messages';
import type { AgentDoc, AlertDoc, ConversationDoc, MessageDoc } from './store/models';

/** The public shapes of the contract: plain objects with string ids and ISO-8601 UTC times. */

export type Role = 'agent' | 'supervisor' | 'admin';
export interface Agent {
  id: string;
  name: string;
  email: string;
  role: Role;
  online: boolean;
}

export type ConversationStatus = 'open' | 'pending' | 'snoozed' | 'resolved';
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
  lossReason: string | null;
  createdAt: string;
}

export type MessageStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
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
}

export type AlertType = 'escalated' | 'sla_warning' | 'sla_breach' | 'delivery_failed';
export interface Alert {
  id: string;
  type: AlertType;
  conversationId: string;
  channel: Channel;
  agentId?: string;
  messageId?: string;
  detail?: string;
  createdAt: string;
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
const idOf = (v: { toString(): string } | null | undefined): string | null => (v ? v.toString() : null);

export function toAgent(doc: AgentDoc, online: boolean): Agent {
  return { id: doc._id.toString(), name: doc.name, email: doc.email, role: doc.role as Role, online };
}

export function toConversation(doc: ConversationDoc): Conversation {
  return {
    id: doc._id.toString(),
    channel: doc.channel as Channel,
    status: doc.status as ConversationStatus,
    contact: { id: doc.contactId.toString(), name: doc.contactName, reachable: doc.contactReachable !== false },
    assigneeId: idOf(doc.assigneeId),
    lastMessageAt: doc.lastMessageAt.toISOString(),
    lastMessagePreview: doc.lastMessagePreview ?? '',
    awaitingReplySince: iso(doc.awaitingReplySince),
    lastInboundAt: iso(doc.lastInboundAt),
    firstResponseAt: iso(doc.firstResponseAt),
    firstResponseDueAt: iso(doc.firstResponseDueAt),
    escalationStep: doc.escalationStep ?? 0,
    escalationDueAt: iso(doc.escalationDueAt),
    unreadCount: doc.unreadCount ?? 0,
    outcome: (doc.outcome ?? null) as Conversation['outcome'],
    lossReason: doc.lossReason ?? null,
    createdAt: (doc as { createdAt?: Date }).createdAt?.toISOString() ?? doc.lastMessageAt.toISOString(),
  };
}

export function toMessage(doc: MessageDoc): Message {
  const sender: Message['sender'] = { type: doc.sender?.type as Message['sender']['type'] };
  if (doc.sender?.id) sender.id = doc.sender.id;
  if (doc.sender?.name) sender.name = doc.sender.name;
  return {
    id: doc._id.toString(),
    conversationId: doc.conversationId.toString(),
    channel: doc.channel as Channel,
    direction: doc.direction as 'in' | 'out',
    sender,
    text: doc.text ?? '',
    ...(doc.template ? { template: doc.template as Template } : {}),
    attachments: (doc.attachments ?? []) as Attachment[],
    externalId: doc.externalId ?? null,
    status: doc.status as MessageStatus,
    error: doc.error ?? null,
    createdAt: (doc as { createdAt?: Date }).createdAt?.toISOString() ?? new Date().toISOString(),
    editedAt: iso(doc.editedAt),
    ...(doc.automated ? { automated: true } : {}),
    ...(doc.subject ? { subject: doc.subject } : {}),
    ...(doc.quoted ? { quoted: doc.quoted } : {}),
  };
}

export function toAlert(doc: AlertDoc): Alert {
  const alert: Alert = {
    id: doc._id.toString(),
    type: doc.type as AlertType,
    conversationId: doc.conversationId.toString(),
    channel: doc.channel as Channel,
    createdAt: (doc as { createdAt?: Date }).createdAt?.toISOString() ?? new Date().toISOString(),
  };
  if (doc.agentId) alert.agentId = doc.agentId.toString();
  if (doc.messageId) alert.messageId = doc.messageId.toString();
  if (doc.detail) alert.detail = doc.detail;
  return alert;
}
