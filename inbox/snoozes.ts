import { AppError, ErrorCode } from '../shared/errors';
import type { Actor } from './access';
import type { Conversations } from './conversations';
import { InboxEvent, type InboxEvents } from './events';
import type { Clock, Deadlines } from './ports';
import type { InboxStore } from './store/port';
import type { ConversationRecord } from './store/records';
import { type Conversation, toConversation } from './views';

/**
 * A manager puts a conversation aside until a time: status `snoozed` with `snoozedUntil`, a due time the automations'
 * pass reads by index like the others. Its escalation pauses meanwhile (the customer's wait goes on, for the
 * figures) and it leaves the waiting queue; it opens again at that time, on the customer's next message (ingest), or
 * when a manager says so, and a customer still waiting then gets the full escalation time again.
 */
export class Snoozes {
  constructor(
    private readonly store: InboxStore,
    private readonly conversations: Conversations,
    private readonly events: InboxEvents,
    private readonly clock: Clock,
    private readonly deadlines: Deadlines,
  ) {}

  async snooze(actor: Actor, id: string, until: Date): Promise<Conversation> {
    const before = await this.conversations.load(actor, id);
    if (until.getTime() <= this.clock().getTime()) {
      throw new AppError(ErrorCode.BadInput, `until must be in the future; it is ${this.clock().toISOString()} now`);
    }
    if (before.status === 'resolved') throw new AppError(ErrorCode.Conflict, 'a resolved conversation is not snoozed: reopen it first');
    const after = await this.store.conversations.snooze(before.id, until);
    if (!after) throw new AppError(ErrorCode.Conflict, 'the conversation was resolved meanwhile: reopen it first');
    return this.publish(after);
  }

  async unsnooze(actor: Actor, id: string): Promise<Conversation> {
    const before = await this.conversations.load(actor, id);
    if (before.status !== 'snoozed') return toConversation(before);
    const after = await this.store.conversations.wake(before.id, null, this.escalationOf(before));
    return after ? this.publish(after) : toConversation((await this.store.conversations.get(before.id)) ?? before);
  }

  /** The snooze found due by the automations' pass ends; false when something else ended it first. */
  async wake(c: ConversationRecord): Promise<boolean> {
    if (!c.snoozedUntil) return false;
    const after = await this.store.conversations.wake(c.id, c.snoozedUntil, this.escalationOf(c));
    if (!after) {
      // Ended otherwise meanwhile (the customer wrote, a manager acted): the due time only goes, if still there.
      await this.store.waits.reschedule(c, 'snoozedUntil', null);
      return false;
    }
    this.publish(after);
    return true;
  }

  private escalationOf(c: ConversationRecord): Date | null {
    return c.awaitingReplySince ? this.deadlines.escalationFrom(c.channel, this.clock()) : null;
  }

  private publish(record: ConversationRecord): Conversation {
    const conversation = toConversation(record);
    this.events.emit(InboxEvent.ConversationUpdated, { conversation });
    return conversation;
  }
}
