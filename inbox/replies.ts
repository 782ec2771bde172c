import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import type { z } from 'zod';
import type { Capabilities } from '../shared/channel-adapter';
import type { Channel } from '../shared/channels';
import { AppError, ErrorCode } from '../shared/errors';
import { replyBody } from '../shared/inbox-api';
import type { Actor } from './access';
import type { Conversations } from './conversations';
import { InboxEvent, type InboxEvents } from './events';
import type { Clock, DeliveryQueue } from './ports';
import { type ContactDoc, type ConversationDoc, isDuplicateKey, type MessageDoc, type Models } from './store/models';
import { type Message, toConversation, toMessage } from './views';

export const replySchema = replyBody;
export type ReplyInput = z.infer<typeof replySchema>;

const DAY_MS = 24 * 3600_000;
/**
 * A stored reply's first attempt, until it is handed to delivery: a reply whose process died before that is still
 * taken up then, and failed as never handed over (inbox/outbox/delivery.ts), instead of staying queued.
 */
const HAND_OVER_GRACE_MS = 60_000;
/** What a queued reply carries for delivery, so the outbox reads nothing else. */
const outboxFields = (contact: ContactDoc, conversation: ConversationDoc) => ({
  to: contact.externalId,
  lastInboundAt: conversation.lastInboundAt ?? null,
  nextAttemptAt: new Date(Date.now() + HAND_OVER_GRACE_MS),
  queuedAt: null,
});
/** "24 h", "7 days": how long a window is, in the unit a manager would say. */
const span = (ms: number) => (ms >= 2 * DAY_MS && ms % DAY_MS === 0 ? `${ms / DAY_MS} days` : `${Math.round(ms / 3600_000)} h`);

/** A wait that ended takes its pending due times with it. */
export const clearedDeadlines = { escalationDueAt: null, slaWarnAt: null, slaBreachAt: null } as const;

export interface AutomaticReply {
  conversationId: string;
  text: string;
  /** Makes the reply idempotent: the same key is sent once, whoever asks and however often. */
  key: string;
  senderName: string;
}

/**
 * A manager's reply: stored as `queued` before anything else, so the text is never lost, then handed to the
 * delivery queue. The reply also closes the customer's wait, which is where response times are measured.
 */
export class Replies {
  constructor(
    private readonly models: Models,
    private readonly conversations: Conversations,
    private readonly events: InboxEvents,
    private readonly queue: DeliveryQueue,
    /** The connected channels that can send, with what they can do. */
    private readonly channels: ReadonlyMap<Channel, Capabilities>,
    private readonly clock: Clock,
  ) {}

  async send(actor: Actor, conversationId: string, input: ReplyInput): Promise<Message> {
    const conversation = await this.conversations.load(actor, conversationId);
    const now = this.clock();
    this.checkSendable(conversation, input, now);
    const contact = await this.models.Contact.findById(conversation.contactId).lean<ContactDoc>();
    if (!contact) throw new AppError(ErrorCode.ConversationNotFound, `the contact of conversation ${conversationId} no longer exists`);
    if (contact.reachable === false) {
      throw new AppError(
        ErrorCode.ContactUnreachable,
        `${contact.name} unsubscribed from ${conversation.channel}: replies cannot reach them`,
      );
    }
    const text = 'text' in input ? input.text : `[template ${input.template.name}]`;

    const id = new Types.ObjectId();
    const created = await this.models.Message.create({
      _id: id,
      conversationId: conversation._id,
      channel: conversation.channel,
      direction: 'out',
      sender: { type: 'agent', id: actor.id, name: actor.name },
      text,
      template: 'template' in input ? input.template : null,
      attachments: [],
      dedupeKey: `out:${randomUUID()}`,
      status: 'queued',
      ...outboxFields(contact, conversation),
      createdAt: now,
    });
    const message = created.toObject() as MessageDoc;
    let after: ConversationDoc;
    try {
      after = await this.closeWait(conversation._id, actor, message, now);
    } catch (e) {
      // Not sent and not going to be: the history says so instead of showing it queued for ever. Nobody was told
      // of the message yet, so nobody is told of its failure either.
      await this.giveUp(id, 'the reply could not be recorded; send again');
      throw e;
    }
    this.events.emit(InboxEvent.MessageNew, { conversation: toConversation(after), message: toMessage(message) });

    // Should this write fail, the reply is still taken up once its grace ends, and failed as never handed over.
    await this.queue.enqueue({ messageId: id.toString(), conversationId: conversation._id.toString() });
    return toMessage(message);
  }

  /** Marks a reply that will not be delivered as failed, with why (nobody was told of it yet, so nobody is told now). */
  private async giveUp(id: Types.ObjectId, reason: string): Promise<void> {
    await this.models.Message.updateOne(
      { _id: id, status: 'queued' },
      { $set: { status: 'failed', error: reason, nextAttemptAt: null } },
    ).catch(() => undefined);
  }

