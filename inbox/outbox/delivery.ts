import type { Capabilities } from '../../shared/channel-adapter';
import type { Channel } from '../../shared/channels';
import type { Logger } from '../../shared/logger';
import type { ChannelSender } from '../../shared/messages';
import type { Alerts } from '../alerts';
import { InboxEvent, type InboxEvents } from '../events';
import type { DeliveryHold, DeliveryQueue } from '../ports';
import type { InboxStore } from '../store/port';
import type { ConversationRecord, MessageRecord, OutboxEntry } from '../store/records';
import { toConversation, toMessage } from '../views';
import { afterFailure, beforeAttempt, type DeliveryRetryPolicy, defaultRetryPolicy, LEASE_MS, LEASE_RENEW_MS } from './policy';

/** Room for one attempt, as the process's outbox worker keeps count of them. */
export interface AttemptSlot {
  run(claimed: OutboxEntry): void;
  release(): void;
}

/**
 * The outbox: every queued reply is its own queue entry, the message document, with the time of its next attempt
 * (`nextAttemptAt`, found by index). An attempt claims the reply atomically by moving that time a lease ahead, so
 * one process sends it; an attempt that dies mid-send leaves the lease to expire and the reply is taken up again.
 * Nothing else holds the state, so no lost job can leave a reply `queued`: it ends `sent` or `failed`, with an alert.
 *
 * Outbox times are the wall clock's, not the inbox clock's: they pace calls to platforms, which live in real time.
 */
export class Delivery implements DeliveryQueue {
  private readonly listeners: ((messageId: string) => void)[] = [];
  private slots: (() => AttemptSlot | null) | undefined;

  constructor(
    private readonly store: InboxStore,
    private readonly senders: ReadonlyMap<Channel, ChannelSender>,
    private readonly capabilities: ReadonlyMap<Channel, Capabilities>,
    private readonly alerts: Alerts,
    private readonly events: InboxEvents,
    private readonly log: Logger,
    private readonly policy: DeliveryRetryPolicy = defaultRetryPolicy,
  ) {}

