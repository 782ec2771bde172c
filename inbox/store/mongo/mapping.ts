import { Types } from 'mongoose';
import type { Channel } from '../../../shared/channels';
import type { Attachment, Choice, Template } from '../../../shared/messages';
import type {
  AgentRecord,
  AlertRecord,
  AlertType,
  ContactRecord,
  ConversationRecord,
  ConversationStatus,
  MessageRecord,
  MessageStatus,
  OutboxEntry,
  Outcome,
  ResponseKind,
  ResponseRecord,
  Role,
  Sender,
} from '../records';
import type { AgentDoc, AlertDoc, ContactDoc, ConversationDoc, MessageDoc, ResponseDoc } from './models';

/** Stored documents to the port's plain records, and record ids to stored ids. */

/** The stored id of a record id (24 hex digits; checked by the callers that take ids from outside). */
export const oid = (id: string): Types.ObjectId => new Types.ObjectId(id);
export const oidOrNull = (id: string | null | undefined): Types.ObjectId | null => (id ? new Types.ObjectId(id) : null);

const str = (v: { toString(): string } | null | undefined): string | null => (v ? v.toString() : null);
const date = (d: Date | null | undefined): Date | null => d ?? null;
const created = (doc: { createdAt?: Date }): Date => doc.createdAt ?? new Date();

/*
 * FerretDB drops null-valued fields on upsert, so a field declared `default: null` may be absent from a stored
 * document: every field below is read with `?? null`, and queries on `{field: null}` match both (as in MongoDB).
 */

export function toContactRecord(doc: ContactDoc): ContactRecord {
  return {
    id: doc._id.toString(),
    channel: doc.channel as Channel,
    externalId: doc.externalId,
    name: doc.name,
    username: doc.username ?? null,
    email: doc.email ?? null,
    phone: doc.phone ?? null,
    language: doc.language ?? null,
    reachable: doc.reachable !== false,
    createdAt: (doc as { createdAt?: Date }).createdAt ?? null,
    givenName: doc.givenName ?? null,
    givenPhone: doc.givenPhone ?? null,
    need: doc.need ?? null,
  };
}

export function toConversationRecord(doc: ConversationDoc): ConversationRecord {
  return {
    id: doc._id.toString(),
    channel: doc.channel as Channel,
    contactId: doc.contactId.toString(),
    contactName: doc.contactName,
    contactReachable: doc.contactReachable !== false,
    status: doc.status as ConversationStatus,
    assigneeId: str(doc.assigneeId),
    lastMessageAt: doc.lastMessageAt,
    lastMessagePreview: doc.lastMessagePreview ?? '',
    awaitingReplySince: date(doc.awaitingReplySince),
    firstInboundAt: date(doc.firstInboundAt),
    lastInboundAt: date(doc.lastInboundAt),
    firstResponseAt: date(doc.firstResponseAt),
    firstResponderId: str(doc.firstResponderId),
    unreadCount: doc.unreadCount ?? 0,
    appliedInbound: (doc.appliedInbound ?? []).map(String),
    escalationStep: doc.escalationStep ?? 0,
    triedAgentIds: (doc.triedAgentIds ?? []).map(String),
    escalationDueAt: date(doc.escalationDueAt),
    slaWarnAt: date(doc.slaWarnAt),
    slaBreachAt: date(doc.slaBreachAt),
    firstResponseDueAt: date(doc.firstResponseDueAt),
    snoozedUntil: date(doc.snoozedUntil),
    outcome: (doc.outcome ?? null) as Outcome | null,
    lossReason: doc.lossReason ?? null,
    lossReasonId: str(doc.lossReasonId),
    lossNote: doc.lossNote ?? null,
    resolvedAt: date(doc.resolvedAt),
    createdAt: (doc as { createdAt?: Date }).createdAt ?? doc.lastMessageAt,
    heldByBot: doc.heldByBot === true,
  };
}

export function toMessageRecord(doc: MessageDoc): MessageRecord {
  const sender: Sender = { type: doc.sender?.type as Sender['type'] };
  if (doc.sender?.id) sender.id = doc.sender.id;
  if (doc.sender?.name) sender.name = doc.sender.name;
  return {
    id: doc._id.toString(),
    conversationId: doc.conversationId.toString(),
    channel: doc.channel as Channel,
    direction: doc.direction as 'in' | 'out',
    sender,
    text: doc.text ?? '',
    template: (doc.template ?? null) as Template | null,
    attachments: (doc.attachments ?? []) as Attachment[],
    externalId: doc.externalId ?? null,
    status: doc.status as MessageStatus,
    error: doc.error ?? null,
    createdAt: created(doc as { createdAt?: Date }),
    editedAt: date(doc.editedAt),
    ...(doc.automated ? { automated: true } : {}),
    ...(doc.retries ? { retries: doc.retries } : {}),
    ...(doc.subject ? { subject: doc.subject } : {}),
    ...(doc.quoted ? { quoted: doc.quoted } : {}),
    ...(doc.note ? { note: true } : {}),
    ...(doc.choices?.length ? { choices: doc.choices as Choice[] } : {}),
    ...(doc.choice ? { choice: doc.choice } : {}),
  };
}

export function toOutboxEntry(doc: MessageDoc): OutboxEntry {
  return {
    ...toMessageRecord(doc),
    attempts: doc.attempts ?? 0,
    queuedAt: date(doc.queuedAt),
    sendingSince: date(doc.sendingSince),
    uncertainAttempts: doc.uncertainAttempts ?? 0,
    to: doc.to ?? null,
    lastInboundAt: date(doc.lastInboundAt),
    ...(doc.listUnsubscribe ? { listUnsubscribe: doc.listUnsubscribe } : {}),
  };
}

/** The message an outbox entry is, without its delivery state: what `toMessageRecord` gives of the same document. */
export function messageOfEntry(entry: OutboxEntry): MessageRecord {
  const { attempts, queuedAt, sendingSince, uncertainAttempts, to, lastInboundAt, listUnsubscribe, ...message } = entry;
  return message;
}

export function toAgentRecord(doc: AgentDoc): AgentRecord {
  return {
    id: doc._id.toString(),
    name: doc.name,
    email: doc.email,
    role: doc.role as Role,
    passwordHash: doc.passwordHash,
    // Accounts made before deactivation existed have no such field: they are active.
    active: doc.active !== false,
  };
}

export function toAlertRecord(doc: AlertDoc): AlertRecord {
  return {
    id: doc._id.toString(),
    type: doc.type as AlertType,
    conversationId: str(doc.conversationId),
    channel: (doc.channel ?? null) as Channel | null,
    agentId: str(doc.agentId),
    messageId: str(doc.messageId),
    taskId: str(doc.taskId),
    detail: doc.detail ?? null,
    createdAt: created(doc as { createdAt?: Date }),
  };
}

export function toResponseRecord(doc: Omit<ResponseDoc, '_id'>): ResponseRecord {
  return {
    conversationId: doc.conversationId.toString(),
    channel: doc.channel as Channel,
    agentId: doc.agentId.toString(),
    kind: doc.kind as ResponseKind,
    waitingSince: doc.waitingSince,
    respondedAt: doc.respondedAt,
    durationMs: doc.durationMs,
    messageId: doc.messageId.toString(),
    withinTarget: doc.withinTarget ?? null,
  };
}
