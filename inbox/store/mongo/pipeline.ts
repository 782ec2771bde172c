import type { Channel } from '../../../shared/channels';
import type { LeadFilter, LeadMove, PipelineStore } from '../port';
import type { LeadRecord, PathStep, PipelineStageRecord, StageKind, StageMoveRecord, StageRequirement } from '../records';
import { hoursOfPath, markFunnelChanged } from './funnel-tallies';
import { IN_PLAY_FIELDS, type InPlayFields, LeadsInPlayView } from './leads-in-play';
import { oid, oidOrNull } from './mapping';
import { isDuplicateKey, type LeadDoc, type Models, type PipelineStageDoc, type StageMoveDoc } from './models';

const str = (v: { toString(): string } | null | undefined): string | null => (v ? v.toString() : null);

const toStage = (doc: PipelineStageDoc): PipelineStageRecord => ({
  id: doc._id,
  label: doc.label,
  kind: doc.kind as StageKind,
  order: doc.order,
  requires: (doc.requires ?? []) as StageRequirement[],
  active: doc.active !== false,
});

const toLead = (doc: LeadDoc): LeadRecord => ({
  id: doc._id,
  conversationId: doc.conversationId.toString(),
  cycle: doc.cycle,
  channel: doc.channel as Channel,
  contactId: doc.contactId.toString(),
  source: doc.source ?? null,
  assigneeId: str(doc.assigneeId),
  stageId: doc.stageId,
  stageKind: doc.stageKind as StageKind,
  stageSince: doc.stageSince,
  amount: doc.amount ?? null,
  lossReasonId: str(doc.lossReasonId),
  contactedAt: doc.contactedAt ?? null,
  createdAt: doc.createdAt,
  endedAt: doc.endedAt ?? null,
  current: doc.current !== false,
  moves: doc.moves,
  path: (doc.path ?? []).map((p) => ({ stageId: p.stageId, kind: p.kind as StageKind, at: p.at })),
  pendingMove: doc.pendingMove ? toMove(doc.pendingMove as StageMoveDoc) : null,
});

const toMove = (doc: StageMoveDoc): StageMoveRecord => ({
  id: doc._id,
  leadId: doc.leadId,
  conversationId: doc.conversationId.toString(),
  seq: doc.seq,
  channel: doc.channel as Channel,
  source: doc.source ?? null,
  assigneeId: str(doc.assigneeId),
  byAgentId: str(doc.byAgentId),
  from: doc.from ?? null,
  to: doc.to,
  toKind: doc.toKind as StageKind,
  at: doc.at,
  msInFrom: doc.msInFrom ?? null,
  amount: doc.amount ?? null,
  lossReasonId: str(doc.lossReasonId),
  lossReason: doc.lossReason ?? null,
});

const moveDoc = (m: StageMoveRecord) => ({
  _id: m.id,
  leadId: m.leadId,
  conversationId: oid(m.conversationId),
  seq: m.seq,
  channel: m.channel,
  source: m.source,
  assigneeId: oidOrNull(m.assigneeId),
  byAgentId: oidOrNull(m.byAgentId),
  from: m.from,
  to: m.to,
  toKind: m.toKind,
  at: m.at,
  msInFrom: m.msInFrom,
  amount: m.amount,
  lossReasonId: oidOrNull(m.lossReasonId),
  lossReason: m.lossReason,
});

const step = (m: StageMoveRecord): PathStep => ({ stageId: m.to, kind: m.toKind, at: m.at });

/** The board's and the ageing's filter, its fields in the order of the `{open, channel, assigneeId, …}` indexes. */
const inPlay = (filter: LeadFilter): Record<string, unknown> => ({
  open: true,
  ...(filter.channel ? { channel: filter.channel } : {}),
  ...(filter.assigneeId !== undefined ? { assigneeId: oidOrNull(filter.assigneeId) } : {}),
});

const ANY_ORDER = { $gte: Number.MIN_SAFE_INTEGER };

/**
 * Three collections: `pipeline_stages` (a list admins keep, read whole by `{order: 1}`), `leads` (one document per
 * conversation cycle, its id derived from both) and `stage_moves` (one per move, its id the lead's and the move's
 * number). A move is one guarded update of the lead (on its move count), then the move's insert by id: a process
 * that dies between them leaves the move on the lead (`pendingMove`), which the next reader of the lead or the automations'
 * pass settles.
 */
export class MongoPipeline implements PipelineStore {
  private readonly view: LeadsInPlayView;