  /** Called with its id whenever a reply becomes due at once, so a worker takes it up without waiting for its next poll. */
  onQueued(listener: (messageId: string) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Hands a stored reply to delivery: due now. A reply is stored with its first attempt a grace period ahead, so
   * one whose process died before this step is still taken up (and failed, as never handed over) — see attempt().
   */
  async enqueue(message: { messageId: string }): Promise<void> {
    await this.store.outbox.handOver(message.messageId, new Date());
    this.due(message.messageId);
  }

  /** A reply stored handed over already (due from its insert): taken up at once, with no write before its claim. */
  dispatch(message: { messageId: string }): void {
    this.due(message.messageId);
  }

  /** Where `hold` finds room: the outbox worker running in this process, which counts the attempts it runs. */
  onHold(slots: () => AttemptSlot | null): void {
    this.slots = slots;
  }

  hold(): DeliveryHold | null {
    const slot = this.slots?.();
    if (!slot) return null;
    return { leaseUntil: new Date(Date.now() + LEASE_MS), attempt: (claimed) => slot.run(claimed), release: () => slot.release() };
  }

  private due(messageId: string): void {
    for (const listener of this.listeners) listener(messageId);
  }

  /**
   * A reply that failed for good, queued again by a manager: due now with a fresh count of attempts, and a worker
   * woken for it. Null when it is not (or no longer) a failed reply of that conversation.
   */
  async retryFailed(messageId: string, conversationId: string): Promise<MessageRecord | null> {
    const queued = await this.store.outbox.requeueFailed(messageId, conversationId, new Date());
    if (queued) this.due(messageId);
    return queued;
  }

  /** Claims the reply due first, for one attempt; null when none is due. */
  claimNext(now: Date): Promise<OutboxEntry | null> {
    return this.store.outbox.claimNext(now, new Date(now.getTime() + LEASE_MS));
  }

  /** Claims this reply for one attempt, as claimNext would; null when it is not due (sent, or another attempt has it). */
  claim(messageId: string, now: Date): Promise<OutboxEntry | null> {
    return this.store.outbox.claim(messageId, now, new Date(now.getTime() + LEASE_MS));
  }

  /** One attempt at a claimed reply (`claimed` as it was before the claim), settled in the store. */
  async attempt(claimed: OutboxEntry): Promise<void> {
    const messageId = claimed.id;
    const channel = claimed.channel;
    if (!claimed.queuedAt) {
      return this.fail(messageId, 'the gateway stopped before the reply was handed to delivery; nothing was sent: send it again');
    }
    const idempotent = this.capabilities.get(channel)?.idempotentSends === true;
    const plan = beforeAttempt(
      { attempts: claimed.attempts, sendingSince: claimed.sendingSince, uncertainAttempts: claimed.uncertainAttempts },
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
      void this.store.outbox.renewLease(messageId, plan.attempt, new Date(Date.now() + LEASE_MS)).catch(() => undefined);
    }, LEASE_RENEW_MS);
    try {
      ({ externalId } = await sender.send({
        channel,
        to: recipient.to,
        text: claimed.text,
        ...(claimed.template ? { template: claimed.template } : {}),
        ...(claimed.attachments.length ? { attachments: claimed.attachments } : {}),
        ...(claimed.listUnsubscribe ? { listUnsubscribe: claimed.listUnsubscribe } : {}),
        ...(claimed.choices?.length ? { choices: claimed.choices } : {}),
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
    const sent = await this.store.outbox.markSent(claimed, externalId);
    if (sent) await this.publish(sent);
  }

  private async afterFailedAttempt(
    claimed: OutboxEntry,
    attempt: number,
    uncertainSoFar: number,
    idempotent: boolean,
    e: unknown,
  ): Promise<void> {
    const messageId = claimed.id;
    const next = afterFailure(this.policy, attempt, e, new Date(), uncertainSoFar, idempotent);
    if ('failed' in next) return this.fail(messageId, next.failed);
    const reason = e instanceof Error ? e.message : String(e);
    // Only while this attempt still holds the reply: a later attempt that took over decides instead.
    await this.store.outbox.retryLater(messageId, attempt, {
      retryAt: next.retryAt,
      uncertainAttempts: uncertainSoFar + (next.uncertain ? 1 : 0),
      error: reason,
    });
    this.log.warn(
      {
        messageId,
        conversationId: claimed.conversationId,
        channel: claimed.channel,
        attempt,
        err: reason,
        retryAt: next.retryAt,
      },
      'delivery attempt failed; will retry',
    );
  }

  /** Who the reply goes to: stored with it when it was queued; read from its conversation for older replies. */
  private async recipientOf(entry: OutboxEntry): Promise<{ to: string; lastInboundAt: Date | null } | null> {
    if (entry.to) return { to: entry.to, lastInboundAt: entry.lastInboundAt };
    const conversation = await this.store.conversations.get(entry.conversationId);
    const contact = conversation && (await this.store.contacts.get(conversation.contactId));
    return contact && conversation ? { to: contact.externalId, lastInboundAt: conversation.lastInboundAt } : null;
  }

  /** Gives up on a reply: it stays in the history as `failed`, with the reason, and supervisors hear of it. */
  async fail(messageId: string, reason: string): Promise<void> {
    const failed = await this.store.outbox.markFailed(messageId, reason);
    if (!failed) return;
    const conversation = await this.publish(failed);
    this.log.error({ messageId, conversationId: failed.conversationId, err: reason }, 'message could not be delivered');
    if (!conversation) return;
    await this.alerts.raise({
      type: 'delivery_failed',
      conversationId: conversation.id,
      channel: conversation.channel,
      agentId: conversation.assigneeId,
      messageId: failed.id,
      detail: reason,
      // A reply sent again that fails again is news again.
      key: `delivery_failed:${messageId}${failed.retries ? `:${failed.retries}` : ''}`,
    });
  }

  /** Tells the inbox of the reply's new state; returns its conversation. */
  private async publish(message: MessageRecord): Promise<ConversationRecord | null> {
    const conversation = await this.store.conversations.get(message.conversationId);
    if (conversation)
      this.events.emit(InboxEvent.MessageUpdated, { conversation: toConversation(conversation), message: toMessage(message) });
    return conversation;
  }

  /**
   * Replies queued by a build that kept them in jobs: due now, so the outbox takes them up. Runs once at start.
   * Older replies carry no `queuedAt`; they were handed over, so they get it too.
   */
  adoptQueued(now: Date): Promise<number> {
    return this.store.outbox.adoptQueued(now);
  }

  /** Replies waiting to be sent: the outbound-queue gauge. */
  countQueued(): Promise<number> {
    return this.store.outbox.countQueued();
  }
}
