import type { Channel } from '../shared/channels';
import type { Logger } from '../shared/logger';
import type { InboundContactState, InboundEdit, InboundEvent, InboundMessage, InboundReceipt } from '../shared/messages';
import type { Assignment } from './assignment';
import { recordInteraction } from './customers/activity';
import { InboxEvent, type InboxEvents } from './events';
import type { BotIntake, Clock, Deadlines } from './ports';
import { noDeadlines } from './ports';
import { contactIdFor, conversationIdFor, inboundMessageIdFor } from './store/ids';
import type { InboxStore } from './store/port';
import type { ContactRecord, ConversationRecord, MessageRecord, MessageStatus } from './store/records';
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
 * Inbound path: contact recorded beside the message's insert → the message's effects applied to the contact's
 * conversation (opened with them if it is the first) → the message marked done → live event. No multi-document
 * transactions: every step is idempotent or guarded (a unique key, the conversation's applied messages, the state it
 * was decided on), so a redelivery stores one message and finishes what a crashed first delivery began, and
 * concurrent first messages open one conversation.
 */
export class Ingest {
  constructor(
    private readonly store: InboxStore,
    private readonly events: InboxEvents,
    private readonly assignment: Assignment,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly deadlines: Deadlines,
    private readonly bot: BotIntake,
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
   * write) beside the customer's interaction, the answer owed noted when the bot holds the conversation, and the
   * message marked done.
   */
  async message(msg: InboundMessage): Promise<IngestResult> {
    const receivedAt = this.clock();
    const contactId = contactIdFor(msg.channel, msg.contact.externalId);
    const conversationId = conversationIdFor(contactId);
    const messageId = inboundMessageIdFor(`${msg.channel}:${msg.externalId}`);
    const [contact, stored] = await Promise.all([
      this.store.contacts.recordSeen(contactId, msg.channel, msg.contact),
      this.store.messages.recordInbound({
        id: messageId,
        conversationId,
        channel: msg.channel,
        sender: { type: 'contact', id: contactId, name: msg.author ?? msg.contact.name },
        text: msg.text,
        attachments: msg.attachments,
        externalId: msg.externalId,
        platformAt: msg.sentAt ?? null,
        source: msg.source ?? null,
        raw: msg.raw ?? null,
        receivedAt,
        ...(msg.automated ? { automated: true } : {}),
        ...(msg.subject ? { subject: msg.subject } : {}),
        ...(msg.quoted ? { quoted: msg.quoted } : {}),
        ...(msg.choice ? { choice: msg.choice } : {}),
      }),
    ]);
    if (!stored) return { duplicate: true, messageId, conversationId };
    const { message, resumed } = stored;

    // Everything below may run twice for one message (a redelivery after a crash): each step is guarded or idempotent.
    // The interaction is the customer's message and its time alone, so it is recorded beside the conversation's write.
    const [{ conversation, applied }] = await Promise.all([
      this.applyToConversation(conversationId, contact, message, message.createdAt),
      recordInteraction(this.store, message),
    ]);
    this.bot.saw(conversation.id, conversation.heldByBot === true);
    const botAnswers = conversation.heldByBot === true && !message.automated;
    const session = botAnswers ? await this.bot.expect(conversation.id, conversation.channel, message.id, message.createdAt) : undefined;
    const marked = this.store.messages.markApplied(message.id);
    // Whoever applied the effects tells the inbox: a copy that arrived while the first was still at work did not.
    // The bot is told first, while the message is marked done: noted as owed, it is the bot's to answer from now,
    // and its turn reads its talk meanwhile (the answer itself waits for the mark, so it never comes before it).
    if (botAnswers && applied)
      this.bot.heard({ conversation, contact: contact.contact, message, stored: marked, ...(session ? { session } : {}) });
    await marked;
    const result = { messageId: message.id, conversationId: conversation.id };
    if (!applied) return { duplicate: true, ...result };
    if (resumed) {
      this.log.warn({ channel: msg.channel, messageId }, 'redelivery finished a message whose first delivery stopped half-way');
    }
    this.events.emit(InboxEvent.MessageNew, { conversation: toConversation(conversation), message: toMessage(message) });
    this.log.debug({ channel: msg.channel, conversationId: conversation.id }, 'inbound message stored');
    return { duplicate: false, ...result };
  }

