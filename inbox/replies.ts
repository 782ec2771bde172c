import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Capabilities } from '../shared/channel-adapter';
import type { Channel } from '../shared/channels';
import { AppError, ErrorCode } from '../shared/errors';
import { replyBody } from '../shared/inbox-api';
import type { Attachment, Choice, Template } from '../shared/messages';
import type { Actor } from './access';
import type { Conversations } from './conversations';
import { InboxEvent, type InboxEvents } from './events';
import type { Clock, DeliveryQueue, ReplyFiles } from './ports';
import { idFromKey, newId } from './store/ids';
import type { InboxStore } from './store/port';
import type { CampaignSkipReason, ContactRecord, ConversationRecord, MessageRecord } from './store/records';
import { type Message, toConversation, toMessage } from './views';

export const replySchema = replyBody;
export type ReplyInput = z.infer<typeof replySchema>;

const DAY_MS = 24 * 3600_000;
/**
 * A stored reply's first attempt, until it is handed to delivery: a reply whose process died before that is still
 * taken up then, and failed as never handed over (inbox/outbox/delivery.ts), instead of staying queued.
 */
export const HAND_OVER_GRACE_MS = 60_000;
/** What a queued reply carries for delivery, so the outbox reads nothing else. */
const outboxFields = (contact: ContactRecord, conversation: ConversationRecord) => ({
  to: contact.externalId,
  lastInboundAt: conversation.lastInboundAt,
  firstAttemptBy: new Date(Date.now() + HAND_OVER_GRACE_MS),
});
/** "24 h", "7 days": how long a window is, in the unit a manager would say. */
const span = (ms: number) => (ms >= 2 * DAY_MS && ms % DAY_MS === 0 ? `${ms / DAY_MS} days` : `${Math.round(ms / 3600_000)} h`);

export interface CampaignSend {
  conversationId: string;
  template: Template | null;
  text: string | null;
  /** The campaign and the customer: sent once, whoever asks and however often. */
  key: string;
  senderName: string;
  /** Email only: the one-click unsubscribe URL (List-Unsubscribe). */
  listUnsubscribe?: string;
}

export interface AutomaticReply {
  conversationId: string;
  text: string;
  /** Makes the reply idempotent: the same key is sent once, whoever asks and however often. */
  key: string;
  senderName: string;
  /** Answers offered to tap. */
  choices?: Choice[];
  /** The chatbot's answer: not sent once a manager took the conversation over. */
  onlyWhileBotHolds?: boolean;
  /**
   * The conversation and its contact as the caller has them moments old (the bot's turn, from ingest): not read
   * again. The caller answers for their freshness; the bot's talk, re-read each turn, says whether it still holds it.
   */
  known?: { conversation: ConversationRecord; contact: ContactRecord };
  /**
   * When the message it answers was stored: the answer is dated after it, so the history (ordered by time) never
   * shows an answer above its question when both fall in one clock tick.
   */
  answers?: Date;
}

const answerTime = (now: Date, answers: Date | undefined): Date => (answers && answers >= now ? new Date(answers.getTime() + 1) : now);

/**
 * A manager's reply: stored as `queued` before anything else, so the text is never lost, then handed to the
 * delivery queue. The reply also closes the customer's wait, which is where response times are measured.
 */
export class Replies {
  constructor(
    private readonly store: InboxStore,
    private readonly conversations: Conversations,
    private readonly events: InboxEvents,
    private readonly queue: DeliveryQueue,
    /** The connected channels that can send, with what they can do. */
    private readonly channels: ReadonlyMap<Channel, Capabilities>,
    private readonly clock: Clock,
    private readonly files?: ReplyFiles,
  ) {}

