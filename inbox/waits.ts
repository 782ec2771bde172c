import type { Types } from 'mongoose';
import { InboxEvent, type InboxEvents } from './events';
import type { ConversationDoc, DueKind, Models } from './store/models';
import { toConversation } from './views';

export { type DueKind, dueKinds } from './store/models';

/**
 * The customers' waits as the automations see them: what fell due (by index on the stored due times), and the
 * few writes that act on a due wait. Every write is guarded by the state it was decided on (the due time, the
 * escalation step, the wait's start), so when two gateway processes act on the same wait exactly one write lands
 * and the other finds nothing to do.
 */
export class Waits {
  constructor(
    private readonly models: Models,
    private readonly events: InboxEvents,
  ) {}

  /** Conversations whose `kind` due time is at or before `now`, earliest first (by the due time's index). */
  async due(kind: DueKind, now: Date, limit: number): Promise<ConversationDoc[]> {
    return this.models.Conversation.find({ [kind]: { $lte: now } })
      .sort({ [kind]: 1, _id: 1 })
      .limit(limit)
      .lean<ConversationDoc[]>();
  }

  /** The guard of an escalation decided on `c`: same due time, same step, same wait. */
  private escalationGuard(c: ConversationDoc): Record<string, unknown> {
    const step = c.escalationStep ?? 0;
    return {
      _id: c._id,
      escalationDueAt: c.escalationDueAt,
      escalationStep: step === 0 ? { $in: [0, null] } : step,
      awaitingReplySince: c.awaitingReplySince ?? null,
    };
  }

  /** Hands the waiting conversation to `to`; null when someone else already acted on this step. */
  async handOver(c: ConversationDoc, to: Types.ObjectId, nextDueAt: Date | null): Promise<ConversationDoc | null> {
    const tried = [...(c.assigneeId ? [c.assigneeId] : []), to];
    const after = await this.models.Conversation.findOneAndUpdate(
      this.escalationGuard(c),
      {
        $set: { assigneeId: to, escalationStep: (c.escalationStep ?? 0) + 1, escalationDueAt: nextDueAt },
        $addToSet: { triedAgentIds: { $each: tried } },
      },
      { returnDocument: 'after' },
    ).lean<ConversationDoc>();
    if (after) this.publish(after, c.assigneeId?.toString() ?? null);
    return after;
  }

  /** Ends the chain: the conversation goes to the unassigned queue everyone sees. Null when someone acted first. */
  async toQueue(c: ConversationDoc): Promise<ConversationDoc | null> {
    const after = await this.models.Conversation.findOneAndUpdate(
      this.escalationGuard(c),
      { $set: { assigneeId: null, escalationDueAt: null } },
      { returnDocument: 'after' },
    ).lean<ConversationDoc>();
    if (after) this.publish(after, c.assigneeId?.toString() ?? null);
    return after;
  }

  /** Moves (or clears, with null) one due time, if it is still the one that was found due. */
  async reschedule(c: ConversationDoc, kind: DueKind, to: Date | null): Promise<boolean> {
    const res = await this.models.Conversation.updateOne({ _id: c._id, [kind]: c[kind] }, { $set: { [kind]: to } });
    return res.modifiedCount === 1;
  }

  /** Managers' names by id, for alert texts. */
  async agentNames(ids: readonly Types.ObjectId[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const docs = await this.models.Agent.find({ _id: { $in: ids } }, { name: 1 }).lean();
    return new Map(docs.map((d) => [d._id.toString(), d.name]));
  }

  private publish(doc: ConversationDoc, previousAssigneeId: string | null): void {
    this.events.emit(InboxEvent.ConversationUpdated, { conversation: toConversation(doc), previousAssigneeId });
  }
}
