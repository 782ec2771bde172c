import { z } from 'zod';
import { type Channel, channelNames } from '../shared/channels';
import { AppError, ErrorCode } from '../shared/errors';
import { statusChangeBody } from '../shared/inbox-api';
import { type Actor, assertCanWorkOn, isObjectId, seesEverything } from './access';
import { decodeCursor, encodeCursor } from './cursor';
import { InboxEvent, type InboxEvents } from './events';
import { pipelineConversationIds } from './pipeline/filters';
import { missingRequirements } from './pipeline/rules';
import { activeOfKind } from './pipeline/stages';
import { type Clock, type Deadlines, noDeadlines } from './ports';
import type { InboxStore } from './store/port';
import type { ConversationRecord } from './store/records';
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
  /** The pipeline's filters, by the conversation's current lead: its stage, its outcome, why it was lost. */
  stageId: z.string().trim().min(1).max(64).optional(),
  outcome: z.enum(['won', 'lost']).optional(),
  lossReasonId: z
    .string()
    .regex(/^[a-f0-9]{24}$/i, 'must be the id of a loss reason')
    .optional(),
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
    private readonly store: InboxStore,
    private readonly events: InboxEvents,
    private readonly clock: Clock,
    private readonly deadlines: Deadlines = noDeadlines,
  ) {}

  async list(actor: Actor, query: ListConversationsQuery): Promise<Page<Conversation>> {
    let assignee: { assigneeId?: string | null; visibleTo?: string } = {};
    if (query.assigneeId) {
      const wanted = query.assigneeId === 'none' ? null : query.assigneeId;
      if (!seesEverything(actor) && wanted !== null && wanted !== actor.id) {
        throw new AppError(ErrorCode.Forbidden, 'an agent may list only their own conversations and the unassigned queue');
      }
      assignee = { assigneeId: wanted };
    } else if (!seesEverything(actor)) {
      assignee = { visibleTo: actor.id };
    }
    const waiting = query.sort === 'waiting';
    const search = query.q ? await this.search(query.q) : undefined;
    const only = await pipelineConversationIds(this.store, query);
    const records = await this.store.conversations.list(
      {
        ...(query.status ? { status: query.status } : {}),
        ...(query.channel ? { channel: query.channel } : {}),
        ...assignee,
        ...(search ? { search } : {}),
        ...(only ? { ids: only } : {}),
        order: waiting ? 'longest-waiting' : 'recent',
        ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
      },
      query.limit + 1,
    );
    const page = records.slice(0, query.limit);
    const last = page.at(-1);
    const key = last && (waiting ? last.awaitingReplySince : last.lastMessageAt);
    return {
      items: page.map(toConversation),
      nextCursor: records.length > query.limit && last && key ? encodeCursor(key, last.id) : null,
    };
  }

  /**
   * A search: part of a name or of the last message, case aside, matched along the list's order; an email or a phone
   * (digits, with or without +) looked up exactly among the contacts.
   */
  private async search(q: string): Promise<{ text: string; contactIds: string[] }> {
    const digits = q.replace(/[\s()-]/g, '');
    const emails = q.includes('@') ? [...new Set([q, q.toLowerCase()])] : [];
    const phones = /^\+?\d{6,15}$/.test(digits) ? [digits.replace(/^\+/, ''), `+${digits.replace(/^\+/, '')}`] : [];
    const contactIds = emails.length || phones.length ? await this.store.contacts.idsByIdentity(emails, phones, 50) : [];
    return { text: q, contactIds };
  }

  /** The conversation, if it exists and the actor may work on it. */
  async load(actor: Actor, id: string): Promise<ConversationRecord> {
    const found = isObjectId(id) ? await this.store.conversations.get(id) : null;
    if (!found) throw new AppError(ErrorCode.ConversationNotFound, `conversation ${id} not found`);
    assertCanWorkOn(actor, found);
    return found;
  }

  async get(actor: Actor, id: string): Promise<Conversation> {
    return toConversation(await this.load(actor, id));
  }

  async messages(actor: Actor, id: string, query: z.infer<typeof listMessagesQuery>): Promise<Page<Message>> {
    const conversation = await this.load(actor, id);
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const records = await this.store.messages.history(conversation.id, after, query.limit + 1);
    const page = records.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(toMessage),
      nextCursor: records.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  }

  /** Manual (re)assignment; it restarts the escalation chain from the new assignee. */
  async assign(actor: Actor, id: string, agentId: string | null): Promise<Conversation> {
    return this.applyAssign(actor, id, agentId);
  }

  private async applyAssign(actor: Actor, id: string, agentId: string | null): Promise<Conversation> {
    const before = await this.load(actor, id);
    if (agentId !== null) {
      const target = isObjectId(agentId) ? await this.store.agents.get(agentId) : null;
      if (!target) throw new AppError(ErrorCode.AgentNotFound, `agent ${agentId} not found`);
      if (!target.active) throw new AppError(ErrorCode.Conflict, `${target.name} is deactivated and cannot take conversations`);
      if (!seesEverything(actor) && agentId !== actor.id && before.assigneeId !== actor.id) {
        throw new AppError(ErrorCode.Forbidden, 'an agent may hand over only their own conversations');
      }
    }
    // A customer still waiting gets a fresh escalation clock: the new assignee has the full time to answer. A snoozed
    // conversation gets its clock when it wakes.
    // Assigning takes the conversation from the bot: the customer waits for a person from now.
    if (before.heldByBot && (await this.store.conversations.releaseFromBot(before.id, this.waitFrom(before, this.clock())))) {
      this.events.emit(InboxEvent.BotTakenOver, { conversationId: before.id, at: this.clock() });
    }
    const waiting = (before.awaitingReplySince != null || before.heldByBot) && before.status !== 'snoozed';
    const escalationDueAt = waiting ? this.deadlines.escalationFrom(before.channel as Channel, this.clock()) : null;
    const after = await this.store.conversations.assign(before.id, agentId, escalationDueAt);
    if (!after) throw new AppError(ErrorCode.ConversationNotFound, `conversation ${id} not found`);
    return this.publish(after, before.assigneeId);
  }

  /** A wait that starts at `at`, with its due times, as a hand-off from the bot starts it. */
  waitFrom(c: ConversationRecord, at: Date) {
    const firstResponse = c.firstResponseAt == null;
    const due = this.deadlines.forWait(c.channel as Channel, at, firstResponse);
    return { since: at, ...due, ...(firstResponse ? { firstResponseDueAt: due.slaBreachAt } : {}) };
  }

  async setStatus(actor: Actor, id: string, change: StatusChange): Promise<Conversation> {
    return this.applyStatus(actor, id, change);
  }

  private async applyStatus(actor: Actor, id: string, change: StatusChange): Promise<Conversation> {
    const before = await this.load(actor, id);
    const resolving = change.status === 'resolved';
    const lost = change.outcome === 'lost' ? await this.lossReasonOf(change) : undefined;
    if (resolving && change.outcome) await this.requireStageFields(before, change.outcome);
    const after = await this.store.conversations.changeStatus(before.id, {
      status: change.status,
      ...(resolving ? { resolution: { at: this.clock(), outcome: change.outcome ?? null, ...(lost ? { lost } : {}) } } : {}),
      clearResolution: !resolving && before.status === 'resolved',
    });
    if (!after) throw new AppError(ErrorCode.ConversationNotFound, `conversation ${id} not found`);
    // Resolving what the bot held ends its talk as handled by the bot; any other status is a manager taking over.
    if (before.heldByBot && !resolving) this.events.emit(InboxEvent.BotTakenOver, { conversationId: before.id, at: this.clock() });
    return this.publish(after, undefined, actor.id);
  }

  /**
   * Resolving as won or lost moves the lead to the first active stage of that kind: what that stage asks of a lead
   * (its amount, the customer's phone) is asked here too, before anything changes, as a move there would ask it.
   */
  private async requireStageFields(conversation: ConversationRecord, outcome: 'won' | 'lost'): Promise<void> {
    const [stage] = activeOfKind(await this.store.pipeline.stages(), outcome);
    if (!stage?.requires.length) return;
    const lead = await this.store.pipeline.latestLead(conversation.id);
    if (!lead || lead.endedAt) return;
    const contact = stage.requires.includes('phone') ? await this.store.contacts.get(conversation.contactId) : null;
    const missing = missingRequirements(stage.requires, { amount: lead.amount, phone: contact?.phone ?? null });
    if (missing.includes('amount')) {
      throw new AppError(
        ErrorCode.AmountRequired,
        `the stage "${stage.label}" needs the deal's amount: close it with POST /api/conversations/${conversation.id}/stage {"stageId": "${stage.id}", "amount": …}`,
      );
    }
    if (missing.includes('phone')) {
      throw new AppError(ErrorCode.PhoneRequired, `the stage "${stage.label}" needs the customer's phone, and it is not known yet`);
    }
  }

  /**
   * A lead is closed as lost only with one of the active reasons admins keep, named by its id or, as the contract's
   * `lossReason`, by its label; the label is kept as it reads now.
   */
  async lossReasonOf(
    change: Pick<StatusChange, 'lossReasonId' | 'lossReason' | 'lossNote'>,
  ): Promise<{ reasonId: string; label: string; note: string | null }> {
    const note = change.lossNote || null;
    if (change.lossReasonId) {
      const reason = await this.store.lossReasons.get(change.lossReasonId);
      if (!reason?.active) {
        throw new AppError(
          ErrorCode.UnknownLossReason,
          `${change.lossReasonId} is not one of the active loss reasons (GET /api/loss-reasons)`,
        );
      }
      return { reasonId: reason.id, label: reason.label, note };
    }
    if (change.lossReason) {
      const active = (await this.store.lossReasons.list()).filter((r) => r.active);
      const wanted = change.lossReason.toLocaleLowerCase();
      const reason = active.find((r) => r.label.trim().toLocaleLowerCase() === wanted);
      if (!reason) {
        throw new AppError(
          ErrorCode.UnknownLossReason,
          `"${change.lossReason}" is not one of the active loss reasons: ${active.map((r) => r.label).join(', ')} (GET /api/loss-reasons)`,
        );
      }
      return { reasonId: reason.id, label: reason.label, note };
    }
    throw new AppError(
      ErrorCode.LossReasonRequired,
      "closing a lead as lost needs a lossReasonId (or the contract's lossReason, a label), one of the active reasons of GET /api/loss-reasons; words of your own go in lossNote",
    );
  }

  async markRead(actor: Actor, id: string): Promise<Conversation> {
    return this.applyRead(actor, id);
  }

  private async applyRead(actor: Actor, id: string): Promise<Conversation> {
    const before = await this.load(actor, id);
    if (before.unreadCount === 0) return toConversation(before);
    const after = await this.store.conversations.markRead(before.id);
    if (!after) throw new AppError(ErrorCode.ConversationNotFound, `conversation ${id} not found`);
    return this.publish(after);
  }

  private publish(record: ConversationRecord, previousAssigneeId?: string | null, byAgentId?: string): Conversation {
    const conversation = toConversation(record);
    this.events.emit(InboxEvent.ConversationUpdated, { conversation, previousAssigneeId, ...(byAgentId ? { byAgentId } : {}) });
    return conversation;
  }
}
