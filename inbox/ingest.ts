import type { Channel } from '../shared/channels';
import type { Logger } from '../shared/logger';
import type { InboundContact, InboundContactState, InboundEdit, InboundEvent, InboundMessage, InboundReceipt } from '../shared/messages';
import type { Assignment } from './assignment';
import { InboxEvent, type InboxEvents } from './events';
import type { Clock, Deadlines } from './ports';
import { type ContactDoc, type ConversationDoc, isDuplicateKey, type MessageDoc, type Models } from './store/models';
import { toConversation, toMessage } from './views';

export interface IngestResult {
  duplicate: boolean;
  messageId?: string;
  conversationId?: string;
}

const previewOf = (text: string, attachments: readonly { kind: string }[]): string =>
  (text || (attachments[0] ? `[${attachments[0].kind}]` : '')).slice(0, 200);

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

  async message(msg: InboundMessage): Promise<IngestResult> {
    const dedupeKey = `${msg.channel}:${msg.externalId}`;
    const known = await this.models.Message.findOne({ dedupeKey }, { _id: 1, conversationId: 1 }).lean();
    if (known) return { duplicate: true, messageId: known._id.toString(), conversationId: known.conversationId.toString() };

    const receivedAt = this.clock();
    const contact = await this.upsertContact(msg.channel, msg.contact);
    const before = await this.openConversation(contact, msg.channel, receivedAt);

    let message: MessageDoc;
    try {
      const created = await this.models.Message.create({
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
        createdAt: receivedAt,
      });
      message = created.toObject() as MessageDoc;
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      const existing = await this.models.Message.findOne({ dedupeKey }, { _id: 1, conversationId: 1 }).lean();
      return { duplicate: true, messageId: existing?._id.toString(), conversationId: existing?.conversationId.toString() };
    }

    let conversation = await this.applyCustomerTurn(before, message, receivedAt);
    if (!conversation.assigneeId && (before.firstInboundAt == null || before.status === 'resolved')) {
      conversation = (await this.assignment.assignIfUnassigned(conversation._id)) ?? conversation;
    }
    this.events.emit(InboxEvent.MessageNew, { conversation: toConversation(conversation), message: toMessage(message) });
    this.log.debug({ channel: msg.channel, conversationId: conversation._id.toString() }, 'inbound message stored');
    return { duplicate: false, messageId: message._id.toString(), conversationId: conversation._id.toString() };
  }

  private async upsertContact(channel: Channel, contact: InboundContact): Promise<ContactDoc> {
    const set: Record<string, string> = { name: contact.name };
    for (const key of ['username', 'email', 'phone', 'language'] as const) {
      const value = contact[key];
      if (value) set[key] = value;
    }
    return this.retryOnDuplicate(() =>
      this.models.Contact.findOneAndUpdate(
        { channel, externalId: contact.externalId },
        { $set: set, $setOnInsert: { channel, externalId: contact.externalId, reachable: true } },
        { upsert: true, returnDocument: 'after' },
      ).lean<ContactDoc>(),
    );
  }

  /** The contact's one conversation, created empty if it is their first message. */
  private async openConversation(contact: ContactDoc, channel: Channel, now: Date): Promise<ConversationDoc> {
    return this.retryOnDuplicate(() =>
      this.models.Conversation.findOneAndUpdate(
        { contactId: contact._id },
        {
          $setOnInsert: {
            contactId: contact._id,
            channel,
            contactName: contact.name,
            status: 'open',
            lastMessageAt: now,
            awaitingReplySince: null,
            firstInboundAt: null,
            unreadCount: 0,
          },
        },
        { upsert: true, returnDocument: 'after' },
      ).lean<ConversationDoc>(),
    );
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
    const after = await Conversation.findOneAndUpdate(
      { _id: id },
      {
        $max: { lastMessageAt: at, lastInboundAt: at },
        $set: { status: 'open', lastMessagePreview: previewOf(message.text ?? '', message.attachments ?? []), ...reopened },
        $inc: { unreadCount: 1 },
      },
      { returnDocument: 'after' },
    ).lean<ConversationDoc>();
    if (!after) throw new Error(`conversation ${id.toString()} vanished during ingest`);
    return after;
  }

  async edit(edit: InboundEdit): Promise<IngestResult> {
    const dedupeKey = `${edit.channel}:${edit.externalId}`;
    const message = await this.models.Message.findOneAndUpdate(
      { dedupeKey, $or: [{ editedAt: null }, { editedAt: { $lt: edit.editedAt } }] },
      { $set: { text: edit.text, attachments: edit.attachments, editedAt: edit.editedAt } },
      { returnDocument: 'after' },
    ).lean<MessageDoc>();
    if (!message) {
      const exists = await this.models.Message.exists({ dedupeKey });
      if (exists) return { duplicate: true, messageId: exists._id.toString() };
      // The original never reached us: keep the customer's words as a message of their own.
      return this.message({ ...edit, kind: 'message', sentAt: edit.editedAt });
    }
    await this.emitMessageUpdated(message);
    return { duplicate: false, messageId: message._id.toString(), conversationId: message.conversationId.toString() };
  }

  async receipt(receipt: InboundReceipt): Promise<IngestResult> {
    type Status = MessageDoc['status'];
    const lower: Status[] =
      receipt.status === 'failed'
        ? ['queued', 'sent', 'delivered']
        : (Object.keys(statusRank) as Status[]).filter((s) => (statusRank[s] ?? 0) < (statusRank[receipt.status] ?? 0));
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
    // The event may carry no real name (Viber's `unsubscribed` has only the user id): never overwrite one with it.
    const contact = await this.retryOnDuplicate(() =>
      this.models.Contact.findOneAndUpdate(
        { channel: state.channel, externalId: state.contact.externalId },
        {
          $set: { reachable: state.reachable },
          $setOnInsert: { channel: state.channel, externalId: state.contact.externalId, name: state.contact.name },
        },
        { upsert: true, returnDocument: 'after' },
      ).lean<ContactDoc>(),
    );
    const conversation = await this.models.Conversation.findOneAndUpdate(
      { contactId: contact._id, contactReachable: { $ne: state.reachable } },
      { $set: { contactReachable: state.reachable } },
      { returnDocument: 'after' },
    ).lean<ConversationDoc>();
    if (conversation) this.events.emit(InboxEvent.ConversationUpdated, { conversation: toConversation(conversation) });
    return { duplicate: !conversation, conversationId: conversation?._id.toString() };
  }

  private async emitMessageUpdated(message: MessageDoc): Promise<void> {
    const conversation = await this.models.Conversation.findById(message.conversationId).lean<ConversationDoc>();
    if (conversation) {
      this.events.emit(InboxEvent.MessageUpdated, { conversation: toConversation(conversation), message: toMessage(message) });
    }
  }

  /** Upserts race on unique indexes under concurrency; the loser simply reads what the winner wrote. */
  private async retryOnDuplicate<T>(op: () => Promise<T | null>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await op();
        if (result) return result;
      } catch (e) {
        if (!isDuplicateKey(e) || attempt >= 5) throw e;
      }
      if (attempt >= 5) throw new Error('upsert returned no document');
    }
  }
}
