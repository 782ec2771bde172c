import type { WaitStore } from '../port';
import type { ConversationRecord, DueKind } from '../records';
import { oid, toConversationRecord } from './mapping';
import type { ConversationDoc, Models } from './models';

export class MongoWaits implements WaitStore {
  constructor(private readonly models: Models) {}

  /** By the due time's index (`{escalationDueAt: 1, _id: 1}` and its twins): reads what is due, not what is open. */
  async dueBefore(kind: DueKind, now: Date, limit: number): Promise<ConversationRecord[]> {
    const docs = await this.models.Conversation.find({ [kind]: { $lte: now } })
      .sort({ [kind]: 1, _id: 1 })
      .limit(limit)
      .lean<ConversationDoc[]>();
    return docs.map(toConversationRecord);
  }

  /** The guard of an escalation decided on `c`: same due time, same step, same wait. */
  private escalationGuard(c: ConversationRecord): Record<string, unknown> {
    return {
      _id: oid(c.id),
      escalationDueAt: c.escalationDueAt,
      escalationStep: c.escalationStep === 0 ? { $in: [0, null] } : c.escalationStep,
      awaitingReplySince: c.awaitingReplySince,
    };
  }

  async handOver(c: ConversationRecord, to: string, nextDueAt: Date | null): Promise<ConversationRecord | null> {
    const tried = [...(c.assigneeId ? [c.assigneeId] : []), to].map(oid);
    const after = await this.models.Conversation.findOneAndUpdate(
      this.escalationGuard(c),
      {
        $set: { assigneeId: oid(to), escalationStep: c.escalationStep + 1, escalationDueAt: nextDueAt },
        $addToSet: { triedAgentIds: { $each: tried } },
      },
      { returnDocument: 'after' },
    ).lean<ConversationDoc>();
    return after ? toConversationRecord(after) : null;
  }

  async toQueue(c: ConversationRecord): Promise<ConversationRecord | null> {
    const after = await this.models.Conversation.findOneAndUpdate(
      this.escalationGuard(c),
      { $set: { assigneeId: null, escalationDueAt: null } },
      { returnDocument: 'after' },
    ).lean<ConversationDoc>();
    return after ? toConversationRecord(after) : null;
  }

  async reschedule(c: ConversationRecord, kind: DueKind, to: Date | null): Promise<boolean> {
    const res = await this.models.Conversation.updateOne({ _id: oid(c.id), [kind]: c[kind] }, { $set: { [kind]: to } });
    return res.modifiedCount === 1;
  }
}