  async send(actor: Actor, conversationId: string, input: ReplyInput): Promise<Message> {
    const conversation = await this.conversations.load(actor, conversationId);
    const now = this.clock();
    this.checkSendable(conversation, input, now);
    const contact = await this.store.contacts.get(conversation.contactId);
    if (!contact) throw new AppError(ErrorCode.ConversationNotFound, `the contact of conversation ${conversationId} no longer exists`);
    if (!contact.reachable) {
      throw new AppError(
        ErrorCode.ContactUnreachable,
        `${contact.name} unsubscribed from ${conversation.channel}: replies cannot reach them`,
      );
    }
    const text = 'text' in input ? input.text : `[template ${input.template.name}]`;
    const attachments = 'text' in input ? await this.filesOf(input.attachments ?? []) : [];

    const message = await this.store.messages.recordOutbound({
      id: newId(),
      conversationId: conversation.id,
      channel: conversation.channel,
      sender: { type: 'agent', id: actor.id, name: actor.name },
      text,
      template: 'template' in input ? input.template : null,
      attachments,
      dedupeKey: `out:${randomUUID()}`,
      createdAt: now,
      ...outboxFields(contact, conversation),
    });
    if (!message) throw new Error('a reply with a fresh key collided with a stored one');
    let after: ConversationRecord;
    try {
      after = await this.closeWait(conversation.id, actor, message, now);
    } catch (e) {
      // Not sent and not going to be: the history says so instead of showing it queued for ever. Nobody was told
      // of the message yet, so nobody is told of its failure either.
      await this.store.outbox.markFailed(message.id, 'the reply could not be recorded; send again').catch(() => null);
      throw e;
    }
    this.events.emit(InboxEvent.MessageNew, { conversation: toConversation(after), message: toMessage(message) });
    if (conversation.heldByBot) this.events.emit(InboxEvent.BotTakenOver, { conversationId: conversation.id, at: now });

    // Should this write fail, the reply is still taken up once its grace ends, and failed as never handed over.
    await this.queue.enqueue({ messageId: message.id, conversationId: conversation.id });
    return toMessage(message);
  }

  /**
   * A message the gateway itself sends (sender `bot`), such as the out-of-hours auto-reply: queued for delivery like
   * any reply, but it is not an answer, so the customer's wait, its timers and the response figures are untouched.
   * Returns null when it was sent before (same key) or cannot be delivered on this channel now.
   */
  async sendAutomatic(input: AutomaticReply): Promise<Message | null> {
    const known = input.known?.conversation.id === input.conversationId ? input.known : undefined;
    const conversation = known?.conversation ?? (await this.store.conversations.get(input.conversationId));
    if (!conversation?.contactReachable) return null;
    if (input.onlyWhileBotHolds && !conversation.heldByBot) return null;
    const contact = known?.contact.id === conversation.contactId ? known.contact : await this.store.contacts.get(conversation.contactId);
    if (!contact) return null;
    const now = this.clock();
    try {
      this.checkSendable(conversation, { text: input.text }, now);
    } catch {
      return null;
    }
    // Nothing is recorded between its insert and its hand-over, so it is inserted handed over: one write, and a
    // crash right after it leaves the message due, sent by whichever process polls first. With room to attempt it
    // here now, it is inserted claimed by that attempt too: sent with no write between its insert and the platform.
    const reply = {
      conversationId: conversation.id,
      channel: conversation.channel,
      sender: { type: 'bot' as const, name: input.senderName },
      text: input.text,
      template: null,
      ...(input.choices?.length ? { choices: input.choices } : {}),
      dedupeKey: `auto:${input.key}`,
      createdAt: answerTime(now, input.answers),
      ...outboxFields(contact, conversation),
      handedOverAt: new Date(),
    };
    const hold = this.queue.hold();
    let message: MessageRecord | null;
    if (hold) {
      const claimed = await this.store.outbox.insertClaimed(reply, hold.leaseUntil).catch((e: unknown) => {
        hold.release();
        throw e;
      });
      if (claimed) hold.attempt(claimed);
      else hold.release();
      message = claimed;
    } else {
      message = await this.store.messages.recordOutbound(reply);
      if (message) this.queue.dispatch({ messageId: message.id, conversationId: conversation.id });
    }
    if (!message) return null;
    this.events.emit(InboxEvent.MessageNew, { conversation: toConversation(conversation), message: toMessage(message) });
    return toMessage(message);
  }

