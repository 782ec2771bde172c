import type { Types } from 'mongoose';
import type { Channel } from '../shared/channels';
import type { Logger } from '../shared/logger';
import type { InboundContact, InboundContactState, InboundEdit, InboundEvent, InboundMessage, InboundReceipt } from '../shared/messages';
import type { Assignment } from './assignment';
import { InboxEvent, type InboxEvents } from './events';
import type { Clock, Deadlines } from './ports';
import { contactIdFor, conversationIdFor, inboundMessageIdFor } from './store/ids';
import { type ContactDoc, type ConversationDoc, isDuplicateKey, type MessageDoc, type Models } from './store/models';
import { toConversation, toMessage } from './views';

export interface IngestResult {
  duplicate: boolean;
  messageId?: string;
  conversationId?: string;
}

const previewOf = (text: string, attachments: readonly { kind: string }[]): string =>
  (text || (attachments[0] ? `[${attachments[0].kind}]` : '')).slice(0, 200);

/** Inbound messages a conversation remembers having applied: far more than can be redelivered at once. */
const APPLIED_KEPT = 20;

/** Status order for receipts: a late `delivered` never overwrites `read`. */
const statusRank: Record<string, number> = { queued: 0, sent: 1, delivered: 2, read: 3 };

/**
 * Inbound path: contact upserted beside the message's insert → the message's effects applied to the contact's
 * conversation (opened with them if it is the first) → the message marked done → live event. No multi-document
 * transactions: every step is idempotent or guarded (a unique key, the conversation's applied messages, the state it
 * was decided on), so a redelivery stores one message and finishes what a crashed first delivery began, and
 * concurrent first messages open one conversation.
 */
export class Ingest {
  constructor(
    private readonly models: Models,
    private readonly events: InboxEvents,
    private readonly assignment: Assignment,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly deadlines: Deadlines,
  ) {}

  async handle(event: InboundEvent): Promise<IngestResult> {
    switch (event.kind) {
      case 'message':
        return this.message(event);
      case 'edit':
        return this.edit(event);
      case 'receipt':
        return this.receipt(event);
      case 'contact':
        return this.contactState(event);
    }
  }

  /**
   * A customer's message in few round trips, none of them serialized with other customers': the contact's upsert
   * beside the message's insert (their ids derive from the platform's, so neither waits for the other), one write
   * of the conversation (two when a wait starts or it reopens; an insert for a new customer, assigned in the same
   * write), and the message marked done.
   */
  async message(msg: InboundMessage): Promise<IngestResult> {
    const receivedAt = this.clock();
    const contactId = contactIdFor(msg.channel, msg.contact.externalId);
    const conversationId = conversationIdFor(contactId);
    const messageId = inboundMessageIdFor(`${msg.channel}:${msg.externalId}`);
    const [contact, stored] = await Promise.all([
      this.upsertContact(contactId, msg.channel, msg.contact),
      this.storeMessage(messageId, conversationId, contactId, msg, receivedAt),
    ]);
    if (!stored) return { duplicate: true, messageId: messageId.toString(), conversationId: conversationId.toString() };
    const { message, resumed } = stored;

    // Everything below may run twice for one message (a redelivery after a crash): each step is guarded or idempotent.
    const at = message.createdAt ?? receivedAt;
    const { conversation, applied } = await this.applyToConversation(conversationId, contact, message, at);
    await this.models.Message.updateOne({ _id: message._id }, { $unset: { pending: 1 } });
    const result = { messageId: message._id.toString(), conversationId: conversation._id.toString() };
    // Whoever applied the effects tells the inbox: a copy that arrived while the first was still at work did not.
    if (!applied) return { duplicate: true, ...result };
    if (resumed) {
      this.log.warn(
        { channel: msg.channel, messageId: messageId.toString() },
        'redelivery finished a message whose first delivery stopped half-way',
      );
    }
    this.events.emit(InboxEvent.MessageNew, { conversation: toConversation(conversation), message: toMessage(message) });
    this.log.debug({ channel: msg.channel, conversationId: conversation._id.toString() }, 'inbound message stored');
    return { duplicate: false, ...result };
  }

