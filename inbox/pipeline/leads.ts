import { AppError, ErrorCode } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { BoardAnswer, LeadAnswer, LeadView, StageMoveBody, StageMoveView } from '../../shared/pipeline-api';
import { type Actor, seesEverything } from '../access';
import type { Conversations } from '../conversations';
import { InboxEvent, type InboxEvents } from '../events';
import type { Clock } from '../ports';
import { idFromKey } from '../store/ids';
import type { InboxStore, LeadFilter } from '../store/port';
import type { ConversationRecord, LeadRecord, PipelineStageRecord, StageMoveRecord } from '../store/records';
import { toConversation } from '../views';
import { missingRequirements } from './rules';
import { activeOfKind, type PipelineStages, stageView } from './stages';

/** A lead per conversation cycle: the cycle's number makes its id, so creating it twice stores one. */
export const leadIdFor = (conversationId: string, cycle: number) => idFromKey(`lead:${conversationId}:${cycle}`);
/** Leads a board column shows (the count says how many there are). */
export const BOARD_COLUMN_LIMIT = 50;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export const leadView = (l: LeadRecord): LeadView => ({
  id: l.id,
  conversationId: l.conversationId,
  cycle: l.cycle,
  channel: l.channel,
  source: l.source,
  assigneeId: l.assigneeId,
  stageId: l.stageId,
  stageKind: l.stageKind,
  stageSince: l.stageSince.toISOString(),
  amount: l.amount,
  lossReasonId: l.lossReasonId,
  contactedAt: iso(l.contactedAt),
  createdAt: l.createdAt.toISOString(),
  endedAt: iso(l.endedAt),
});

const moveView = (m: StageMoveRecord): StageMoveView => ({
  seq: m.seq,
  from: m.from,
  to: m.to,
  toKind: m.toKind,
  at: m.at.toISOString(),
  msInFrom: m.msInFrom,
  assigneeId: m.assigneeId,
  byAgentId: m.byAgentId,
  amount: m.amount,
  lossReasonId: m.lossReasonId,
  lossReason: m.lossReason,
});

interface MoveOptions {
  at: Date;
  byAgentId: string | null;
  amount?: number;
  loss?: { reasonId: string | null; label: string | null };
  contactedAt?: Date;
}

/**
 * Leads through the pipeline. A lead is derived from its conversation, so whatever a crash left undone is done by
 * the next one to need it (`ensure`): the lead created, its pending move stored, the resolution it missed applied,
 * the first answer it missed noted, its assignee followed. The inbox's events drive it as they happen; the
 * automations' pass settles the moves a dead process left on the leads.
 */
export class Pipeline {
  /** This process's work per conversation, one at a time, so its own reactions to one conversation never race. */
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: InboxStore,
    private readonly conversations: Conversations,
    private readonly stages: PipelineStages,
    private readonly events: InboxEvents,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Follows the inbox: customers' messages start leads, the first answer contacts them, resolutions close them. */
  listen(): void {
    this.events.on(InboxEvent.MessageNew, ({ conversation, message }) => {
      if (message.direction === 'in' && !message.automated) {
        // While the bot holds a conversation its lead stands still (nobody assigned, nobody answering, not resolved):
        // its first message starts the lead, the hand-off brings it in line again, and the rest change nothing.
        if (conversation.heldByBot && conversation.createdAt !== message.createdAt) return;
        this.serially(conversation.id, () => this.follow(conversation.id, { at: new Date(message.createdAt) }));
      } else if (message.direction === 'out' && message.sender.type === 'agent' && !message.note) {
        this.serially(conversation.id, () => this.answered(conversation.id, new Date(message.createdAt)));
      }
    });
    this.events.on(InboxEvent.ConversationUpdated, ({ conversation, previousAssigneeId, byAgentId }) => {
      if (conversation.status === 'resolved' || previousAssigneeId !== undefined) {
        this.serially(conversation.id, () => this.follow(conversation.id, { byAgentId: byAgentId ?? null }));
      }
    });
  }

  /** Waits for this process's pending work on the pipeline (a clean stop, and tests that read right after an event). */
  async settled(): Promise<void> {
    while (this.running.size) await Promise.all(this.running.values());
  }

  private serially(conversationId: string, work: () => Promise<unknown>): void {
    const previous = this.running.get(conversationId) ?? Promise.resolve();
    const next = previous
      .then(work)
      .catch((err: unknown) =>
        this.log.warn({ err, conversationId }, 'pipeline: following the conversation failed; the next reader repairs it'),
      )
      .finally(() => {
        if (this.running.get(conversationId) === next) this.running.delete(conversationId);
      });
    this.running.set(conversationId, next);
  }