  constructor(private readonly models: Models) {
    this.view = new LeadsInPlayView(models);
  }

  async stages(): Promise<PipelineStageRecord[]> {
    const docs = await this.models.PipelineStage.find({ order: ANY_ORDER }).sort({ order: 1 }).lean<PipelineStageDoc[]>();
    return docs.map(toStage);
  }

  async stage(id: string): Promise<PipelineStageRecord | null> {
    const doc = await this.models.PipelineStage.findById(id).lean<PipelineStageDoc>();
    return doc ? toStage(doc) : null;
  }

  async addStage(stage: Omit<PipelineStageRecord, 'id' | 'order'> & { id: string }): Promise<PipelineStageRecord> {
    const last = await this.models.PipelineStage.findOne({ order: ANY_ORDER }).sort({ order: -1 }).lean<PipelineStageDoc>();
    const { id, ...rest } = stage;
    const doc = await this.models.PipelineStage.create({ _id: id, ...rest, order: (last?.order ?? 0) + 1 });
    return toStage(doc.toObject() as PipelineStageDoc);
  }

  async changeStage(
    id: string,
    change: Partial<Pick<PipelineStageRecord, 'label' | 'order' | 'requires' | 'active'>>,
  ): Promise<PipelineStageRecord | null> {
    const doc = await this.models.PipelineStage.findOneAndUpdate(
      { _id: id },
      { $set: change },
      { returnDocument: 'after' },
    ).lean<PipelineStageDoc>();
    return doc ? toStage(doc) : null;
  }

  async seedStagesIfEmpty(seeds: readonly Omit<PipelineStageRecord, 'active'>[]): Promise<void> {
    const any = await this.models.PipelineStage.findOne({ order: ANY_ORDER }, { _id: 1 }).lean();
    if (any) return;
    try {
      await this.models.PipelineStage.insertMany(
        seeds.map(({ id, ...s }) => ({ _id: id, ...s, active: true })),
        { ordered: false },
      );
    } catch (e) {
      // Another process stored the same stages (the same ids) at the same moment.
      if (!isDuplicateKey(e)) throw e;
    }
  }

  async latestLead(conversationId: string): Promise<LeadRecord | null> {
    const doc = await this.models.Lead.findOne({ conversationId: oid(conversationId) })
      .sort({ cycle: -1 })
      .lean<LeadDoc>();
    return doc ? toLead(doc) : null;
  }

  async getLeads(ids: readonly string[]): Promise<LeadRecord[]> {
    if (ids.length === 0) return [];
    const docs = await this.models.Lead.find({ _id: { $in: ids } }).lean<LeadDoc[]>();
    return docs.map(toLead);
  }

  async createLead(lead: LeadRecord): Promise<LeadRecord | null> {
    try {
      await this.models.Lead.collection.insertOne({
        _id: lead.id as never,
        conversationId: oid(lead.conversationId),
        cycle: lead.cycle,
        channel: lead.channel,
        contactId: oid(lead.contactId),
        source: lead.source,
        assigneeId: oidOrNull(lead.assigneeId),
        stageId: lead.stageId,
        stageKind: lead.stageKind,
        stageSince: lead.stageSince,
        open: lead.stageKind === 'open' && !lead.endedAt,
        amount: lead.amount,
        lossReasonId: oidOrNull(lead.lossReasonId),
        contactedAt: lead.contactedAt,
        createdAt: lead.createdAt,
        endedAt: lead.endedAt,
        current: true,
        moves: lead.moves,
        rev: 1,
        path: lead.path,
        pendingMove: lead.pendingMove ? moveDoc(lead.pendingMove) : null,
      });
      await this.syncInPlay(
        {
          _id: lead.id,
          open: lead.stageKind === 'open' && !lead.endedAt,
          stageId: lead.stageId,
          stageSince: lead.stageSince,
          channel: lead.channel,
          source: lead.source,
          assigneeId: oidOrNull(lead.assigneeId),
          rev: 1,
          path: lead.path,
        },
        true,
      );
      return lead;
    } catch (e) {
      if (isDuplicateKey(e)) return null;
      throw e;
    }
  }

