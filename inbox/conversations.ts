import { Types } from 'mongoose';
import { z } from 'zod';
import { type Channel, channelNames } from '../shared/channels';
import { AppError, ErrorCode } from '../shared/errors';
import { statusChangeBody } from '../shared/inbox-api';
import { type Actor, assertCanWorkOn, isObjectId, seesEverything } from './access';
import { decodeCursor, encodeCursor } from './cursor';
import { InboxEvent, type InboxEvents } from './events';
import { type Clock, type Deadlines, noDeadlines } from './ports';
import type { AgentDoc, ConversationDoc, MessageDoc, Models } from './store/models';
import { type Conversation, type Message, toConversation, toMessage } from './views';

const limit = z.coerce.number().int().min(1).max(200).default(50);

export const listConversationsQuery = z.object({
  status: z.enum(['open', 'pending', 'snoozed', 'resolved']).optional(),
  channel: z.enum(channelNames).optional(),
  /** An agent id, or `none` for the unassigned queue. */
  assigneeId: z.union([z.literal('none'), z.string().regex(/^[a-f0-9]{24}$/i, 'must be an agent id or "none"')]).optional(),
  /** A search: part of the contact's name or of the last message, or the contact's exact email or phone. */
  q: z.string().trim().min(1).max(100).optional(),
  /** `recent`: by the last message, newest first. `waiting`: only those waiting for a reply, longest wait first. */
  sort: z.enum(['recent', 'waiting']).default('recent'),
  cursor: z.string().optional(),
  limit,
});
export type ListConversationsQuery = z.infer<typeof listConversationsQuery>;

export const listMessagesQuery = z.object({ cursor: z.string().optional(), limit });

/** The body of a status change, as the managers' app sends it too. */
export const statusChangeSchema = statusChangeBody;
export type StatusChange = z.infer<typeof statusChangeSchema>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Reading and steering conversations on behalf of a manager, with who-may-see-what enforced here. */
export class Conversations {
  constructor(
    private readonly models: Models,
    private readonly events: InboxEvents,
    private readonly clock: Clock,
    private readonly deadlines: Deadlines = noDeadlines,
  ) {}

  async list(actor: Actor, query: ListConversationsQuery): Promise<Page<Conversation>> {
    const and: Record<string, unknown>[] = [];
    if (query.status) and.push({ status: query.status });
    if (query.channel) and.push({ channel: query.channel });
    if (query.assigneeId) {
      const wanted = query.assigneeId === 'none' ? null : query.assigneeId;
      if (!seesEverything(actor) && wanted !== null && wanted !== actor.id) {
        throw new AppError(ErrorCode.Forbidden, 'an agent may list only their own conversations and the unassigned queue');
      }
      and.push({ assigneeId: wanted === null ? null : new Types.ObjectId(wanted) });
    } else if (!seesEverything(actor)) {
      and.push({ $or: [{ assigneeId: new Types.ObjectId(actor.id) }, { assigneeId: null }] });
    }
    if (query.q) and.push(await this.searchFilter(query.q));
    const waiting = query.sort === 'waiting';
    // Every stored awaitingReplySince is after the epoch: "someone waits" as an index range.
    if (waiting) and.push({ awaitingReplySince: { $gte: new Date(0) } });
    if (query.cursor) {
      const { at, id } = decodeCursor(query.cursor);
      const after = new Types.ObjectId(id);
      and.push(
        waiting
          ? { $or: [{ awaitingReplySince: { $gt: at } }, { awaitingReplySince: at, _id: { $gt: after } }] }
          : { $or: [{ lastMessageAt: { $lt: at } }, { lastMessageAt: at, _id: { $lt: after } }] },
      );
    }
    const docs = await this.models.Conversation.find(and.length ? { $and: and } : {})
      .sort(waiting ? { awaitingReplySince: 1, _id: 1 } : { lastMessageAt: -1, _id: -1 })
      .limit(query.limit + 1)
      .lean<ConversationDoc[]>();
    const page = docs.slice(0, query.limit);
    const last = page.at(-1);
    const key = last && (waiting ? last.awaitingReplySince : last.lastMessageAt);
    return {
      items: page.map(toConversation),
      nextCursor: docs.length > query.limit && last && key ? encodeCursor(key, last._id) : null,
    };
  }

