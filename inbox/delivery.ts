import type { Channel } from '../shared/channels';
import type { Logger } from '../shared/logger';
import { type ChannelSender, DeliveryError, type Template } from '../shared/messages';
import type { Alerts } from './alerts';
import { InboxEvent, type InboxEvents } from './events';
import { idFromKey, messageRefIdFor } from './store/ids';
import { type ContactDoc, type ConversationDoc, isDuplicateKey, type MessageDoc, type Models } from './store/models';
import { toConversation, toMessage } from './views';

/**
 * Sends one queued message through its channel. Called by the delivery job; a thrown retryable DeliveryError
 * asks the queue to try again later, everything else ends with the message `sent` or `failed`.
 */
export class Delivery {
  constructor(
    private readonly models: Models,
    private readonly senders: ReadonlyMap<Channel, ChannelSender>,
    private readonly alerts: Alerts,
    private readonly events: InboxEvents,
    private readonly log: Logger,
  ) {}

  /** `attempt` numbers the tries of one message (0 first); the same attempt is never sent twice. */
  async deliver(messageId: string, attempt = 0): Promise<void> {
    const message = await this.models.Message.findById(messageId).lean<MessageDoc>();
    // Idempotent: a job that runs again after the message was settled does nothing.
    if (message?.status !== 'queued') return;
    try {
      await this.models.DeliveryAttempt.create({
        _id: idFromKey(`delivery:${messageId}:${attempt}`),
        messageId: message._id,
        attempt,
        startedAt: new Date(),
      });
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      this.log.warn({ messageId, attempt }, 'delivery attempt already under way elsewhere; not sending twice');
      return;
    }
    const conversation = await this.models.Conversation.findById(message.conversationId).lean<ConversationDoc>();
    const contact = conversation && (await this.models.Contact.findById(conversation.contactId).lean<ContactDoc>());
    if (!conversation || !contact) return this.fail(messageId, 'the conversation or its contact no longer exists');
    const sender = this.senders.get(message.channel as Channel);
    if (!sender) return this.fail(messageId, `the ${message.channel} channel is not connected`);

    try {
      const result = await sender.send({
        channel: message.channel as Channel,
        to: contact.externalId,
        text: message.text ?? '',
        ...(message.template ? { template: message.template as Template } : {}),
        messageId,
        lastInboundAt: conversation.lastInboundAt ?? null,
      });
      // The reference first: a receipt can arrive as soon as the platform has the message.
      if (result.externalId) {
        await this.models.MessageRef.updateOne(
          { _id: messageRefIdFor(message.channel, result.externalId) },
          { $set: { messageId: message._id } },
          { upsert: true },
        );
      }
      const sent = await this.models.Message.findOneAndUpdate(
        { _id: message._id, status: 'queued' },
        { $set: { status: 'sent', externalId: result.externalId, error: null }, $inc: { attempts: 1 } },
        { returnDocument: 'after' },
      ).lean<MessageDoc>();
      if (sent) this.events.emit(InboxEvent.MessageUpdated, { conversation: toConversation(conversation), message: toMessage(sent) });
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      if (e instanceof DeliveryError && !e.retryable) return this.fail(messageId, reason);
      await this.models.Message.updateOne({ _id: message._id, status: 'queued' }, { $set: { error: reason }, $inc: { attempts: 1 } });
      this.log.warn(
        { messageId, conversationId: message.conversationId.toString(), channel: message.channel, err: reason },
        'delivery attempt failed; will retry',
      );
      throw e instanceof DeliveryError ? e : new DeliveryError(reason, true);
    }
  }

  /** Gives up on a message: it stays in the history as `failed`, with the reason, and supervisors hear of it. */
  async fail(messageId: string, reason: string): Promise<void> {
    const failed = await this.models.Message.findOneAndUpdate(
      { _id: messageId, status: 'queued' },
      { $set: { status: 'failed', error: reason } },
      { returnDocument: 'after' },
    ).lean<MessageDoc>();
    if (!failed) return;
    const conversation = await this.models.Conversation.findById(failed.conversationId).lean<ConversationDoc>();
    if (!conversation) return;
    this.log.error({ messageId, conversationId: conversation._id.toString(), err: reason }, 'message could not be delivered');
    this.events.emit(InboxEvent.MessageUpdated, { conversation: toConversation(conversation), message: toMessage(failed) });
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
}
