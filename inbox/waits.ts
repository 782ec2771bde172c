import type { Types } from 'mongoose';
import type { Claims } from './claims';
import type { DueHints } from './due-hints';
import { InboxEvent, type InboxEvents } from './events';
import type { KeyedLock } from './keyed-lock';
import type { OpenFigures } from './open-figures';
import type { ConversationDoc, DueKind, Models } from './store/models';
import { toConversation } from './views';

export { type DueKind, dueKinds } from './store/models';

/** A process that claimed an escalation step and died before acting has it taken over after this long. */
const STEP_CLAIM_LIFETIME_MS = 30_000;

/** What a process claims before acting on an escalation step: the wait, its step and the step's due time. */
export const escalationClaimKey = (c: Pick<ConversationDoc, '_id' | 'awaitingReplySince' | 'escalationStep' | 'escalationDueAt'>): string =>
  `escalation:${c._id.toString()}:${c.awaitingReplySince?.toISOString()}:${c.escalationStep ?? 0}:${c.escalationDueAt?.toISOString()}`;

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
    /** Serializes these writes with ingest and replies on the same conversation (see keyed-lock.ts). */
    private readonly lock: KeyedLock,
    private readonly claims: Claims,
    readonly hints: DueHints,
    private readonly openFigures: OpenFigures,
  ) {}

  /** The conversations with these ids (each read by primary key), skipping any that no longer exist. */
  async byIds(ids: readonly Types.ObjectId[]): Promise<ConversationDoc[]> {
    const docs = await Promise.all(ids.map((id) => this.models.Conversation.findById(id).lean<ConversationDoc>()));
    return docs.filter((d): d is NonNullable<typeof d> => d != null);
  }

  /** Conversations whose `kind` due time is at or before `now`, earliest first (by index; the periodic sweep). */
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
  async handOver(c: ConversationDoc, to: Types.ObjectId, nextDueAt: Date | null, now: Date): Promise<ConversationDoc | null> {
    if (!(await this.claimStep(c, now))) return null;
    if (nextDueAt) await this.hints.file(c._id, 'escalationDueAt', nextDueAt);
    return this.lock.run(`conversation:${c._id.toString()}`, () => this.applyHandOver(c, to, nextDueAt));
  }

  /**
   * One process acts on an escalation step of a wait: the one whose claim on (wait, step, due time) landed first.
   * The others look at the conversation again once that claim could have expired: if its holder died before
   * acting, the step is still due then and is taken over; if not, the step has moved on and there is nothing to do.
   */
  private async claimStep(c: ConversationDoc, now: Date): Promise<boolean> {
    if (await this.claims.claim(escalationClaimKey(c), now, STEP_CLAIM_LIFETIME_MS)) return true;
    await this.hints.file(c._id, 'escalationDueAt', new Date(now.getTime() + STEP_CLAIM_LIFETIME_MS + 1000));
    return false;
  }

  private async applyHandOver(c: ConversationDoc, to: Types.ObjectId, nextDueAt: Date | null): Promise<ConversationDoc | null> {
    const tried = [...(c.assigneeId ? [c.assigneeId] : []), to];
    const after = await this.models.Conversation.findOneAndUpdate(
      this.escalationGuard(c),
      {
        $set: { assigneeId: to, escalationStep: (c.escalationStep ?? 0) + 1, escalationDueAt: nextDueAt },
        $addToSet: { triedAgentIds: { $each: tried } },
      },
      { returnDocument: 'after' },
    ).lean<ConversationDoc>();
    if (after) {
      await this.openFigures.sync(after);
      this.publish(after, c.assigneeId?.toString() ?? null);
    }
    return after;
  }

  /** Ends the chain: the conversation goes to the unassigned queue everyone sees. Null when someone acted first. */
  async toQueue(c: ConversationDoc, now: Date): Promise<ConversationDoc | null> {
    if (!(await this.claimStep(c, now))) return null;
    const after = await this.lock.run(`conversation:${c._id.toString()}`, async () => {
      const queued = await this.models.Conversation.findOneAndUpdate(
        this.escalationGuard(c),
        { $set: { assigneeId: null, escalationDueAt: null } },
        { returnDocument: 'after' },
      ).lean<ConversationDoc>();
      if (queued) await this.openFigures.sync(queued);
      return queued;
    });
    if (after) this.publish(after, c.assigneeId?.toString() ?? null);
    return after;
  }

  /** Moves (or clears, with null) one due time, if it is still the one that was found due. */
  async reschedule(c: ConversationDoc, kind: DueKind, to: Date | null): Promise<boolean> {
    if (to) await this.hints.file(c._id, kind, to);
    const res = await this.lock.run(`conversation:${c._id.toString()}`, () =>
      this.models.Conversation.updateOne({ _id: c._id, [kind]: c[kind] }, { $set: { [kind]: to } }),
    );
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