  /**
   * Inserts the message, pending until its conversation took it; null when it is stored and done already (a
   * redelivery). A redelivery that finds it still pending resumes it: the first delivery's process died meanwhile.
   */
  private async storeMessage(
    messageId: Types.ObjectId,
    conversationId: Types.ObjectId,
    contactId: Types.ObjectId,
    msg: InboundMessage,
    receivedAt: Date,
  ): Promise<{ message: MessageDoc; resumed: boolean } | null> {
    try {
      const created = await this.models.Message.create({
        _id: messageId,
        conversationId,
        channel: msg.channel,
        direction: 'in',
        sender: { type: 'contact', id: contactId.toString(), name: msg.author ?? msg.contact.name },
        text: msg.text,
        attachments: msg.attachments,
        externalId: msg.externalId,
        dedupeKey: `${msg.channel}:${msg.externalId}`,
        status: 'received',
        platformAt: msg.sentAt,
        source: msg.source ?? null,
        ...(msg.automated ? { automated: true } : {}),
        ...(msg.subject ? { subject: msg.subject } : {}),
        ...(msg.quoted ? { quoted: msg.quoted } : {}),
        raw: msg.raw,
        pending: true,
        createdAt: receivedAt,
      });
      return { message: created.toObject() as MessageDoc, resumed: false };
    } catch (e) {
      // Redelivery: the primary key (derived from the platform's id) is already taken.
      if (!isDuplicateKey(e)) throw e;
      const stored = await this.models.Message.findById(messageId).lean<MessageDoc>();
      return stored?.pending ? { message: stored, resumed: true } : null;
    }
  }

  /** Finds or creates the contact in one upsert, with what the platform says of them now. */
  private async upsertContact(
    _id: Types.ObjectId,
    channel: Channel,
    contact: InboundContact,
  ): Promise<{ doc: ContactDoc; created: boolean }> {
    const fields: Record<string, string> = { name: contact.name };
    for (const key of ['username', 'email', 'phone', 'language'] as const) {
      const value = contact[key];
      if (value) fields[key] = value;
    }
    const now = new Date();
    const res = (await this.models.Contact.findOneAndUpdate(
      { _id },
      { $set: { ...fields, updatedAt: now }, $setOnInsert: { channel, externalId: contact.externalId, reachable: true, createdAt: now } },
      { upsert: true, returnDocument: 'after', includeResultMetadata: true, timestamps: false },
    ).lean()) as unknown as { value: ContactDoc | null; lastErrorObject?: { updatedExisting?: boolean } };
    if (!res.value) throw new Error(`contact ${_id.toString()} could not be written`);
    return { doc: res.value, created: res.lastErrorObject?.updatedExisting === false };
  }

