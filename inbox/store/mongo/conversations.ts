import type { Channel } from '../../../shared/channels';
import type {
  ConversationFilter,
  ConversationStore,
  CustomerTurn,
  NewConversation,
  StatusChange,
  TurnFollowUp,
  UnansweredLead,
  WaitingCustomer,
} from '../port';
import type { ConversationRecord } from '../records';
import { oid, oidOrNull, toConversationRecord } from './mapping';
import { type ConversationDoc, isDuplicateKey, type Models } from './models';

/** Inbound messages a conversation remembers having applied: far more than can be redelivered at once. */
const APPLIED_KEPT = 20;
/** `{$gte: ANY_TIME}` matches every stored wait's start and no null: an index range, where `$ne: null` is not. */
const ANY_TIME = new Date(0);
const clearedDeadlines = { escalationDueAt: null, slaWarnAt: null, slaBreachAt: null } as const;

const record = (doc: ConversationDoc | null): ConversationRecord | null => (doc ? toConversationRecord(doc) : null);

export class MongoConversations implements ConversationStore {
  constructor(private readonly models: Models) {}

  private update(filter: Record<string, unknown>, update: Record<string, unknown>): Promise<ConversationRecord | null> {
    return this.models.Conversation.findOneAndUpdate(filter, update, { returnDocument: 'after' }).lean<ConversationDoc>().then(record);
  }

  async get(id: string): Promise<ConversationRecord | null> {
    return record(await this.models.Conversation.findById(oid(id)).lean<ConversationDoc>());
  }

  async getMany(ids: readonly string[]): Promise<ConversationRecord[]> {
    if (ids.length === 0) return [];
    const docs = await this.models.Conversation.find({ _id: { $in: ids.map(oid) } }).lean<ConversationDoc[]>();
    return docs.map(toConversationRecord);
  }

  async open(c: NewConversation): Promise<ConversationRecord | null> {
    try {
      const created = await this.models.Conversation.create({
        _id: oid(c.id),
        contactId: oid(c.contactId),
        channel: c.channel,
        contactName: c.contactName,
        status: 'open',
        assigneeId: oidOrNull(c.assigneeId),
        lastMessageAt: c.at,
        lastInboundAt: c.at,
        firstInboundAt: c.at,
        awaitingReplySince: c.at,
        escalationDueAt: c.escalationDueAt,
        slaWarnAt: c.slaWarnAt,
        slaBreachAt: c.slaBreachAt,
        firstResponseDueAt: c.firstResponseDueAt,
        lastMessagePreview: c.preview,
        unreadCount: 1,
        appliedInbound: [oid(c.messageId)],
        contactReachable: c.contactReachable,
      });
      return toConversationRecord(created.toObject() as ConversationDoc);
    } catch (e) {
      if (isDuplicateKey(e)) return null;
      throw e;
    }
  }

  async takeCustomerTurn(id: string, turn: CustomerTurn): Promise<ConversationRecord | null> {
    const messageId = oid(turn.messageId);
    // The guard on appliedInbound makes a second application (a redelivery) find nothing to do.
    const before = await this.models.Conversation.findOneAndUpdate(
      { _id: oid(id), appliedInbound: { $ne: messageId } },
      {
        $max: { lastMessageAt: turn.at, lastInboundAt: turn.at },
        $set: { status: 'open', lastMessagePreview: turn.preview },
        $inc: { unreadCount: 1 },
        $push: { appliedInbound: { $each: [messageId], $slice: -APPLIED_KEPT } },
      },
      { returnDocument: 'before' },
    ).lean<ConversationDoc>();
    return record(before);
  }

  async followUpTurn(id: string, change: TurnFollowUp): Promise<ConversationRecord | null> {
    const set: Record<string, unknown> = {};
    const guard: Record<string, unknown> = { _id: oid(id) };
    if (change.wait) {
      const { since, firstResponseDueAt, ...due } = change.wait;
      Object.assign(set, { awaitingReplySince: since, ...due });
      if (firstResponseDueAt !== undefined) set.firstResponseDueAt = firstResponseDueAt;
      guard.awaitingReplySince = null;
    }
    if (change.firstInboundAt) set.firstInboundAt = change.firstInboundAt;
    if (change.reopen) Object.assign(set, { outcome: null, lossReason: null, resolvedAt: null, escalationStep: 0, triedAgentIds: [] });
    return this.update(guard, { $set: set });
  }

  assignIfUnassigned(id: string, agentId: string): Promise<ConversationRecord | null> {
    return this.update({ _id: oid(id), assigneeId: null }, { $set: { assigneeId: oid(agentId) } });
  }

  setContactReachable(id: string, reachable: boolean): Promise<ConversationRecord | null> {
    return this.update({ _id: oid(id), contactReachable: { $ne: reachable } }, { $set: { contactReachable: reachable } });
  }

  async endWait(id: string): Promise<ConversationRecord | null> {
    const before = await this.models.Conversation.findOneAndUpdate(
      { _id: oid(id), awaitingReplySince: { $ne: null } },
      { $set: { awaitingReplySince: null, escalationStep: 0, triedAgentIds: [], ...clearedDeadlines } },
      { returnDocument: 'before' },
    ).lean<ConversationDoc>();
    return record(before);
  }