  /**
   * Part of a name or of the last message, case aside, is matched document by document along the list's order; an
   * email or a phone (digits, with or without +) is looked up exactly, by index, among the contacts.
   */
  private async searchFilter(q: string): Promise<Record<string, unknown>> {
    const needle = new RegExp(q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
    const digits = q.replace(/[\s()-]/g, '');
    const identities: Record<string, unknown>[] = [];
    if (q.includes('@')) identities.push({ email: q }, { email: q.toLowerCase() });
    if (/^\+?\d{6,15}$/.test(digits)) identities.push({ phone: digits.replace(/^\+/, '') }, { phone: `+${digits.replace(/^\+/, '')}` });
    const contacts = identities.length
      ? await this.models.Contact.find({ $or: identities }, { _id: 1 }).limit(50).lean<{ _id: Types.ObjectId }[]>()
      : [];
    const or: Record<string, unknown>[] = [{ contactName: needle }, { lastMessagePreview: needle }];
    if (contacts.length) or.push({ contactId: { $in: contacts.map((c) => c._id) } });
    return { $or: or };
  }

  /** The conversation, if it exists and the actor may work on it. */
  async load(actor: Actor, id: string): Promise<ConversationDoc> {
    const doc = isObjectId(id) ? await this.models.Conversation.findById(id).lean<ConversationDoc>() : null;
    if (!doc) throw new AppError(ErrorCode.ConversationNotFound, `conversation ${id} not found`);
    assertCanWorkOn(actor, doc);
    return doc;
  }

  async get(actor: Actor, id: string): Promise<Conversation> {
    return toConversation(await this.load(actor, id));
  }

  async messages(actor: Actor, id: string, query: z.infer<typeof listMessagesQuery>): Promise<Page<Message>> {
    const conversation = await this.load(actor, id);
    const filter: Record<string, unknown> = { conversationId: conversation._id };
    if (query.cursor) {
      const { at, id: after } = decodeCursor(query.cursor);
      filter.$or = [{ createdAt: { $gt: at } }, { createdAt: at, _id: { $gt: new Types.ObjectId(after) } }];
    }
    const docs = await this.models.Message.find(filter, { raw: 0 })
      .sort({ createdAt: 1, _id: 1 })
      .limit(query.limit + 1)
      .lean<MessageDoc[]>();
    const page = docs.slice(0, query.limit);
    const last = page.at(-1) as (MessageDoc & { createdAt: Date }) | undefined;
    return {
      items: page.map(toMessage),
      nextCursor: docs.length > query.limit && last ? encodeCursor(last.createdAt, last._id) : null,
    };
  }

  /** Manual (re)assignment; it restarts the escalation chain from the new assignee. */
  async assign(actor: Actor, id: string, agentId: string | null): Promise<Conversation> {
    return this.applyAssign(actor, id, agentId);
  }

  private async applyAssign(actor: Actor, id: string, agentId: string | null): Promise<Conversation> {
    const before = await this.load(actor, id);
    if (agentId !== null) {
      const target = isObjectId(agentId) ? await this.models.Agent.findById(agentId).lean<AgentDoc>() : null;
      if (!target) throw new AppError(ErrorCode.AgentNotFound, `agent ${agentId} not found`);
      if (!seesEverything(actor) && agentId !== actor.id && before.assigneeId?.toString() !== actor.id) {
        throw new AppError(ErrorCode.Forbidden, 'an agent may hand over only their own conversations');
      }
    }
    const assignee = agentId === null ? null : new Types.ObjectId(agentId);
    // A customer still waiting gets a fresh escalation clock: the new assignee has the full time to answer.
    const waiting = before.awaitingReplySince != null;
    const escalationDueAt = waiting ? this.deadlines.escalationFrom(before.channel as Channel, this.clock()) : null;
    const after = await this.models.Conversation.findOneAndUpdate(
      { _id: before._id },
      { $set: { assigneeId: assignee, escalationStep: 0, triedAgentIds: assignee ? [assignee] : [], escalationDueAt } },
      { returnDocument: 'after' },
    ).lean<ConversationDoc>();
    if (!after) throw new AppError(ErrorCode.ConversationNotFound, `conversation ${id} not found`);
    return this.publish(after, before.assigneeId?.toString() ?? null);
  }

  async setStatus(actor: Actor, id: string, change: StatusChange): Promise<Conversation> {
    return this.applyStatus(actor, id, change);
  }

  private async applyStatus(actor: Actor, id: string, change: StatusChange): Promise<Conversation> {
    const before = await this.load(actor, id);
    const set: Record<string, unknown> = { status: change.status };
    if (change.status === 'resolved') {
      Object.assign(set, {
        resolvedAt: this.clock(),
        awaitingReplySince: null,
        escalationDueAt: null,
        slaWarnAt: null,
        slaBreachAt: null,
        outcome: change.outcome ?? null,
        lossReason: change.outcome === 'lost' ? change.lossReason : null,
      });
    } else if (before.status === 'resolved') {
      Object.assign(set, { resolvedAt: null, outcome: null, lossReason: null });
    }
    const after = await this.models.Conversation.findOneAndUpdate(
      { _id: before._id },
      { $set: set },
      { returnDocument: 'after' },
    ).lean<ConversationDoc>();
    if (!after) throw new AppError(ErrorCode.ConversationNotFound, `conversation ${id} not found`);
    return this.publish(after);
  }

  async markRead(actor: Actor, id: string): Promise<Conversation> {
    return this.applyRead(actor, id);
  }

  private async applyRead(actor: Actor, id: string): Promise<Conversation> {
    const before = await this.load(actor, id);
    if (before.unreadCount === 0) return toConversation(before);
    const after = await this.models.Conversation.findOneAndUpdate(
      { _id: before._id },
      { $set: { unreadCount: 0 } },
      { returnDocument: 'after' },
    ).lean<ConversationDoc>();
    if (!after) throw new AppError(ErrorCode.ConversationNotFound, `conversation ${id} not found`);
    return this.publish(after);
  }

  private publish(doc: ConversationDoc, previousAssigneeId?: string | null): Conversation {
    const conversation = toConversation(doc);
    this.events.emit(InboxEvent.ConversationUpdated, { conversation, previousAssigneeId });
    return conversation;
  }
}