  async moveLead(was: LeadRecord, change: LeadMove): Promise<LeadRecord | null> {
    const { move } = change;
    const ends = move.toKind !== 'open';
    const set: Record<string, unknown> = {
      stageId: move.to,
      stageKind: move.toKind,
      stageSince: move.at,
      open: !ends && !was.endedAt,
      moves: move.seq,
      pendingMove: moveDoc(move),
    };
    if (ends) set.endedAt = move.at;
    if (move.toKind === 'lost') set.lossReasonId = oidOrNull(move.lossReasonId);
    if (change.amount !== undefined) set.amount = change.amount;
    if (change.contactedAt) set.contactedAt = change.contactedAt;
    const doc = await this.models.Lead.findOneAndUpdate(
      { _id: was.id, moves: was.moves },
      { $set: set, $push: { path: step(move) }, $inc: { rev: 1 } },
      { returnDocument: 'after' },
    ).lean<LeadDoc>();
    if (doc) await this.syncInPlay(doc);
    return doc ? toLead(doc) : null;
  }

  async settleMove(lead: Pick<LeadRecord, 'id' | 'path'>, move: StageMoveRecord, storedAt: Date): Promise<void> {
    try {
      await this.models.StageMove.collection.insertOne({ ...moveDoc(move), storedAt } as never);
    } catch (e) {
      // Stored already: a repair after a crash, or another process settling the same move.
      if (!isDuplicateKey(e)) throw e;
    }
    // The move is stored: every hour of the lead's path may count differently now (its entries' outcomes).
    await markFunnelChanged(this.models, hoursOfPath([...lead.path, move]));
    await this.models.Lead.updateOne({ _id: lead.id, 'pendingMove._id': move.id }, { $set: { pendingMove: null } });
  }

  async endLead(id: string, at: Date): Promise<LeadRecord | null> {
    const doc = await this.models.Lead.findOneAndUpdate(
      { _id: id, endedAt: null },
      { $set: { endedAt: at, open: false }, $inc: { rev: 1 } },
      { returnDocument: 'after' },
    ).lean<LeadDoc>();
    if (doc) await this.syncInPlay(doc);
    return doc ? toLead(doc) : null;
  }

  async resumeLead(id: string, endedAt: Date): Promise<LeadRecord | null> {
    const doc = await this.models.Lead.findOneAndUpdate(
      { _id: id, endedAt, stageKind: 'open' },
      { $set: { endedAt: null, open: true }, $inc: { rev: 1 } },
      { returnDocument: 'after' },
    ).lean<LeadDoc>();
    if (doc) await this.syncInPlay(doc);
    return doc ? toLead(doc) : null;
  }

  async supersede(id: string): Promise<void> {
    await this.models.Lead.updateOne({ _id: id }, { $set: { current: false } });
  }

  async markContacted(id: string, at: Date): Promise<LeadRecord | null> {
    const doc = await this.models.Lead.findOneAndUpdate(
      { _id: id, contactedAt: null },
      { $set: { contactedAt: at, contactPending: true } },
      { returnDocument: 'after' },
    ).lean<LeadDoc>();
    if (doc) await this.markEntryHour(doc);
    return doc ? toLead(doc) : null;
  }

  /**
   * Its entry's hour counts it as never contacted no more: marked for the funnel, then the lead's flag cleared. A
   * process stopped between the answer and the mark leaves the flag for the repair pass (`settleContacted`).
   */
  private async markEntryHour(doc: Pick<LeadDoc, '_id' | 'path'>): Promise<void> {
    await markFunnelChanged(this.models, hoursOfPath(doc.path.slice(0, 1)));
    await this.models.Lead.updateOne({ _id: doc._id, contactPending: true }, { $unset: { contactPending: 1 } });
  }

  async settleContacted(limit: number): Promise<number> {
    const docs = await this.models.Lead.find({ contactPending: true }, { path: 1 }).limit(limit).lean<Pick<LeadDoc, '_id' | 'path'>[]>();
    for (const doc of docs) await this.markEntryHour(doc);
    return docs.length;
  }

  async setAmount(was: LeadRecord, amount: number | null): Promise<LeadRecord | null> {
    const doc = await this.models.Lead.findOneAndUpdate(
      { _id: was.id, moves: was.moves },
      { $set: { amount } },
      { returnDocument: 'after' },
    ).lean<LeadDoc>();
    return doc ? toLead(doc) : null;
  }

  async setAssignee(id: string, assigneeId: string | null): Promise<LeadRecord | null> {
    const assignee = oidOrNull(assigneeId);
    const doc = await this.models.Lead.findOneAndUpdate(
      { _id: id, assigneeId: { $ne: assignee } },
      { $set: { assigneeId: assignee }, $inc: { rev: 1 } },
      { returnDocument: 'after' },
    ).lean<LeadDoc>();
    if (doc) await this.syncInPlay(doc);
    return doc ? toLead(doc) : null;
  }

