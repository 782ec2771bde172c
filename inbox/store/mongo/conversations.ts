import type { Channel } from '../../../shared/channels';
import type {
  ConversationFilter,
  ConversationStore,
  CustomerTurn,
  LeadArrival,
  NewConversation,
  StatusChange,
  TurnFollowUp,
  UnansweredLead,
  WaitingCustomer,
} from '../port';
import type { ConversationRecord, DueTimes } from '../records';
import { oid, oidOrNull, toConversationRecord } from './mapping';
import { type ConversationDoc, isDuplicateKey, type Models } from './models';
import { native, schemaDefaults } from './native';

/** Inbound messages a conversation remembers having applied: far more than can be redelivered at once. */
const APPLIED_KEPT = 20;
/** `{$gte: ANY_TIME}` matches every stored wait's start and no null: an index range, where `$ne: null` is not. */
const ANY_TIME = new Date(0);
const clearedDeadlines = { escalationDueAt: null, slaWarnAt: null, slaBreachAt: null } as const;
const clearedResolution = { outcome: null, lossReason: null, lossReasonId: null, lossNote: null, resolvedAt: null } as const;

const record = (doc: ConversationDoc | null): ConversationRecord | null => (doc ? toConversationRecord(doc) : null);

export class MongoConversations implements ConversationStore {
  private readonly defaults: Record<string, unknown>;

  constructor(private readonly models: Models) {
    this.defaults = schemaDefaults(models.Conversation);
  }

  private update(filter: Record<string, unknown>, update: Record<string, unknown>): Promise<ConversationRecord | null> {
    return this.models.Conversation.findOneAndUpdate(filter, update, { returnDocument: 'after' }).lean<ConversationDoc>().then(record);
  }

  /** The guarded writes of a customer's turn, through the driver (./native.ts): they run for every message. */
  private async write(
    filter: Record<string, unknown>,
    update: { $set?: Record<string, unknown> } & Record<string, unknown>,
    returnDocument: 'before' | 'after',
  ): Promise<ConversationRecord | null> {
    const withTime = { ...update, $set: { ...update.$set, updatedAt: new Date() } };
    const doc = await native(this.models.Conversation).findOneAndUpdate(filter, withTime, { returnDocument });
    return record(doc as ConversationDoc | null);
  }

  async get(id: string): Promise<ConversationRecord | null> {
    return record((await native(this.models.Conversation).findOne({ _id: oid(id) })) as ConversationDoc | null);
  }

  async getMany(ids: readonly string[]): Promise<ConversationRecord[]> {
    if (ids.length === 0) return [];
    const docs = await this.models.Conversation.find({ _id: { $in: ids.map(oid) } }).lean<ConversationDoc[]>();
    return docs.map(toConversationRecord);
  }

  /** Written whole through the driver, on the schema's defaults (./native.ts). */
  async open(c: NewConversation): Promise<ConversationRecord | null> {
    const now = new Date();
    const doc = {
      ...this.defaults,
      _id: oid(c.id),
      channel: c.channel,
      contactId: oid(c.contactId),
      contactName: c.contactName,
      status: c.heldByBot ? 'pending' : 'open',
      heldByBot: c.heldByBot === true,
      assigneeId: oidOrNull(c.assigneeId),
      lastMessageAt: c.at,
      lastMessagePreview: c.preview,
      awaitingReplySince: c.waiting && !c.heldByBot ? c.at : null,
      firstInboundAt: c.waiting ? c.at : null,
      lastInboundAt: c.at,
      contactReachable: c.contactReachable,
      unreadCount: 1,
      appliedInbound: [oid(c.messageId)],
      escalationDueAt: c.escalationDueAt,
      slaWarnAt: c.slaWarnAt,
      slaBreachAt: c.slaBreachAt,
      firstResponseDueAt: c.firstResponseDueAt,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await native(this.models.Conversation).insertOne(doc);
      return toConversationRecord(doc as unknown as ConversationDoc);
    } catch (e) {
      // The customer's other message opened it first.
      if (isDuplicateKey(e)) return null;
      throw e;
    }
  }

  async takeCustomerTurn(id: string, turn: CustomerTurn): Promise<ConversationRecord | null> {
    const messageId = oid(turn.messageId);
    const taken = {
      $max: { lastMessageAt: turn.at, lastInboundAt: turn.at },
      $inc: { unreadCount: 1 },
      $push: { appliedInbound: { $each: [messageId], $slice: -APPLIED_KEPT } },
    };
    // The guard on appliedInbound makes a second application (a redelivery) find nothing to do.
    const byPeople = () =>
      this.write(
        { _id: oid(id), appliedInbound: { $ne: messageId }, heldByBot: { $ne: true } },
        {
          ...taken,
          // The customer writing again ends a snooze at once.
          $set: turn.automated
            ? { lastMessagePreview: turn.preview }
            : { status: 'open', snoozedUntil: null, lastMessagePreview: turn.preview },
        },
        'before',
      );
    // The bot talks with them: the conversation stays `pending`, as the bot holds it.
    const byBot = () =>
      this.write(
        { _id: oid(id), appliedInbound: { $ne: messageId }, heldByBot: true },
        { ...taken, $set: { lastMessagePreview: turn.preview } },
        'before',
      );
    // Of the two guards exactly one can match; the likelier goes first, so most turns take one write.
    const [first, second] = turn.heldByBotLikely ? [byBot, byPeople] : [byPeople, byBot];
    return (await first()) ?? second();
  }