  /**
   * A message the gateway itself sends (sender `bot`), such as the out-of-hours auto-reply: queued for delivery like
   * any reply, but it is not an answer, so the customer's wait, its timers and the response figures are untouched.
   * Returns null when it was sent before (same key) or cannot be delivered on this channel now.
   */
  async sendAutomatic(input: AutomaticReply): Promise<Message | null> {
    const conversation = await this.models.Conversation.findById(input.conversationId).lean<ConversationDoc>();
    if (!conversation || conversation.contactReachable === false) return null;
    const contact = await this.models.Contact.findById(conversation.contactId).lean<ContactDoc>();
    if (!contact) return null;
    try {
      this.checkSendable(conversation, { text: input.text }, this.clock());
    } catch {
      return null;
    }
    let message: MessageDoc;
    try {
      const created = await this.models.Message.create({
        conversationId: conversation._id,
        channel: conversation.channel,
        direction: 'out',
        sender: { type: 'bot', id: null, name: input.senderName },
        text: input.text,
        attachments: [],
        dedupeKey: `auto:${input.key}`,
        status: 'queued',
        ...outboxFields(contact, conversation),
        createdAt: this.clock(),
      });
      message = created.toObject() as MessageDoc;
    } catch (e) {
      if (isDuplicateKey(e)) return null;
      throw e;
    }
    this.events.emit(InboxEvent.MessageNew, { conversation: toConversation(conversation), message: toMessage(message) });
    await this.queue.enqueue({ messageId: message._id.toString(), conversationId: conversation._id.toString() });
    return toMessage(message);
  }

  /** Refuses, before anything is stored, a reply the channel cannot deliver now. */
  private checkSendable(conversation: ConversationDoc, input: ReplyInput, now: Date): void {
    const channel = conversation.channel as Channel;
    const capabilities = this.channels.get(channel);
    if (!capabilities) {
      throw new AppError(ErrorCode.ChannelUnavailable, `the ${channel} channel is not connected, so replies cannot be sent`);
    }
    if ('template' in input) {
      if (!capabilities.templates) throw new AppError(ErrorCode.BadInput, `the ${channel} channel does not send templates`);
      return;
    }
    const window = capabilities.replyWindowMs;
    if (window === null) return;
    const since = conversation.lastInboundAt ? now.getTime() - conversation.lastInboundAt.getTime() : Number.POSITIVE_INFINITY;
    const limit = Math.max(window, capabilities.humanAgentWindowMs ?? 0);
    if (since <= limit) return;
    const hint = capabilities.templates ? '; send an approved template instead ({"template": {"name", "language", "params"}})' : '';
    throw new AppError(
      ErrorCode.OutsideReplyWindow,
      `${channel} allows free-text replies only within ${span(limit)} of the customer's last message${hint}`,
    );
  }

  /** Ends the customer's wait (if any), records how long it was, and updates the conversation. */
  private async closeWait(conversationId: Types.ObjectId, actor: Actor, message: MessageDoc, now: Date): Promise<ConversationDoc> {
    const { Conversation, Response } = this.models;
    const conversation = await Conversation.findById(conversationId).lean<ConversationDoc>();
    if (!conversation) throw new AppError(ErrorCode.ConversationNotFound, `conversation ${conversationId.toString()} not found`);
    const agentId = new Types.ObjectId(actor.id);
    // Only the reply that flips awaitingReplySince from a date to null measures the wait: two agents replying
    // at once cannot both count.
    const waiting = await Conversation.findOneAndUpdate(
      { _id: conversation._id, awaitingReplySince: { $ne: null } },
      { $set: { awaitingReplySince: null, escalationStep: 0, triedAgentIds: [], ...clearedDeadlines } },
      // FerretDB's findAndModify takes no projection.
      { returnDocument: 'before' },
    ).lean<ConversationDoc>();
    if (waiting?.awaitingReplySince) {
      const first = await Conversation.updateOne(
        { _id: conversation._id, firstResponseAt: null },
        { $set: { firstResponseAt: now, firstResponderId: agentId } },
      );
      const kind: 'first' | 'reply' = first.modifiedCount === 1 ? 'first' : 'reply';
      const durationMs = Math.max(0, now.getTime() - waiting.awaitingReplySince.getTime());
      const target = waiting.firstResponseDueAt;
      const response = {
        conversationId: conversation._id,
        channel: conversation.channel,
        agentId,
        kind,
        waitingSince: waiting.awaitingReplySince,
        respondedAt: now,
        durationMs,
        messageId: message._id,
        withinTarget: kind === 'first' && target ? now.getTime() <= target.getTime() : null,
      };
      try {
        await Response.create(response);
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
      this.events.emit(InboxEvent.AgentReplied, { channel: conversation.channel, agentId: actor.id, kind, durationMs });
    }
    // A plain agent who answers an unassigned conversation takes it, as in every shared inbox.
    const takeIt = actor.role === 'agent' && !conversation.assigneeId;
    const after = await Conversation.findOneAndUpdate(
      { _id: conversation._id },
      {
        $max: { lastMessageAt: now },
        $set: {
          lastMessagePreview: message.text.slice(0, 200),
          unreadCount: 0,
          ...(conversation.status === 'resolved' ? {} : { status: 'open' }),
        },
      },
      { returnDocument: 'after' },
    ).lean<ConversationDoc>();
    const taken = takeIt
      ? await Conversation.findOneAndUpdate(
          { _id: conversation._id, assigneeId: null },
          { $set: { assigneeId: agentId } },
          { returnDocument: 'after' },
        ).lean<ConversationDoc>()
      : null;
    const current = taken ?? after;
    if (!current) throw new AppError(ErrorCode.ConversationNotFound, `conversation ${conversation._id.toString()} not found`);
    return current;
  }
}