  /**
   * A campaign's message to one customer, queued like any reply (sender `bot`, no wait ended): the template where
   * the channel sends templates, else the text where the channel takes free text now. Its id derives from `key`, so
   * a pass that resumes a dead one's send finds the message stored and only hands it over again.
   */
  async sendCampaign(input: CampaignSend): Promise<{ messageId: string } | { skipped: CampaignSkipReason }> {
    const conversation = await this.store.conversations.get(input.conversationId);
    const contact = conversation && (await this.store.contacts.get(conversation.contactId));
    if (!conversation || !contact || !contact.reachable || !conversation.contactReachable) return { skipped: 'unreachable' };
    const capabilities = this.channels.get(conversation.channel);
    if (!capabilities || capabilities.repliesRefused) return { skipped: 'channel_unavailable' };
    const useTemplate = input.template && capabilities.templates ? input.template : null;
    if (!useTemplate) {
      if (!input.text) return { skipped: 'templates_unsupported' };
      try {
        this.checkSendable(conversation, { text: input.text }, this.clock());
      } catch (e) {
        if (e instanceof AppError && e.code === ErrorCode.OutsideReplyWindow) return { skipped: 'outside_window' };
        return { skipped: 'channel_unavailable' };
      }
    }
    const id = idFromKey(`campaign-message:${input.key}`);
    const message = await this.store.messages.recordOutbound({
      id,
      conversationId: conversation.id,
      channel: conversation.channel,
      sender: { type: 'bot', name: input.senderName },
      text: useTemplate ? `[template ${useTemplate.name}]` : (input.text ?? ''),
      template: useTemplate,
      dedupeKey: `campaign:${input.key}`,
      createdAt: this.clock(),
      ...(conversation.channel === 'email' && input.listUnsubscribe ? { listUnsubscribe: input.listUnsubscribe } : {}),
      ...outboxFields(contact, conversation),
    });
    if (message) this.events.emit(InboxEvent.MessageNew, { conversation: toConversation(conversation), message: toMessage(message) });
    await this.queue.enqueue({ messageId: id, conversationId: conversation.id });
    return { messageId: id };
  }

  /**
   * An approved template the gateway sends by itself (a trigger's), queued like any reply with sender `bot`; not an
   * answer. Idempotent by `key` (the message's id derives from it). Where it cannot go it says why rather than
   * sending anything else: a channel without templates has no approved text to send outside its window.
   */
  async sendAutomaticTemplate(input: {
    conversationId: string;
    template: Template;
    key: string;
    senderName: string;
    channel?: Channel;
  }): Promise<{ messageId: string } | { skipped: string }> {
    const conversation = await this.store.conversations.get(input.conversationId);
    if (!conversation) return { skipped: 'the conversation no longer exists' };
    const { channel } = conversation;
    if (input.channel && input.channel !== channel)
      return { skipped: `the template is for ${input.channel}, the customer writes on ${channel}` };
    const capabilities = this.channels.get(channel);
    if (!capabilities) return { skipped: `the ${channel} channel is not connected` };
    if (capabilities.repliesRefused) return { skipped: capabilities.repliesRefused };
    if (!capabilities.templates)
      return { skipped: `the ${channel} channel sends no approved templates, and free text may not stand in for one` };
    const contact = await this.store.contacts.get(conversation.contactId);
    if (!contact?.reachable || !conversation.contactReachable) return { skipped: `the customer unsubscribed from ${channel}` };
    const id = idFromKey(`message:auto:${input.key}`);
    const message = await this.store.messages.recordOutbound({
      id,
      conversationId: conversation.id,
      channel,
      sender: { type: 'bot', name: input.senderName },
      text: `[template ${input.template.name}]`,
      template: input.template,
      dedupeKey: `auto:${input.key}`,
      createdAt: this.clock(),
      ...outboxFields(contact, conversation),
    });
    if (!message) return { messageId: id };
    this.events.emit(InboxEvent.MessageNew, { conversation: toConversation(conversation), message: toMessage(message) });
    await this.queue.enqueue({ messageId: message.id, conversationId: conversation.id });
    return { messageId: message.id };
  }

