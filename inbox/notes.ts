import type { z } from 'zod';
import { noteBody } from '../shared/inbox-api';
import type { Actor } from './access';
import type { Conversations } from './conversations';
import { InboxEvent, type InboxEvents } from './events';
import type { Clock } from './ports';
import { newId } from './store/ids';
import type { InboxStore } from './store/port';
import { type Message, toConversation, toMessage } from './views';

export const noteSchema = noteBody;
export type NoteInput = z.infer<typeof noteSchema>;

/**
 * Managers' internal notes on a conversation. A note joins the history and reaches every manager who sees the
 * conversation, as a message does, but it is not an answer: it is never delivered, it leaves the customer's wait,
 * its timers and the response figures alone, and it changes nothing of the conversation (its preview, unread count
 * and place in the list are the customer's and the replies').
 */
export class Notes {
  constructor(
    private readonly store: InboxStore,
    private readonly conversations: Conversations,
    private readonly events: InboxEvents,
    private readonly clock: Clock,
  ) {}

  async add(actor: Actor, conversationId: string, input: NoteInput): Promise<Message> {
    const conversation = await this.conversations.load(actor, conversationId);
    const note = await this.store.messages.recordNote({
      id: newId(),
      conversationId: conversation.id,
      channel: conversation.channel,
      sender: { type: 'agent', id: actor.id, name: actor.name },
      text: input.text,
      createdAt: this.clock(),
    });
    const message = toMessage(note);
    this.events.emit(InboxEvent.MessageNew, { conversation: toConversation(conversation), message });
    return message;
  }
}