  /**
   * The message's effects on its conversation, applied once: a new customer's conversation is inserted with them.
   * `applied` is false when another delivery of the same message applied them.
   */
  private async applyToConversation(
    id: string,
    contact: { contact: ContactRecord; created: boolean },
    message: MessageRecord,
    at: Date,
  ): Promise<{ conversation: ConversationRecord; applied: boolean }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!contact.created || attempt > 0) {
        const after = await this.applyCustomerTurn(id, message, at);
        if (after) return { conversation: after, applied: true };
        // Already applied (another delivery of this message), or there is no conversation yet.
        const existing = await this.store.conversations.get(id);
        // Applied by another delivery: done. Opened by this customer's other message meanwhile: apply to it.
        if (existing?.appliedInbound.includes(message.id)) return { conversation: existing, applied: false };
        if (existing) continue;
      }
      const opened = await this.openConversation(id, contact.contact, message, at);
      // Null: another message of this customer opened it first; this one is applied to theirs.
      if (opened) return { conversation: opened, applied: true };
    }
    throw new Error(`conversation ${id} could neither be opened nor updated`);
  }

  /** A new customer's conversation, inserted whole: the message applied, the wait started, an agent assigned. */
  private async openConversation(id: string, contact: ContactRecord, message: MessageRecord, at: Date): Promise<ConversationRecord | null> {
    // A machine's mail (a bounce, an auto-reply) is shown, but nobody waits on it: no timers, nobody assigned.
    const automated = message.automated === true;
    // The bot talks with a new customer first: nobody waits on it yet, and nobody is assigned.
    const heldByBot = !automated && (await this.bot.takesNew(contact.channel));
    const due = (automated || heldByBot ? noDeadlines : this.deadlines).forWait(contact.channel, at, true);
    return this.store.conversations.open({
      id,
      contactId: contact.id,
      channel: contact.channel,
      contactName: contact.name,
      contactReachable: contact.reachable,
      assigneeId: automated || heldByBot ? null : await this.assignment.nextAgent(),
      waiting: !automated,
      at,
      ...due,
      firstResponseDueAt: due.slaBreachAt,
      ...(heldByBot ? { heldByBot: true } : {}),
      preview: previewOf(message.text, message.attachments),
      messageId: message.id,
    });
  }

  /**
   * A returning customer's message: one guarded write of what every message changes, returning the conversation as
   * it was; then, only when that shows a wait to start or a conversation to reopen, one more guarded write. Null
   * when the conversation does not exist or already took this message.
   */
  private async applyCustomerTurn(id: string, message: MessageRecord, at: Date): Promise<ConversationRecord | null> {
    const preview = previewOf(message.text, message.attachments);
    const automated = message.automated === true;
    const before = await this.store.conversations.takeCustomerTurn(id, {
      messageId: message.id,
      at,
      preview,
      automated,
      heldByBotLikely: this.bot.likelyHolds(id),
    });
    if (!before) return null;
    const later = (d: Date | null) => (d && d > at ? d : at);
    const after: ConversationRecord = {
      ...before,
      status: automated ? before.status : 'open',
      snoozedUntil: automated ? before.snoozedUntil : null,
      lastMessagePreview: preview,
      unreadCount: before.unreadCount + 1,
      lastMessageAt: later(before.lastMessageAt),
      lastInboundAt: later(before.lastInboundAt),
      appliedInbound: [...before.appliedInbound, message.id],
    };
    // A machine's mail neither reopens a resolved conversation nor starts a wait; nor does a message the bot answers.
    if (automated) return after;
    if (before.heldByBot) return { ...after, status: before.status };
    const startsWait = before.awaitingReplySince == null;
    const reopens = before.status === 'resolved';
    // Writing again ends a snooze: a wait that ran through it escalates again, with the full time from now.
    const wakes = before.status === 'snoozed' && !startsWait;
    if (!startsWait && !reopens && !wakes && before.firstInboundAt != null) return after;

    // Conditional on the state just read, so a second message racing this one cannot restart the wait.
    let wait: Parameters<InboxStore['conversations']['followUpTurn']>[1]['wait'];
    if (startsWait) {
      const firstResponse = before.firstResponseAt == null;
      const due = this.deadlines.forWait(before.channel as Channel, at, firstResponse);
      wait = { since: at, ...due, ...(firstResponse ? { firstResponseDueAt: due.slaBreachAt } : {}) };
    }
    const updated = await this.store.conversations.followUpTurn(id, {
      ...(wait ? { wait } : {}),
      ...(before.firstInboundAt == null ? { firstInboundAt: at } : {}),
      reopen: reopens,
      ...(wakes ? { resumeEscalation: this.deadlines.escalationFrom(before.channel as Channel, at) } : {}),
    });
    let current = updated ?? after;
    if (!current.assigneeId && (before.firstInboundAt == null || reopens)) {
      current = (await this.assignment.assignIfUnassigned(id)) ?? current;
    }
    return current;
  }

  async edit(edit: InboundEdit): Promise<IngestResult> {
    const id = inboundMessageIdFor(`${edit.channel}:${edit.externalId}`);
    const outcome = await this.store.messages.applyEdit(id, { text: edit.text, attachments: edit.attachments, editedAt: edit.editedAt });
    if ('unchanged' in outcome) return { duplicate: true, messageId: id };
    // The original never reached us: keep the customer's words as a message of their own.
    if ('missing' in outcome) return this.message({ ...edit, kind: 'message', sentAt: edit.editedAt });
    await this.emitMessageUpdated(outcome.edited);
    return { duplicate: false, messageId: id, conversationId: outcome.edited.conversationId };
  }

  async receipt(receipt: InboundReceipt): Promise<IngestResult> {
    const lower: MessageStatus[] =
      receipt.status === 'failed'
        ? ['queued', 'sent', 'delivered']
        : (Object.keys(statusRank) as MessageStatus[]).filter((s) => (statusRank[s] ?? 0) < (statusRank[receipt.status] ?? 0));
    const message = await this.store.messages.applyReceipt(receipt.channel, receipt.externalId, lower, receipt.status, receipt.error);
    if (!message) return { duplicate: true };
    await this.emitMessageUpdated(message);
    return { duplicate: false, messageId: message.id, conversationId: message.conversationId };
  }

  /** Subscribed / unsubscribed / blocked: replies are refused up front while the customer cannot be reached. */
  async contactState(state: InboundContactState): Promise<IngestResult> {
    const contactId = contactIdFor(state.channel, state.contact.externalId);
    await this.store.contacts.setReachable(contactId, state.channel, state.contact, state.reachable);
    const conversation = await this.store.conversations.setContactReachable(conversationIdFor(contactId), state.reachable);
    if (conversation) this.events.emit(InboxEvent.ConversationUpdated, { conversation: toConversation(conversation) });
    return { duplicate: !conversation, ...(conversation ? { conversationId: conversation.id } : {}) };
  }

  private async emitMessageUpdated(message: MessageRecord): Promise<void> {
    const conversation = await this.store.conversations.get(message.conversationId);
    if (conversation) {
      this.events.emit(InboxEvent.MessageUpdated, { conversation: toConversation(conversation), message: toMessage(message) });
    }
  }
}
