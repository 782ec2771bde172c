import type { Capabilities } from '../../shared/channel-adapter';
import type { Channel } from '../../shared/channels';
import type { Logger } from '../../shared/logger';
import type { ChannelSender, Template } from '../../shared/messages';
import type { Alerts } from '../alerts';
import { InboxEvent, type InboxEvents } from '../events';
import type { DeliveryQueue } from '../ports';
import type { ContactDoc, ConversationDoc, MessageDoc, Models } from '../store/models';
import { toConversation, toMessage } from '../views';
import { afterFailure, beforeAttempt, type DeliveryRetryPolicy, defaultRetryPolicy, LEASE_MS, LEASE_RENEW_MS } from './policy';

/**
 * The outbox: every queued reply is its own queue entry, the message document, with the time of its next attempt
 * (`nextAttemptAt`, found by index). An attempt claims the reply atomically by moving that time a lease ahead, so
 * one process sends it; an attempt that dies mid-send leaves the lease to expire and the reply is taken up again.
 * Nothing else holds the state, so no lost job can leave a reply `queued`: it ends `sent` or `failed`, with an alert.
 *
 * Outbox times are the wall clock's, not the inbox clock's: they pace calls to platforms, which live in real time.
 */
export class Delivery implements DeliveryQueue {
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly models: Models,
    private readonly senders: ReadonlyMap<Channel, ChannelSender>,
    private readonly capabilities: ReadonlyMap<Channel, Capabilities>,
    private readonly alerts: Alerts,
    private readonly events: InboxEvents,
    private readonly log: Logger,
    private readonly policy: DeliveryRetryPolicy = defaultRetryPolicy,
  ) {}

  /** Called whenever a reply becomes due at once, so a worker need not wait for its next poll. */
  onQueued(listener: () => void): void {
    this.listeners.push(listener);
  }

  /**
   * Hands a stored reply to delivery: due now. A reply is stored with its first attempt a grace period ahead, so
   * one whose process died before this step is still taken up (and failed, as never handed over) — see attempt().
   */
  async enqueue(message: { messageId: string }): Promise<void> {
    const now = new Date();
    await this.models.Message.updateOne(
      { _id: message.messageId, status: 'queued', queuedAt: null },
      { $set: { queuedAt: now, nextAttemptAt: now } },
    );
    for (const listener of this.listeners) listener();
  }

  /** Claims the reply due first, for one attempt; null when none is due. */
  async claimNext(now: Date): Promise<MessageDoc | null> {
    return this.models.Message.findOneAndUpdate(
      { status: 'queued', nextAttemptAt: { $lte: now } },
      { $set: { nextAttemptAt: new Date(now.getTime() + LEASE_MS), sendingSince: now }, $inc: { attempts: 1 } },
      { sort: { nextAttemptAt: 1 }, returnDocument: 'before' },
    ).lean<MessageDoc>();
  }

  /** One attempt at a claimed reply (`claimed` as it was before the claim), settled in the store. */
  async attempt(claimed: MessageDoc): Promise<void> {
    const messageId = claimed._id.toString();
    const channel = claimed.channel as Channel;
    if (!claimed.queuedAt) {
      return this.fail(messageId, 'the gateway stopped before the reply was handed to delivery; nothing was sent: send it again');
    }
    const idempotent = this.capabilities.get(channel)?.idempotentSends === true;
    const plan = beforeAttempt(
      { attempts: claimed.attempts ?? 0, sendingSince: claimed.sendingSince ?? null, uncertainAttempts: claimed.uncertainAttempts ?? 0 },
      this.policy,
      idempotent,
    );
    if (!plan.send) return this.fail(messageId, plan.reason);
    const sender = this.senders.get(channel);
    if (!sender) return this.fail(messageId, `the ${channel} channel is not connected`);
    const recipient = await this.recipientOf(claimed);
    if (!recipient) return this.fail(messageId, 'the conversation or its contact no longer exists');

    let externalId: string | null;
    // While the platform takes its time, the attempt keeps its hold: a short lease, renewed, so that a reply whose
    // process died is taken up again within seconds, and a slow send is never taken over while it runs.
    const renew = setInterval(() => {
      void this.models.Message.updateOne(
        { _id: claimed._id, status: 'queued', attempts: plan.attempt },
        { $set: { nextAttemptAt: new Date(Date.now() + LEASE_MS) } },
      ).catch(() => undefined);
    }, LEASE_RENEW_MS);
    try {
      ({ externalId } = await sender.send({
        channel,
        to: recipient.to,
        text: claimed.text ?? '',
        ...(claimed.template ? { template: claimed.template as Template } : {}),
        messageId,
        lastInboundAt: recipient.lastInboundAt,
        ...(claimed.sender && claimed.sender.type !== 'contact'
          ? { sender: { type: claimed.sender.type, ...(claimed.sender.name ? { name: claimed.sender.name } : {}) } }
          : {}),
      }));
    } catch (e) {
      return this.afterFailedAttempt(claimed, plan.attempt, plan.uncertainAttempts, idempotent, e);
    } finally {
      clearInterval(renew);
    }
    // One write, with the platform's id that receipts look it up by. Whichever attempt got through settles it, even
    // one whose lease ran out meanwhile. (A receipt that beats this write by milliseconds finds nothing to update.)
    const sent = await this.models.Message.findOneAndUpdate(
      { _id: claimed._id, status: 'queued' },
      { $set: { status: 'sent', externalId, error: null, nextAttemptAt: null, sendingSince: null } },
      { returnDocument: 'after' },
    ).lean<MessageDoc>();
    if (sent) await this.publish(sent);
  }

  private async afterFailedAttempt(
    claimed: MessageDoc,
    attempt: number,
    uncertainSoFar: number,
    idempotent: boolean,
    e: unknown,
  ): Promise<void> {
    const messageId = claimed._id.toString();
    const next = afterFailure(this.policy, attempt, e, new Date(), uncertainSoFar, idempotent);
    if ('failed' in next) return this.fail(messageId, next.failed);
    const reason = e instanceof Error ? e.message : String(e);
    // Only while this attempt still holds the reply: a later attempt that took over decides instead.
    await this.models.Message.updateOne(
      { _id: claimed._id, status: 'queued', attempts: attempt },
      {
        $set: {
          nextAttemptAt: next.retryAt,
          sendingSince: null,
          uncertainAttempts: uncertainSoFar + (next.uncertain ? 1 : 0),
          error: reason,
        },
      },
    );
    this.log.warn(
      {
        messageId,
        conversationId: claimed.conversationId.toString(),
        channel: claimed.channel,
        attempt,
        err: reason,
        retryAt: next.retryAt,
      },
      'delivery attempt failed; will retry',
    );
  }

  /** Who the reply goes to: stored with it when it was queued; read from its conversation for older replies. */
  private async recipientOf(message: MessageDoc): Promise<{ to: string; lastInboundAt: Date | null } | null> {
    if (message.to) return { to: message.to, lastInboundAt: message.lastInboundAt ?? null };
    const conversation = await this.models.Conversation.findById(message.conversationId).lean<ConversationDoc>();
    const contact = conversation && (await this.models.Contact.findById(conversation.contactId).lean<ContactDoc>());
    return contact ? { to: contact.externalId, lastInboundAt: conversation.lastInboundAt ?? null } : null;
  }

  /** Gives up on a reply: it stays in the history as `failed`, with the reason, and supervisors hear of it. */
  async fail(messageId: string, reason: string): Promise<void> {
    const failed = await this.models.Message.findOneAndUpdate(
      { _id: messageId, status: 'queued' },
      { $set: { status: 'failed', error: reason, nextAttemptAt: null, sendingSince: null } },
      { returnDocument: 'after' },
    ).lean<MessageDoc>();
    if (!failed) return;
    const conversation = await this.publish(failed);
    this.log.error({ messageId, conversationId: failed.conversationId.toString(), err: reason }, 'message could not be delivered');
    if (!conversation) return;
    await this.alerts.raise({
      type: 'delivery_failed',
      conversationId: conversation._id,
      channel: conversation.channel,
      agentId: conversation.assigneeId,
      messageId: failed._id,
      detail: reason,
      key: `delivery_failed:${messageId}`,
    });
  }

  /** Tells the inbox of the reply's new state; returns its conversation. */
  private async publish(message: MessageDoc): Promise<ConversationDoc | null> {
    const conversation = await this.models.Conversation.findById(message.conversationId).lean<ConversationDoc>();
    if (conversation)
      this.events.emit(InboxEvent.MessageUpdated, { conversation: toConversation(conversation), message: toMessage(message) });
    return conversation;
  }

  /**
   * Replies queued by a build that kept them in jobs: due now, so the outbox takes them up. Runs once at start.
   * Older replies carry no `queuedAt`; they were handed over, so they get it too.
   */
  async adoptQueued(now: Date): Promise<number> {
    const res = await this.models.Message.updateMany(
      { status: 'queued', direction: 'out', nextAttemptAt: null },
      { $set: { nextAttemptAt: now, queuedAt: now } },
    );
    return res.modifiedCount;
  }
}
