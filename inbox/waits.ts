import { InboxEvent, type InboxEvents } from './events';
import type { InboxStore } from './store/port';
import type { ConversationRecord, DueKind } from './store/records';
import { toConversation } from './views';

export type { ConversationRecord as WaitingConversation } from './store/records';
export { type DueKind, dueKinds } from './store/records';

/**
 * The customers' waits as the automations see them: what fell due (by index on the stored due times), and the
 * few writes that act on a due wait. Every write is guarded by the state it was decided on (the due time, the
 * escalation step, the wait's start), so when two gateway processes act on the same wait exactly one write lands
 * and the other finds nothing to do. Each write that lands is told to the live inbox.
 */
export class Waits {
  constructor(
    private readonly store: InboxStore,
    private readonly events: InboxEvents,
  ) {}

  /** Conversations whose `kind` due time is at or before `now`, earliest first (by the due time's index). */
  due(kind: DueKind, now: Date, limit: number): Promise<ConversationRecord[]> {
    return this.store.waits.dueBefore(kind, now, limit);
  }

  /** Hands the waiting conversation to `to`; null when someone else already acted on this step. */
  async handOver(c: ConversationRecord, to: string, nextDueAt: Date | null): Promise<ConversationRecord | null> {
    const after = await this.store.waits.handOver(c, to, nextDueAt);
    if (after) this.publish(after, c.assigneeId);
    return after;
  }

  /** Ends the chain: the conversation goes to the unassigned queue everyone sees. Null when someone acted first. */
  async toQueue(c: ConversationRecord): Promise<ConversationRecord | null> {
    const after = await this.store.waits.toQueue(c);
    if (after) this.publish(after, c.assigneeId);
    return after;
  }

  /** Moves (or clears, with null) one due time, if it is still the one that was found due. */
  reschedule(c: ConversationRecord, kind: DueKind, to: Date | null): Promise<boolean> {
    return this.store.waits.reschedule(c, kind, to);
  }

  /** Managers' names by id, for alert texts. */
  agentNames(ids: readonly string[]): Promise<Map<string, string>> {
    return this.store.agents.names(ids);
  }

  private publish(c: ConversationRecord, previousAssigneeId: string | null): void {
    this.events.emit(InboxEvent.ConversationUpdated, { conversation: toConversation(c), previousAssigneeId });
  }
}
