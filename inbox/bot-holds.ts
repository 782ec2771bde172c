import type { Actor } from './access';
import type { Assignment } from './assignment';
import type { Conversations } from './conversations';
import { InboxEvent, type InboxEvents } from './events';
import type { Clock } from './ports';
import { idFromKey } from './store/ids';
import type { InboxStore } from './store/port';
import type { ConversationRecord } from './store/records';
import { type Conversation, toConversation, toMessage } from './views';

/** What the bot learned and why it let go, for the note managers read first. */
export interface HandOffSummary {
  /** Lines of the note, as the bot writes them. */
  lines: string[];
  /** What makes the note idempotent: the same key, one note. */
  key: string;
}

/**
 * The chatbot letting go of a conversation to people, and a manager taking it from the bot. Either way the
 * conversation becomes `open` in one write guarded by the bot still holding it, so of a hand-off and a take-over at
 * once one lands; the customer waits from that moment (its first-response and escalation clocks start then), and it
 * is assigned as any new conversation is.
 */
export class BotHolds {
  constructor(
    private readonly store: InboxStore,
    private readonly conversations: Conversations,
    private readonly assignment: Assignment,
    private readonly events: InboxEvents,
    private readonly clock: Clock,
  ) {}

  /** The bot hands off: the summary note first (so it is there when managers open it), then the conversation. */
  async handOff(conversationId: string, summary: HandOffSummary | null): Promise<Conversation | null> {
    const before = await this.store.conversations.get(conversationId);
    if (!before?.heldByBot) return null;
    const at = this.clock();
    if (summary?.lines.length) {
      const note = await this.store.messages.recordNote({
        id: idFromKey(`bot-summary:${summary.key}`),
        conversationId,
        channel: before.channel,
        sender: { type: 'system', name: 'Бот' },
        text: summary.lines.join('\n'),
        createdAt: at,
      });
      this.events.emit(InboxEvent.MessageNew, { conversation: toConversation(before), message: toMessage(note) });
    }
    const released = await this.store.conversations.releaseFromBot(conversationId, this.conversations.waitFrom(before, at));
    if (!released) return null;
    const assigned = released.assigneeId ? released : ((await this.assignment.assignIfUnassigned(conversationId)) ?? released);
    return this.publish(assigned, before);
  }

  /** A manager takes the conversation from the bot (the "Take over" button): it is theirs, and the bot stops at once. */
  async takeOver(actor: Actor, conversationId: string): Promise<Conversation> {
    const before = await this.conversations.load(actor, conversationId);
    if (!before.heldByBot) return toConversation(before);
    return this.conversations.assign(actor, conversationId, actor.id);
  }

  private publish(after: ConversationRecord, before: ConversationRecord): Conversation {
    const conversation = toConversation(after);
    this.events.emit(InboxEvent.ConversationUpdated, { conversation, previousAssigneeId: before.assigneeId });
    return conversation;
  }
}
