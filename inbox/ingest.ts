import type { Types } from 'mongoose';
import type { Channel } from '../shared/channels';
import type { Logger } from '../shared/logger';
import type { InboundContact, InboundContactState, InboundEdit, InboundEvent, InboundMessage, InboundReceipt } from '../shared/messages';
import type { Assignment } from './assignment';
import { InboxEvent, type InboxEvents } from './events';
import type { KeyedLock } from './keyed-lock';
import type { OpenFigures } from './open-figures';
import type { Clock, Deadlines } from './ports';
import { contactIdFor, conversationIdFor, inboundMessageIdFor, messageRefIdFor } from './store/ids';
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
 * Inbound path: contact upserted → the contact's conversation found or opened → message inserted once →
 * conversation updated → live event. No multi-document transactions: every step is idempotent or guarded by a
 * unique index, and only the process whose insert won applies the message's effects, so concurrent redelivery
 * stores one message and concurrent first messages open one conversation.
 */
export class Ingest {
  constructor(
    private readonly models: Models,
    private readonly events: InboxEvents,
    private readonly assignment: Assignment,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly lock: KeyedLock,
    private readonly deadlines: Deadlines,
    private readonly openFigures: OpenFigures,
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

  async message(msg: InboundMessage): Promise<IngestResult> {
    const receivedAt = this.clock();
    const contact = await this.lock.run(`contact:${msg.channel}:${msg.contact.externalId}`, () =>
      this.upsertContact(msg.channel, msg.contact),
    );
    const opened = await this.openConversation(contact, msg.channel, receivedAt);
    return this.lock.run(`conversation:${opened._id.toString()}`, () => this.storeInConversation(opened._id, contact, msg, receivedAt));
  }

  private async storeInConversation(
    conversationId: Types.ObjectId,
    contact: ContactDoc,
    msg: InboundMessage,
    receivedAt: Date,
  ): Promise<IngestResult> {
    const dedupeKey = `${msg.channel}:${msg.externalId}`;
    const messageId = inboundMessageIdFor(dedupeKey);
    const before = await this.models.Conversation.findById(conversationId).lean<ConversationDoc>();
    if (!before) throw new Error(`conversation ${conversationId.toString()} vanished during ingest`);
    let message: MessageDoc;
    let resumed = false;
    try {
      const created = await this.models.Message.create({
        _id: messageId,
        conversationId: before._id,
        channel: msg.channel,
        direction: 'in',
        sender: { type: 'contact', id: contact._id.toString(), name: contact.name },
        text: msg.text,
        attachments: msg.attachments,
        externalId: msg.externalId,
        dedupeKey,
        status: 'received',
        platformAt: msg.sentAt,
        source: msg.source ?? null,
        raw: msg.raw,
        pending: true,
        createdAt: receivedAt,
      });
      message = created.toObject() as MessageDoc;
    } catch (e) {
      // Redelivery: the primary key (derived from the platform's id) is already taken.
      if (!isDuplicateKey(e)) throw e;
      const stored = await this.models.Message.findById(messageId).lean<MessageDoc>();
      if (!stored?.pending) return { duplicate: true, messageId: messageId.toString(), conversationId: conversationId.toString() };
      // The first delivery stored the message and died before its conversation took it: finish that now.
      message = stored;
      resumed = true;
    }

    // Everything below may run twice for one message (a redelivery after a crash): each step is guarded or idempotent.
    const at = message.createdAt ?? receivedAt;
    let conversation = await this.applyCustomerTurn(before, message, at);
    if (!conversation.assigneeId && (before.firstInboundAt == null || before.status === 'resolved')) {
      conversation = (await this.assignment.assignIfUnassigned(conversation._id)) ?? conversation;
    }
    await this.models.Message.updateOne({ _id: message._id }, { $unset: { pending: 1 } });
    if (resumed)
      this.log.warn(
        { channel: msg.channel, messageId: messageId.toString() },
        'redelivery finished a message whose first delivery stopped half-way',
      );
    this.events.emit(InboxEvent.MessageNew, { conversation: toConversation(conversation), message: toMessage(message) });
    this.log.debug({ channel: msg.channel, conversationId: conversation._id.toString() }, 'inbound message stored');
    return { duplicate: false, messageId: message._id.toString(), conversationId: conversation._id.toString() };
  }

  /**
   * Finds or creates the contact, writing only what changed. Creation is a plain insert guarded by the unique
   * index (not an upsert): on FerretDB an upsert that matches rewrites the whole stored document, which would race
   * with other writers.
   */
  private async upsertContact(channel: Channel, contact: InboundContact): Promise<ContactDoc> {
    const _id = contactIdFor(channel, contact.externalId);
    const filter = { _id };
    const fields: Record<string, string> = { name: contact.name };
    for (const key of ['username', 'email', 'phone', 'language'] as const) {
      const value = contact[key];
      if (value) fields[key] = value;
    }
    const existing = await this.findOrInsert(
      () => this.models.Contact.findOne(filter).lean<ContactDoc>(),
      () => this.models.Contact.create({ _id, channel, externalId: contact.externalId, ...fields, reachable: true }),
    );
    const changed = Object.entries(fields).filter(([key, value]) => (existing as Record<string, unknown>)[key] !== value);
    if (changed.length === 0) return existing;
    return (
      (await this.models.Contact.findOneAndUpdate(
        filter,
        { $set: Object.fromEntries(changed) },
        { returnDocument: 'after' },
      ).lean<ContactDoc>()) ?? existing
    );
  }

  /** The contact's one conversation, created empty if it is their first message. */
  private async openConversation(contact: ContactDoc, channel: Channel, now: Date): Promise<ConversationDoc> {
    const _id = conversationIdFor(contact._id);
    return this.findOrInsert(
      () => this.models.Conversation.findById(_id).lean<ConversationDoc>(),
      () =>
        this.models.Conversation.create({
          _id,
          contactId: contact._id,
          channel,
          contactName: contact.name,
          status: 'open',
          lastMessageAt: now,
          contactReachable: contact.reachable !== false,
        }),
    );
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

  /** The message's effects on its conversation, applied once by whoever inserted the message. */
  private async applyCustomerTurn(before: ConversationDoc, message: MessageDoc, at: Date): Promise<ConversationDoc> {
    const { Conversation } = this.models;
    const id = before._id;
    // Conditional writes rather than read-modify-write: a second message racing this one cannot restart the wait.
    // The wait's due times (escalation, first-response target) are stored with it in the same write.
    if (before.awaitingReplySince == null) {
      const firstResponse = before.firstResponseAt == null;
      const due = this.deadlines.forWait(before.channel as Channel, at, firstResponse);
      await Conversation.updateOne(
        { _id: id, awaitingReplySince: null },
        { $set: { awaitingReplySince: at, ...due, ...(firstResponse ? { firstResponseDueAt: due.slaBreachAt } : {}) } },
      );
    }
    if (before.firstInboundAt == null) {
      await Conversation.updateOne({ _id: id, firstInboundAt: null }, { $set: { firstInboundAt: at } });
    }
    const reopened =
      before.status === 'resolved' ? { outcome: null, lossReason: null, resolvedAt: null, escalationStep: 0, triedAgentIds: [] } : {};
    // Once per message: the guard on appliedInbound makes a second application (a redelivery) find nothing to do.
    const after =
      (await Conversation.findOneAndUpdate(
        { _id: id, appliedInbound: { $ne: message._id } },
        {
          $max: { lastMessageAt: at, lastInboundAt: at },
          $set: { status: 'open', lastMessagePreview: previewOf(message.text ?? '', message.attachments ?? []), ...reopened },
          $inc: { unreadCount: 1 },
          $push: { appliedInbound: { $each: [message._id], $slice: -APPLIED_KEPT } },
        },
        { returnDocument: 'after' },
      ).lean<ConversationDoc>()) ?? (await Conversation.findById(id).lean<ConversationDoc>());
    if (!after) throw new Error(`conversation ${id.toString()} vanished during ingest`);
    // Only a wait that starts or a first message changes the figure; a customer writing on while they wait does not.
    if (before.awaitingReplySince == null || before.firstInboundAt == null) await this.openFigures.sync(after);
    return after;
  }

  async edit(edit: InboundEdit): Promise<IngestResult> {
    return this.lock.run(`message:${edit.channel}:${edit.externalId}`, () => this.applyEdit(edit));
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
    return this.lock.run(`message:${receipt.channel}:${receipt.externalId}`, () => this.applyReceipt(receipt));
  }

  private async applyReceipt(receipt: InboundReceipt): Promise<IngestResult> {
    type Status = MessageDoc['status'];
    const lower: Status[] =
      receipt.status === 'failed'
        ? ['queued', 'sent', 'delivered']
        : (Object.keys(statusRank) as Status[]).filter((s) => (statusRank[s] ?? 0) < (statusRank[receipt.status] ?? 0));
    const ref = await this.models.MessageRef.findById(messageRefIdFor(receipt.channel, receipt.externalId)).lean();
    if (!ref) return { duplicate: true };
    const message = await this.models.Message.findOneAndUpdate(
      { _id: ref.messageId, status: { $in: lower } },
      { $set: { status: receipt.status, ...(receipt.error ? { error: receipt.error } : {}) } },
      { returnDocument: 'after' },
    ).lean<MessageDoc>();
    if (!message) return { duplicate: true };
    await this.emitMessageUpdated(message);
    return { duplicate: false, messageId: message._id.toString(), conversationId: message.conversationId.toString() };
  }

  /** Subscribed / unsubscribed / blocked: replies are refused up front while the customer cannot be reached. */
  async contactState(state: InboundContactState): Promise<IngestResult> {
    return this.lock.run(`contact:${state.channel}:${state.contact.externalId}`, () => this.applyContactState(state));
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
      (await this.lock.run(`conversation:${found._id.toString()}`, () =>
        this.models.Conversation.findOneAndUpdate(
          { _id: found._id, contactReachable: { $ne: state.reachable } },
          { $set: { contactReachable: state.reachable } },
          { returnDocument: 'after' },
        ).lean<ConversationDoc>(),
      ));
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