  private async follow(conversationId: string, options: { at?: Date; byAgentId?: string | null }): Promise<void> {
    const conversation = await this.store.conversations.get(conversationId);
    if (conversation) await this.ensure(conversation, options);
  }

  /** A manager's reply: the lead is contacted, and moves on from the first stage if it is still there. */
  private async answered(conversationId: string, at: Date): Promise<void> {
    const conversation = await this.store.conversations.get(conversationId);
    const lead = conversation && (await this.ensure(conversation, {}));
    if (!conversation || !lead || lead.endedAt || lead.contactedAt) return;
    await this.contact(conversation, lead, at);
  }

  private async contact(conversation: ConversationRecord, lead: LeadRecord, at: Date): Promise<LeadRecord> {
    const stages = await this.stages.all();
    const open = activeOfKind(stages, 'open');
    const [first, next] = open;
    if (first && next && lead.stageId === first.id) {
      const moved = await this.move(conversation, lead, next, { at, byAgentId: null, contactedAt: at });
      if (moved) return moved;
    }
    const marked = await this.store.pipeline.markContacted(lead.id, at);
    if (marked) this.publish(conversation, marked);
    return marked ?? lead;
  }

  /**
   * The conversation's current lead, brought in line with the conversation: created on its first customer message
   * (and again when the customer writes after it ended), its last move stored, closed when the conversation was
   * resolved, contacted when it was answered, with the conversation's assignee. Null before any customer message.
   */
  async ensure(conversation: ConversationRecord, options: { at?: Date; byAgentId?: string | null }): Promise<LeadRecord | null> {
    if (!conversation.firstInboundAt) return null;
    let lead = await this.store.pipeline.latestLead(conversation.id);
    if (!lead) return this.create(conversation, 1, conversation.firstInboundAt, null);
    if (lead.pendingMove) {
      await this.store.pipeline.settleMove(lead, lead.pendingMove, this.clock());
      lead = { ...lead, pendingMove: null };
    }
    const wroteSince = (at: Date) => conversation.lastInboundAt != null && conversation.lastInboundAt.getTime() > at.getTime();
    if (!lead.endedAt && conversation.status === 'resolved' && conversation.resolvedAt) {
      lead = (await this.close(conversation, lead, conversation.resolvedAt, options.byAgentId ?? null)) ?? lead;
    } else if (lead.endedAt && conversation.status !== 'resolved' && wroteSince(lead.endedAt)) {
      const at = options.at && options.at.getTime() > lead.endedAt.getTime() ? options.at : (conversation.lastInboundAt as Date);
      return this.create(conversation, lead.cycle + 1, at, lead);
    } else if (lead.endedAt && lead.stageKind === 'open' && conversation.status !== 'resolved') {
      // A manager reopened a conversation resolved with no outcome: the same deal goes on where it stood.
      const resumed = await this.store.pipeline.resumeLead(lead.id, lead.endedAt);
      if (resumed) {
        lead = resumed;
        this.publish(conversation, lead);
      }
    }
    if (!lead.endedAt && !lead.contactedAt && conversation.firstResponseAt && conversation.firstResponseAt >= lead.createdAt) {
      lead = await this.contact(conversation, lead, conversation.firstResponseAt);
    }
    if (lead.assigneeId !== conversation.assigneeId) {
      const followed = await this.store.pipeline.setAssignee(lead.id, conversation.assigneeId);
      if (followed) {
        lead = followed;
        this.publish(conversation, lead);
      }
    }
    return lead;
  }

  private async create(conversation: ConversationRecord, cycle: number, at: Date, previous: LeadRecord | null): Promise<LeadRecord | null> {
    const [first] = activeOfKind(await this.stages.all(), 'open');
    if (!first) return null;
    const id = leadIdFor(conversation.id, cycle);
    const source = await this.store.messages.leadSource(conversation.id);
    const entry: StageMoveRecord = {
      id: `${id}:1`,
      leadId: id,
      conversationId: conversation.id,
      seq: 1,
      channel: conversation.channel,
      source,
      assigneeId: conversation.assigneeId,
      byAgentId: null,
      from: null,
      to: first.id,
      toKind: first.kind,
      at,
      msInFrom: null,
      amount: null,
      lossReasonId: null,
      lossReason: null,
    };
    const created = await this.store.pipeline.createLead({
      id,
      conversationId: conversation.id,
      cycle,
      channel: conversation.channel,
      contactId: conversation.contactId,
      source,
      assigneeId: conversation.assigneeId,
      stageId: first.id,
      stageKind: first.kind,
      stageSince: at,
      amount: null,
      lossReasonId: null,
      contactedAt: null,
      createdAt: at,
      endedAt: null,
      current: true,
      moves: 1,
      path: [{ stageId: first.id, kind: first.kind, at }],
      pendingMove: entry,
    });
    // Another process (or an earlier run of this one) created it: bring that one in line instead.
    if (!created) return this.ensure(conversation, {});
    await this.store.pipeline.settleMove(created, entry, this.clock());
    if (previous) await this.store.pipeline.supersede(previous.id);
    const lead = { ...created, pendingMove: null };
    this.announce(conversation, lead, null, entry);
    return lead;
  }

