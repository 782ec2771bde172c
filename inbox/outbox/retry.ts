import { AppError, ErrorCode } from '../../shared/errors';
import type { Actor } from '../access';
import { isObjectId } from '../access';
import type { Conversations } from '../conversations';
import { InboxEvent, type InboxEvents } from '../events';
import type { InboxStore } from '../store/port';
import { type Message, toConversation, toMessage } from '../views';
import type { Delivery } from './delivery';

/**
 * A manager sends a failed reply again: `failed` → `queued` in one guarded write (only from `failed`, so two clicks
 * or two managers queue it once), then the outbox takes it up as any reply, and the page hears each step live.
 */
export class ReplyRetries {
  constructor(
    private readonly store: InboxStore,
    private readonly conversations: Conversations,
    private readonly events: InboxEvents,
    private readonly delivery: Delivery,
  ) {}

  async retry(actor: Actor, conversationId: string, messageId: string): Promise<Message> {
    const conversation = await this.conversations.load(actor, conversationId);
    const queued = isObjectId(messageId) ? await this.delivery.retryFailed(messageId, conversation.id) : null;
    if (!queued) {
      const message = isObjectId(messageId) ? await this.store.messages.get(messageId) : null;
      if (!message || message.conversationId !== conversation.id || message.direction !== 'out') {
        throw new AppError(ErrorCode.NotFound, `conversation ${conversation.id} has no reply ${messageId}`);
      }
      throw new AppError(ErrorCode.NotRetryable, `only a reply that failed is sent again; this one is ${message.status}`);
    }
    const current = (await this.store.conversations.get(conversation.id)) ?? conversation;
    this.events.emit(InboxEvent.MessageUpdated, { conversation: toConversation(current), message: toMessage(queued) });
    return toMessage(queued);
  }
}