  /**
   * The message's effects on its conversation, applied once: a new customer's conversation is inserted with them.
   * `applied` is false when another delivery of the same message applied them.
   */
  private async applyToConversation(
    id: Types.ObjectId,
    contact: { doc: ContactDoc; created: boolean },
    message: MessageDoc,
    at: Date,
  ): Promise<{ conversation: ConversationDoc; applied: boolean }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!contact.created || attempt > 0) {
        const after = await this.applyCustomerTurn(id, message, at);
        if (after) return { conversation: after, applied: true };
        // Already applied (another delivery of this message), or there is no conversation yet.
        const existing = await this.models.Conversation.findById(id).lean<ConversationDoc>();
        // Applied by another delivery: done. Opened by this customer's other message meanwhile: apply to it.
        if (existing?.appliedInbound?.some((m) => m.equals(message._id))) return { conversation: existing, applied: false };
        if (existing) continue;
      }
      try {
        return { conversation: await this.openConversation(id, contact.doc, message, at), applied: true };
      } catch (e) {
        // Another message of this customer opened it first: apply this one to theirs.
        if (!isDuplicateKey(e)) throw e;
      }
    }
    throw new Error(`conversation ${id.toString()} could neither be opened nor updated`);
  }

  /** A new customer's conversation, inserted whole: the message applied, the wait started, an agent assigned. */
  private async openConversation(id: Types.ObjectId, contact: ContactDoc, message: MessageDoc, at: Date): Promise<ConversationDoc> {
    const channel = contact.channel as Channel;
    // A machine's mail (a bounce, an auto-reply) is shown, but nobody waits on it: no timers, nobody assigned.
    const automated = message.automated === true;
    const due = automated ? { escalationDueAt: null, slaWarnAt: null, slaBreachAt: null } : this.deadlines.forWait(channel, at, true);
    const assigneeId = automated ? null : await this.assignment.nextAgent();
    const created = await this.models.Conversation.create({
      _id: id,
      contactId: contact._id,
      channel,
      contactName: contact.name,
      status: 'open',
      assigneeId,
      lastMessageAt: at,
      lastInboundAt: at,
      firstInboundAt: automated ? null : at,
      awaitingReplySince: automated ? null : at,
      ...due,
      firstResponseDueAt: due.slaBreachAt,
      lastMessagePreview: previewOf(message.text ?? '', message.attachments ?? []),
      unreadCount: 1,
      appliedInbound: [message._id],
      contactReachable: contact.reachable !== false,
    });
    return created.toObject() as ConversationDoc;
  }

  /**
   * A returning customer's message: one guarded write of what every message changes, returning the conversation as
   * it was; then, only when that shows a wait to start or a conversation to reopen, one more guarded write. Null
   * when the conversation does not exist or already took this message.
   */
  private async applyCustomerTurn(id: Types.ObjectId, message: MessageDoc, at: Date): Promise<ConversationDoc | null> {
    const { Conversation } = this.models;
    const preview = previewOf(message.text ?? '', message.attachments ?? []);
    const automated = message.automated === true;
    // Once per message: the guard on appliedInbound makes a second application (a redelivery) find nothing to do.
    const before = await Conversation.findOneAndUpdate(
      { _id: id, appliedInbound: { $ne: message._id } },
      {
        $max: { lastMessageAt: at, lastInboundAt: at },
        // A machine's mail neither reopens a resolved conversation nor starts a wait (below).
        $set: automated ? { lastMessagePreview: preview } : { status: 'open', lastMessagePreview: preview },
        $inc: { unreadCount: 1 },
        $push: { appliedInbound: { $each: [message._id], $slice: -APPLIED_KEPT } },
      },
      { returnDocument: 'before' },
    ).lean<ConversationDoc>();
    if (!before) return null;
    const after: ConversationDoc = {
      ...before,
      status: automated ? before.status : 'open',
      lastMessagePreview: preview,
      unreadCount: (before.unreadCount ?? 0) + 1,
      lastMessageAt: before.lastMessageAt && before.lastMessageAt > at ? before.lastMessageAt : at,
      lastInboundAt: before.lastInboundAt && before.lastInboundAt > at ? before.lastInboundAt : at,
    };
    if (automated) return after;
    const startsWait = before.awaitingReplySince == null;
    const reopens = before.status === 'resolved';
    if (!startsWait && !reopens && before.firstInboundAt != null) return after;

    // Conditional on the state just read, so a second message racing this one cannot restart the wait.
    const set: Record<string, unknown> = {};
    const guard: Record<string, unknown> = { _id: id };
    if (startsWait) {
      const firstResponse = before.firstResponseAt == null;
      const due = this.deadlines.forWait(before.channel as Channel, at, firstResponse);
      Object.assign(set, { awaitingReplySince: at, ...due, ...(firstResponse ? { firstResponseDueAt: due.slaBreachAt } : {}) });
      guard.awaitingReplySince = null;
    }
    if (before.firstInboundAt == null) set.firstInboundAt = at;
    if (reopens) Object.assign(set, { outcome: null, lossReason: null, resolvedAt: null, escalationStep: 0, triedAgentIds: [] });
    const updated = await Conversation.findOneAndUpdate(guard, { $set: set }, { returnDocument: 'after' }).lean<ConversationDoc>();
    let current = updated ?? after;
    if (!current.assigneeId && (before.firstInboundAt == null || reopens)) {
      current = (await this.assignment.assignIfUnassigned(id)) ?? current;
    }
    return current;
  }

  /** Reads a document, or inserts it; when another writer inserted it first, reads theirs. */
  private async findOrInsert<T>(find: () => Promise<T | null>, insert: () => Promise<unknown>): Promise<T> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const found = await find();
      if (found) return found;
      try {
        await insert();
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
    }
    const found = await find();
    if (!found) throw new Error('a document inserted a moment ago cannot be read back');
    return found;
  }

  async edit(edit: InboundEdit): Promise<IngestResult> {
    return this.applyEdit(edit);
  }

  private async applyEdit(edit: InboundEdit): Promise<IngestResult> {
    const _id = inboundMessageIdFor(`${edit.channel}:${edit.externalId}`);
    const message = await this.models.Message.findOneAndUpdate(
      { _id, $or: [{ editedAt: null }, { editedAt: { $lt: edit.editedAt } }] },
      { $set: { text: edit.text, attachments: edit.attachments, editedAt: edit.editedAt } },
      { returnDocument: 'after' },
    ).lean<MessageDoc>();
    if (!message) {
      const exists = await this.models.Message.exists({ _id });
      if (exists) return { duplicate: true, messageId: exists._id.toString() };
      // The original never reached us: keep the customer's words as a message of their own.
      return this.message({ ...edit, kind: 'message', sentAt: edit.editedAt });
    }
    await this.emitMessageUpdated(message);
    return { duplicate: false, messageId: message._id.toString(), conversationId: message.conversationId.toString() };
  }

  async receipt(receipt: InboundReceipt): Promise<IngestResult> {
    return this.applyReceipt(receipt);
  }

  private async applyReceipt(receipt: InboundReceipt): Promise<IngestResult> {
    type Status = MessageDoc['status'];
    const lower: Status[] =
      receipt.status === 'failed'
        ? ['queued', 'sent', 'delivered']
        : (Object.keys(statusRank) as Status[]).filter((s) => (statusRank[s] ?? 0) < (statusRank[receipt.status] ?? 0));
    // By the platform's id, which the outbox stores with `sent` in one write (the messages' channel/externalId index).
    const message = await this.models.Message.findOneAndUpdate(
      { channel: receipt.channel, externalId: receipt.externalId, direction: 'out', status: { $in: lower } },
      { $set: { status: receipt.status, ...(receipt.error ? { error: receipt.error } : {}) } },
      { returnDocument: 'after' },
    ).lean<MessageDoc>();
    if (!message) return { duplicate: true };
    await this.emitMessageUpdated(message);
    return { duplicate: false, messageId: message._id.toString(), conversationId: message.conversationId.toString() };
  }

  /** Subscribed / unsubscribed / blocked: replies are refused up front while the customer cannot be reached. */
  async contactState(state: InboundContactState): Promise<IngestResult> {
    return this.applyContactState(state);
  }

  private async applyContactState(state: InboundContactState): Promise<IngestResult> {
    // The event may carry no real name (Viber's `unsubscribed` has only the user id): never overwrite one with it.
    const filter = { _id: contactIdFor(state.channel, state.contact.externalId) };
    const existing = await this.findOrInsert(
      () => this.models.Contact.findById(filter._id).lean<ContactDoc>(),
      () =>
        this.models.Contact.create({
          ...filter,
          channel: state.channel,
          externalId: state.contact.externalId,
          name: state.contact.name,
          reachable: state.reachable,
        }),
    );
    if (existing.reachable !== state.reachable) await this.models.Contact.updateOne(filter, { $set: { reachable: state.reachable } });
    const contact = existing;
    const found = await this.models.Conversation.findById(conversationIdFor(contact._id), { _id: 1 }).lean();
    const conversation =
      found &&
      (await this.models.Conversation.findOneAndUpdate(
        { _id: found._id, contactReachable: { $ne: state.reachable } },
        { $set: { contactReachable: state.reachable } },
        { returnDocument: 'after' },
      ).lean<ConversationDoc>());
    if (conversation) this.events.emit(InboxEvent.ConversationUpdated, { conversation: toConversation(conversation) });
    return { duplicate: !conversation, conversationId: conversation?._id.toString() };
  }

  private async emitMessageUpdated(message: MessageDoc): Promise<void> {
    const conversation = await this.models.Conversation.findById(message.conversationId).lean<ConversationDoc>();
    if (conversation) {
      this.events.emit(InboxEvent.MessageUpdated, { conversation: toConversation(conversation), message: toMessage(message) });
    }
  }
}