  /** The conversation was resolved: won and lost land in the first stage of their kind, any other resolution ends the lead where it is. */
  private async close(conversation: ConversationRecord, lead: LeadRecord, at: Date, byAgentId: string | null): Promise<LeadRecord | null> {
    const outcome = conversation.outcome;
    if (!outcome) {
      const ended = await this.store.pipeline.endLead(lead.id, at);
      if (ended) this.publish(conversation, ended);
      return ended;
    }
    const [stage] = activeOfKind(await this.stages.all(), outcome);
    if (!stage) return null;
    const loss = outcome === 'lost' ? { reasonId: conversation.lossReasonId, label: conversation.lossReason } : undefined;
    return this.move(conversation, lead, stage, { at, byAgentId, ...(loss ? { loss } : {}) });
  }

  /** One move, decided on `lead` as read: null when it moved meanwhile. */
  private async move(
    conversation: ConversationRecord,
    lead: LeadRecord,
    stage: PipelineStageRecord,
    options: MoveOptions,
  ): Promise<LeadRecord | null> {
    const seq = lead.moves + 1;
    const move: StageMoveRecord = {
      id: `${lead.id}:${seq}`,
      leadId: lead.id,
      conversationId: lead.conversationId,
      seq,
      channel: lead.channel,
      source: lead.source,
      assigneeId: conversation.assigneeId,
      byAgentId: options.byAgentId,
      from: lead.stageId,
      to: stage.id,
      toKind: stage.kind,
      at: options.at,
      msInFrom: Math.max(0, options.at.getTime() - lead.stageSince.getTime()),
      amount: options.amount ?? lead.amount,
      lossReasonId: options.loss?.reasonId ?? null,
      lossReason: options.loss?.label ?? null,
    };
    const moved = await this.store.pipeline.moveLead(lead, {
      move,
      ...(options.amount !== undefined ? { amount: options.amount } : {}),
      ...(options.contactedAt ? { contactedAt: options.contactedAt } : {}),
    });
    if (!moved) return null;
    await this.store.pipeline.settleMove(moved, move, this.clock());
    const after = { ...moved, pendingMove: null };
    this.announce(conversation, after, lead, move);
    return after;
  }

  private announce(conversation: ConversationRecord, lead: LeadRecord, was: LeadRecord | null, move: StageMoveRecord): void {
    this.events.emit(InboxEvent.LeadStageChanged, {
      conversation: toConversation(conversation),
      contactId: conversation.contactId,
      from: was ? { id: was.stageId, kind: was.stageKind } : null,
      to: { id: move.to, kind: move.toKind },
      byAgentId: move.byAgentId,
      at: move.at,
    });
    this.publish(conversation, lead);
  }

  private publish(conversation: ConversationRecord, lead: LeadRecord): void {
    this.events.emit(InboxEvent.LeadUpdated, { conversation: toConversation(conversation), lead: leadView(lead) });
  }

  /** GET /api/conversations/:id/lead. */
  async leadOf(actor: Actor, conversationId: string): Promise<LeadAnswer> {
    const conversation = await this.conversations.load(actor, conversationId);
    const lead = await this.ensure(conversation, {});
    return { lead: lead ? leadView(lead) : null, moves: lead ? (await this.store.pipeline.movesOf(lead.id)).map(moveView) : [] };
  }