  async movesOf(leadId: string): Promise<StageMoveRecord[]> {
    const docs = await this.models.StageMove.find({ leadId }).sort({ seq: 1 }).lean<StageMoveDoc[]>();
    return docs.map(toMove);
  }

  async inStage(stageId: string, filter: LeadFilter, limit: number): Promise<LeadRecord[]> {
    const docs = await this.models.Lead.find({ ...inPlay(filter), stageId }, { path: 0 })
      .sort({ stageSince: 1 })
      .limit(limit)
      .lean<LeadDoc[]>();
    return docs.map(toLead);
  }

  countInStage(stageId: string, filter: LeadFilter): Promise<number> {
    return this.models.Lead.countDocuments({ ...inPlay(filter), stageId });
  }

  async inPlay(channel?: Channel) {
    const stages = await this.models.PipelineStage.find({ order: ANY_ORDER }, { _id: 1 }).lean<{ _id: string }[]>();
    return this.view.read(
      stages.map((s) => s._id),
      channel,
    );
  }

  private syncInPlay(doc: InPlayFields, created = false): Promise<void> {
    return this.view.sync(doc, created);
  }

  async moveTimes(after: Date, limit: number): Promise<Date[]> {
    const docs = await this.models.StageMove.find({ at: { $gt: after } }, { at: 1 })
      .sort({ at: 1 })
      .limit(limit)
      .lean();
    return docs.map((d) => d.at);
  }

  async reconcileInPlay(): Promise<number> {
    const [leads, shown] = await Promise.all([this.models.Lead.find({ open: true }, IN_PLAY_FIELDS).lean<InPlayFields[]>(), this.inPlay()]);
    const seen = new Map(shown.map((l) => [l.id, l]));
    const mend: string[] = [];
    for (const lead of leads) {
      const entry = seen.get(lead._id);
      seen.delete(lead._id);
      const same =
        entry &&
        entry.stageId === lead.stageId &&
        entry.stageSince.getTime() === lead.stageSince.getTime() &&
        entry.assigneeId === str(lead.assigneeId);
      if (!same) mend.push(lead._id);
    }
    // Entries of leads no longer in play.
    mend.push(...seen.keys());
    for (const id of mend) {
      // Read again one by one: the lead may have moved since the list was read, and its newest revision is written.
      const doc = await this.models.Lead.findOneAndUpdate(
        { _id: id },
        { $inc: { rev: 1 } },
        { returnDocument: 'after', projection: IN_PLAY_FIELDS },
      ).lean<InPlayFields>();
      if (doc) await this.syncInPlay(doc);
    }
    return mend.length;
  }

  async movesBetween(from: Date, to: Date, only: { channel?: Channel; toKind?: StageKind } = {}): Promise<StageMoveRecord[]> {
    const docs = await this.models.StageMove.find({
      ...(only.channel ? { channel: only.channel } : {}),
      ...(only.toKind ? { toKind: only.toKind } : {}),
      at: { $gte: from, $lt: to },
    }).lean<StageMoveDoc[]>();
    return docs.map(toMove);
  }

  async movesStoredBetween(from: Date, to: Date): Promise<StageMoveRecord[]> {
    const docs = await this.models.StageMove.find({ storedAt: { $gte: from, $lt: to } }).lean<StageMoveDoc[]>();
    return docs.map(toMove);
  }

  async conversationIdsAt(where: { stageId: string } | { kind: StageKind; lossReasonId?: string }, limit: number): Promise<string[]> {
    const filter =
      'stageId' in where
        ? { current: true, stageId: where.stageId }
        : {
            current: true,
            stageKind: where.kind,
            ...(where.lossReasonId ? { lossReasonId: oid(where.lossReasonId) } : {}),
          };
    const docs = await this.models.Lead.find(filter, { conversationId: 1 }).limit(limit).lean<LeadDoc[]>();
    return [...new Set(docs.map((d) => d.conversationId.toString()))];
  }

  async pendingMoves(limit: number): Promise<LeadRecord[]> {
    const docs = await this.models.Lead.find({ 'pendingMove.seq': { $gte: 1 } })
      .limit(limit)
      .lean<LeadDoc[]>();
    return docs.map(toLead);
  }
}