  async recordFirstResponse(id: string, at: Date, agentId: string): Promise<boolean> {
    const res = await this.models.Conversation.updateOne(
      { _id: oid(id), firstResponseAt: null },
      { $set: { firstResponseAt: at, firstResponderId: oid(agentId) } },
    );
    return res.modifiedCount === 1;
  }

  noteReply(id: string, at: Date, preview: string, reopen: boolean): Promise<ConversationRecord | null> {
    return this.update(
      { _id: oid(id) },
      { $max: { lastMessageAt: at }, $set: { lastMessagePreview: preview, unreadCount: 0, ...(reopen ? { status: 'open' } : {}) } },
    );
  }

  async list(filter: ConversationFilter, limit: number): Promise<ConversationRecord[]> {
    const and: Record<string, unknown>[] = [];
    if (filter.status) and.push({ status: filter.status });
    if (filter.channel) and.push({ channel: filter.channel });
    if (filter.assigneeId !== undefined) and.push({ assigneeId: oidOrNull(filter.assigneeId) });
    if (filter.visibleTo) and.push({ $or: [{ assigneeId: oid(filter.visibleTo) }, { assigneeId: null }] });
    if (filter.after) {
      const { at, id } = filter.after;
      and.push({ $or: [{ lastMessageAt: { $lt: at } }, { lastMessageAt: at, _id: { $lt: oid(id) } }] });
    }
    const docs = await this.models.Conversation.find(and.length ? { $and: and } : {})
      .sort({ lastMessageAt: -1, _id: -1 })
      .limit(limit)
      .lean<ConversationDoc[]>();
    return docs.map(toConversationRecord);
  }

  assign(id: string, assigneeId: string | null, escalationDueAt: Date | null): Promise<ConversationRecord | null> {
    const assignee = oidOrNull(assigneeId);
    return this.update(
      { _id: oid(id) },
      { $set: { assigneeId: assignee, escalationStep: 0, triedAgentIds: assignee ? [assignee] : [], escalationDueAt } },
    );
  }

  changeStatus(id: string, change: StatusChange): Promise<ConversationRecord | null> {
    const set: Record<string, unknown> = { status: change.status };
    if (change.resolution) {
      Object.assign(set, {
        resolvedAt: change.resolution.at,
        awaitingReplySince: null,
        ...clearedDeadlines,
        outcome: change.resolution.outcome,
        lossReason: change.resolution.lossReason,
      });
    } else if (change.clearResolution) {
      Object.assign(set, { resolvedAt: null, outcome: null, lossReason: null });
    }
    return this.update({ _id: oid(id) }, { $set: set });
  }

  markRead(id: string): Promise<ConversationRecord | null> {
    return this.update({ _id: oid(id) }, { $set: { unreadCount: 0 } });
  }

  /** Index `{firstResponseAt: 1, firstInboundAt: 1}` (null, then the range), or its `channel`-first twin. */
  async unansweredLeads(from: Date, to: Date, channel?: Channel): Promise<UnansweredLead[]> {
    const docs = await this.models.Conversation.find(
      { ...(channel ? { channel } : {}), firstResponseAt: null, firstInboundAt: { $gte: from, $lt: to } },
      { channel: 1, assigneeId: 1, firstInboundAt: 1, firstResponseDueAt: 1 },
    ).lean<ConversationDoc[]>();
    return docs.map((d) => ({
      id: d._id.toString(),
      channel: d.channel as Channel,
      assigneeId: d.assigneeId?.toString() ?? null,
      firstInboundAt: d.firstInboundAt ?? null,
      firstResponseDueAt: d.firstResponseDueAt ?? null,
    }));
  }

  /** Index `{awaitingReplySince: 1}`, or `{channel: 1, awaitingReplySince: 1}`. */
  async waitingNow(channel?: Channel): Promise<WaitingCustomer[]> {
    const docs = await this.models.Conversation.find(
      { ...(channel ? { channel } : {}), awaitingReplySince: { $gte: ANY_TIME } },
      { channel: 1, assigneeId: 1, awaitingReplySince: 1 },
    ).lean<ConversationDoc[]>();
    return docs.map((d) => ({
      id: d._id.toString(),
      channel: d.channel as Channel,
      assigneeId: d.assigneeId?.toString() ?? null,
      awaitingReplySince: d.awaitingReplySince ?? null,
    }));
  }

  /** From index `{channel: 1, awaitingReplySince: 1}` alone on MongoDB. */
  countWaiting(channel: Channel): Promise<number> {
    return this.models.Conversation.countDocuments({ channel, awaitingReplySince: { $gte: ANY_TIME } });
  }

  async leadIdsBetween(from: Date, to: Date, channel?: Channel): Promise<string[]> {
    const docs = await this.models.Conversation.find(
      { firstInboundAt: { $gte: from, $lt: to }, ...(channel ? { channel } : {}) },
      { _id: 1 },
    ).lean();
    return docs.map((d) => d._id.toString());
  }
}