  releaseFromBot(
    id: string,
    wait: (DueTimes & { since: Date; firstResponseDueAt?: Date | null }) | null,
  ): Promise<ConversationRecord | null> {
    const set: Record<string, unknown> = { heldByBot: false, status: 'open' };
    if (wait) {
      const { since, firstResponseDueAt, ...due } = wait;
      Object.assign(set, { awaitingReplySince: since, ...due, escalationStep: 0, triedAgentIds: [] });
      if (firstResponseDueAt !== undefined) set.firstResponseDueAt = firstResponseDueAt;
    }
    return this.write({ _id: oid(id), heldByBot: true }, { $set: set }, 'after');
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
    if (change.reopen) Object.assign(set, { ...clearedResolution, escalationStep: 0, triedAgentIds: [] });
    if (change.resumeEscalation !== undefined && !change.wait) {
      set.escalationDueAt = change.resumeEscalation;
      guard.escalationDueAt = null;
    }
    return this.write(guard, { $set: set }, 'after');
  }

  assignIfUnassigned(id: string, agentId: string): Promise<ConversationRecord | null> {
    return this.write({ _id: oid(id), assigneeId: null }, { $set: { assigneeId: oid(agentId) } }, 'after');
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
      // An agent's reply answers a snoozed customer too: the snooze ends with it.
      {
        $max: { lastMessageAt: at },
        // A manager's reply takes the conversation from the bot.
        $set: {
          lastMessagePreview: preview,
          unreadCount: 0,
          heldByBot: false,
          ...(reopen ? { status: 'open', snoozedUntil: null } : {}),
        },
      },
    );
  }

  async list(filter: ConversationFilter, limit: number): Promise<ConversationRecord[]> {
    const and: Record<string, unknown>[] = [];
    // The primary key bounds a pipeline filter's conversations; the order is the list's own.
    if (filter.ids) and.push({ _id: { $in: filter.ids.map(oid) } });
    if (filter.status) and.push({ status: filter.status });
    if (filter.channel) and.push({ channel: filter.channel });
    if (filter.assigneeId !== undefined) and.push({ assigneeId: oidOrNull(filter.assigneeId) });
    if (filter.visibleTo) and.push({ $or: [{ assigneeId: oid(filter.visibleTo) }, { assigneeId: null }] });
    if (filter.search) {
      // The text is matched document by document along the list's order (no index serves a substring).
      const needle = new RegExp(filter.search.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
      const or: Record<string, unknown>[] = [{ contactName: needle }, { lastMessagePreview: needle }];
      if (filter.search.contactIds.length) or.push({ contactId: { $in: filter.search.contactIds.map(oid) } });
      and.push({ $or: or });
    }
    const waiting = filter.order === 'longest-waiting';
    // The waiting queue: indexes `{awaitingReplySince: 1, _id: 1}` and its status, assignee and channel twins.
    if (waiting) and.push({ awaitingReplySince: { $gte: ANY_TIME } });
    // A snoozed customer still waits (for the figures), but nobody is to answer before the snooze ends.
    if (waiting && !filter.status) and.push({ status: { $ne: 'snoozed' } });
    if (filter.after) {
      const { at, id } = filter.after;
      const after = oid(id);
      and.push(
        waiting
          ? { $or: [{ awaitingReplySince: { $gt: at } }, { awaitingReplySince: at, _id: { $gt: after } }] }
          : { $or: [{ lastMessageAt: { $lt: at } }, { lastMessageAt: at, _id: { $lt: after } }] },
      );
    }
    const docs = await this.models.Conversation.find(and.length ? { $and: and } : {})
      .sort(waiting ? { awaitingReplySince: 1, _id: 1 } : { lastMessageAt: -1, _id: -1 })
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
    // Any status a manager sets by hand ends a snooze, and the bot's hold: the conversation is the managers' now.
    const set: Record<string, unknown> = { status: change.status, snoozedUntil: null, heldByBot: false };
    if (change.resolution) {
      const lost = change.resolution.lost;
      Object.assign(set, {
        resolvedAt: change.resolution.at,
        awaitingReplySince: null,
        ...clearedDeadlines,
        outcome: change.resolution.outcome,
        lossReason: lost?.label ?? null,
        lossReasonId: oidOrNull(lost?.reasonId),
        lossNote: lost?.note ?? null,
      });
    } else if (change.clearResolution) {
      Object.assign(set, clearedResolution);
    }
    return this.update({ _id: oid(id) }, { $set: set });
  }

  snooze(id: string, until: Date): Promise<ConversationRecord | null> {
    return this.update(
      { _id: oid(id), status: { $ne: 'resolved' } },
      { $set: { status: 'snoozed', snoozedUntil: until, escalationDueAt: null } },
    );
  }

  wake(id: string, snoozedUntil: Date | null, escalationDueAt: Date | null): Promise<ConversationRecord | null> {
    return this.update(
      { _id: oid(id), status: 'snoozed', ...(snoozedUntil ? { snoozedUntil } : {}) },
      { $set: { status: 'open', snoozedUntil: null, escalationDueAt } },
    );
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

  async leadsBetween(from: Date, to: Date, channel?: Channel): Promise<LeadArrival[]> {
    const docs = await this.models.Conversation.find(
      { ...(channel ? { channel } : {}), firstInboundAt: { $gte: from, $lt: to } },
      { channel: 1, assigneeId: 1, firstInboundAt: 1 },
    ).lean<ConversationDoc[]>();
    return docs.map((d) => ({
      id: d._id.toString(),
      channel: d.channel as Channel,
      assigneeId: d.assigneeId?.toString() ?? null,
      firstInboundAt: d.firstInboundAt ?? null,
    }));
  }

  countOpenOf(assigneeId: string): Promise<number> {
    return this.models.Conversation.countDocuments({ assigneeId: oid(assigneeId), status: 'open' });
  }
}