  /**
   * A manager moves the lead (POST /api/conversations/:id/stage). Won and lost stages resolve the conversation the
   * way the status route does (a lost one with a reason from the admins' list, validated the same way); the lead
   * moves first, so a retry after a crash between the two finds it there and finishes the resolution.
   */
  async moveTo(actor: Actor, conversationId: string, body: StageMoveBody): Promise<LeadView> {
    const conversation = await this.conversations.load(actor, conversationId);
    const stage = await this.stages.active(body.stageId);
    const lead = await this.ensure(conversation, {});
    if (!lead) throw new AppError(ErrorCode.Conflict, 'this conversation has no lead yet: it starts with the customer’s first message');
    if (body.fromStageId && body.fromStageId !== lead.stageId) {
      throw new AppError(ErrorCode.Conflict, `the lead moved meanwhile (it is at ${lead.stageId} now): read it again and choose its stage`);
    }
    const ends = stage.kind !== 'open';
    const loss = stage.kind === 'lost' ? await this.conversations.lossReasonOf(body) : undefined;
    if (lead.stageId === stage.id && body.amount === undefined) {
      if (ends && conversation.status !== 'resolved') await this.resolve(actor, conversation.id, stage, loss);
      return leadView(lead);
    }
    if (lead.endedAt) {
      throw new AppError(
        ErrorCode.LeadClosed,
        'this lead is closed (won, lost or resolved): a new one starts when the customer writes again',
      );
    }
    const amount = body.amount ?? lead.amount;
    const contact = stage.requires.includes('phone') ? await this.store.contacts.get(conversation.contactId) : null;
    const missing = missingRequirements(stage.requires, { amount, phone: contact?.phone ?? null });
    if (missing.includes('amount')) {
      throw new AppError(ErrorCode.AmountRequired, `the stage "${stage.label}" needs the deal's amount: send it as amount`);
    }
    if (missing.includes('phone')) {
      throw new AppError(ErrorCode.PhoneRequired, `the stage "${stage.label}" needs the customer's phone, and it is not known yet`);
    }
    const moved =
      lead.stageId === stage.id
        ? await this.store.pipeline.setAmount(lead, amount)
        : await this.move(conversation, lead, stage, {
            at: this.clock(),
            byAgentId: actor.id,
            ...(body.amount !== undefined ? { amount: body.amount } : {}),
            ...(loss ? { loss: { reasonId: loss.reasonId, label: loss.label } } : {}),
          });
    if (!moved) throw new AppError(ErrorCode.Conflict, 'the lead moved meanwhile: read it again and choose its stage');
    if (lead.stageId === stage.id) this.publish(conversation, moved);
    if (ends) await this.resolve(actor, conversation.id, stage, loss);
    return leadView(moved);
  }

  private async resolve(
    actor: Actor,
    conversationId: string,
    stage: PipelineStageRecord,
    loss: { reasonId: string; note: string | null } | undefined,
  ): Promise<void> {
    await this.conversations.setStatus(actor, conversationId, {
      status: 'resolved',
      outcome: stage.kind === 'lost' ? 'lost' : 'won',
      ...(loss ? { lossReasonId: loss.reasonId, ...(loss.note ? { lossNote: loss.note } : {}) } : {}),
    });
  }

  /** GET /api/pipeline/board: agents see their own and nobody's leads (`assigneeId=none`), managers anyone's. */
  async board(actor: Actor, query: { channel?: LeadFilter['channel']; assigneeId?: string }): Promise<BoardAnswer> {
    const wanted = query.assigneeId === 'none' ? null : (query.assigneeId ?? (seesEverything(actor) ? undefined : actor.id));
    if (!seesEverything(actor) && wanted !== null && wanted !== actor.id) {
      throw new AppError(ErrorCode.Forbidden, 'an agent sees only their own leads and the unassigned ones on the board');
    }
    const filter: LeadFilter = {
      ...(query.channel ? { channel: query.channel } : {}),
      ...(wanted !== undefined ? { assigneeId: wanted } : {}),
    };
    const stages = activeOfKind(await this.stages.all(), 'open');
    const columns = await Promise.all(
      stages.map(async (stage) => ({
        stage,
        leads: await this.store.pipeline.inStage(stage.id, filter, BOARD_COLUMN_LIMIT),
        count: await this.store.pipeline.countInStage(stage.id, filter),
      })),
    );
    const conversations = await this.store.conversations.getMany([
      ...new Set(columns.flatMap((c) => c.leads.map((l) => l.conversationId))),
    ]);
    const byId = new Map(conversations.map((c) => [c.id, c]));
    return {
      columns: columns.map(({ stage, leads, count }) => ({
        stage: stageView(stage),
        count,
        leads: leads.map((lead) => ({
          lead: leadView(lead),
          contactName: byId.get(lead.conversationId)?.contactName ?? '',
          lastMessagePreview: byId.get(lead.conversationId)?.lastMessagePreview ?? '',
        })),
      })),
    };
  }

  /** The automations' pass: moves a dead process left on their leads are stored, first answers' hours marked. */
  async settlePending(limit = 100): Promise<number> {
    const leads = await this.store.pipeline.pendingMoves(limit);
    for (const lead of leads) if (lead.pendingMove) await this.store.pipeline.settleMove(lead, lead.pendingMove, this.clock());
    return leads.length + (await this.store.pipeline.settleContacted(limit));
  }
}