  /** Refuses, before anything is stored, a reply the channel cannot deliver now. */
  private checkSendable(conversation: ConversationRecord, input: ReplyInput, now: Date): void {
    const channel = conversation.channel;
    const capabilities = this.channels.get(channel);
    if (!capabilities) {
      throw new AppError(ErrorCode.ChannelUnavailable, `the ${channel} channel is not connected, so replies cannot be sent`);
    }
    if (capabilities.repliesRefused) throw new AppError(ErrorCode.ChannelUnavailable, capabilities.repliesRefused);
    if ('text' in input && input.attachments?.length && !capabilities.attachmentsOut) {
      throw new AppError(ErrorCode.AttachmentsUnsupported, `the ${channel} channel cannot send files from the inbox; send the text alone`);
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

  /** The uploads a reply names, as its attachments; refused whole when one of them is not stored. */
  private async filesOf(named: readonly { id: string; name?: string }[]): Promise<Attachment[]> {
    if (!named.length) return [];
    const files = this.files;
    if (!files) throw new AppError(ErrorCode.AttachmentsUnsupported, 'this gateway keeps no uploaded files, so replies carry text only');
    const attachments = await Promise.all(
      named.map(async ({ id, name }) => {
        const file = await files.describe(id);
        if (!file) throw new AppError(ErrorCode.BadInput, `no uploaded file ${id}: upload it again`);
        return name ? { ...file, name } : file;
      }),
    );
    const total = attachments.reduce((sum, a) => sum + (a.size ?? 0), 0);
    if (total > files.maxTotalBytes) {
      const mb = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
      throw new AppError(
        ErrorCode.PayloadTooLarge,
        `the files weigh ${mb(total)} together, more than the ${mb(files.maxTotalBytes)} one reply can carry`,
      );
    }
    return attachments;
  }

  /** Ends the customer's wait (if any), records how long it was, and updates the conversation. */
  private async closeWait(conversationId: string, actor: Actor, message: MessageRecord, now: Date): Promise<ConversationRecord> {
    const { conversations } = this.store;
    const conversation = await conversations.get(conversationId);
    if (!conversation) throw new AppError(ErrorCode.ConversationNotFound, `conversation ${conversationId} not found`);
    // Only the reply that ends the wait measures it: two agents replying at once cannot both count.
    const waiting = await conversations.endWait(conversationId);
    if (waiting?.awaitingReplySince) {
      const kind = (await conversations.recordFirstResponse(conversationId, now, actor.id)) ? 'first' : 'reply';
      const durationMs = Math.max(0, now.getTime() - waiting.awaitingReplySince.getTime());
      const target = waiting.firstResponseDueAt;
      await this.store.responses.record({
        conversationId,
        channel: conversation.channel,
        agentId: actor.id,
        kind,
        waitingSince: waiting.awaitingReplySince,
        respondedAt: now,
        durationMs,
        messageId: message.id,
        withinTarget: kind === 'first' && target ? now.getTime() <= target.getTime() : null,
      });
      this.events.emit(InboxEvent.AgentReplied, { channel: conversation.channel, agentId: actor.id, kind, durationMs });
    }
    // A reply of files alone is previewed by their names.
    const preview = message.text || message.attachments.map((a) => a.name ?? a.kind).join(', ');
    const after = await conversations.noteReply(conversationId, now, preview.slice(0, 200), conversation.status !== 'resolved');
    // A plain agent who answers an unassigned conversation takes it, as in every shared inbox.
    const taken =
      actor.role === 'agent' && !conversation.assigneeId ? await conversations.assignIfUnassigned(conversationId, actor.id) : null;
    const current = taken ?? after;
    if (!current) throw new AppError(ErrorCode.ConversationNotFound, `conversation ${conversationId} not found`);
    return current;
  }
}
