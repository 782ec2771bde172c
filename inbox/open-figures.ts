import type { Types } from 'mongoose';
import type { Channel } from '../shared/channels';
import type { KeyedLock } from './keyed-lock';
import { type ConversationDoc, isDuplicateKey, type Models } from './store/models';

/** A conversation still open for the response-time figures: its customer waits now, or nobody answered the lead. */
export interface OpenFigure {
  _id: Types.ObjectId;
  channel: Channel;
  assigneeId: Types.ObjectId | null;
  waitingSince: Date | null;
  leadAt: Date | null;
  leadDueAt: Date | null;
}

/** What a conversation's figure is made of. */
export type FigureSource = Pick<
  ConversationDoc,
  '_id' | 'channel' | 'assigneeId' | 'awaitingReplySince' | 'firstInboundAt' | 'firstResponseAt' | 'firstResponseDueAt'
>;

export interface RebuildResult {
  /** Conversations found open. */
  open: number;
  written: number;
  removed: number;
}

const sourceFields = { channel: 1, assigneeId: 1, awaitingReplySince: 1, firstInboundAt: 1, firstResponseAt: 1, firstResponseDueAt: 1 };
const figureFields = { channel: 1, assigneeId: 1, waitingSince: 1, leadAt: 1, leadDueAt: 1 };

/** The figure of a conversation as it is now; null when it is neither waiting nor an unanswered lead. */
export function openFigureOf(c: FigureSource): OpenFigure | null {
  const unanswered = c.firstResponseAt == null && c.firstInboundAt != null;
  const waitingSince = c.awaitingReplySince ?? null;
  const leadAt = unanswered ? (c.firstInboundAt ?? null) : null;
  if (!waitingSince && !leadAt) return null;
  return {
    _id: c._id,
    channel: c.channel as Channel,
    assigneeId: c.assigneeId ?? null,
    waitingSince,
    leadAt,
    leadDueAt: unanswered ? (c.firstResponseDueAt ?? null) : null,
  };
}

const time = (d: Date | null) => d?.getTime() ?? null;
const sameFigure = (a: OpenFigure | null, b: OpenFigure | null): boolean =>
  a === b ||
  (a !== null &&
    b !== null &&
    a.channel === b.channel &&
    String(a.assigneeId) === String(b.assigneeId) &&
    time(a.waitingSince) === time(b.waitingSince) &&
    time(a.leadAt) === time(b.leadAt) &&
    time(a.leadDueAt) === time(b.leadDueAt));

/**
 * The conversations still open for the response-time figures (`figures_open`), one small document each, written
 * beside every conversation write that changes a wait, a first response, a lead's target or an assignee.
 *
 * Why: the figures need the unanswered leads of a range and everyone waiting now. On MongoDB those are index range
 * scans of the conversations, but the embedded store (FerretDB 1.24 on SQLite) uses no secondary index and decodes
 * every conversation for each (about 1 s at 100,000). This set holds only what is open, and is written by `_id`,
 * the one filter that store passes to SQL. A write lost between the two (a crash) is repaired by `rebuild`.
 */
export class OpenFigures {
  /** Ids synced while a rebuild runs: their figure is newer than the rebuild's reading. */
  private readonly watching = new Set<Set<string>>();

  constructor(
    private readonly models: Models,
    /** The conversations' lock (see keyed-lock.ts): a repair does not interleave with a write of the same one. */
    private readonly lock: KeyedLock,
  ) {}

  /** Writes or removes the figure of a conversation as it is after a write. */
  async sync(c: FigureSource): Promise<void> {
    for (const ids of this.watching) ids.add(c._id.toString());
    const figure = openFigureOf(c);
    if (figure) await this.models.OpenFigure.replaceOne({ _id: c._id }, figure, { upsert: true });
    else await this.models.OpenFigure.deleteOne({ _id: c._id });
  }

  /** Every open figure, of one channel if given (filtered here: only an `_id` filter is cheap on the embedded store). */
  async all(channel?: Channel): Promise<OpenFigure[]> {
    const docs = await this.models.OpenFigure.find({}, figureFields).lean<Partial<OpenFigure>[]>();
    const figures = docs.map((d) => ({
      _id: d._id as Types.ObjectId,
      channel: d.channel as Channel,
      // The embedded store drops null fields on upsert.
      assigneeId: d.assigneeId ?? null,
      waitingSince: d.waitingSince ?? null,
      leadAt: d.leadAt ?? null,
      leadDueAt: d.leadDueAt ?? null,
    }));
    return channel ? figures.filter((f) => f.channel === channel) : figures;
  }

  /**
   * Reconciles the set with the conversations (data from before it existed, a write lost to a crash). Reads every
   * conversation on the embedded store, so it runs rarely (with the due-time sweep).
   */
  async rebuild(): Promise<RebuildResult> {
    const synced = new Set<string>();
    this.watching.add(synced);
    try {
      // The set is read before the conversations, so a figure written in between is never taken for a stray.
      const stored = new Map((await this.all()).map((f) => [f._id.toString(), f]));
      const conversations = await this.models.Conversation.find(
        { $or: [{ awaitingReplySince: { $ne: null } }, { firstResponseAt: null, firstInboundAt: { $ne: null } }] },
        sourceFields,
      ).lean<FigureSource[]>();
      const expected = new Map<string, OpenFigure>();
      for (const c of conversations) {
        const figure = openFigureOf(c);
        if (figure) expected.set(c._id.toString(), figure);
      }
      const result: RebuildResult = { open: expected.size, written: 0, removed: 0 };
      for (const id of new Set([...stored.keys(), ...expected.keys()])) {
        const had = stored.get(id) ?? null;
        const want = expected.get(id) ?? null;
        if (sameFigure(had, want)) continue;
        const done = await this.lock.run(`conversation:${id}`, () => (synced.has(id) ? Promise.resolve(null) : this.repair(had, want)));
        if (done === 'written') result.written++;
        if (done === 'removed') result.removed++;
      }
      return result;
    } finally {
      this.watching.delete(synced);
    }
  }

  /**
   * Replaces the figure read (`had`) with the one wanted, only if it is still the one read: another process may
   * have synced a newer state of the conversation since.
   */
  private async repair(had: OpenFigure | null, want: OpenFigure | null): Promise<'written' | 'removed' | null> {
    const { OpenFigure } = this.models;
    if (!had && want) {
      try {
        await OpenFigure.create(want);
        return 'written';
      } catch (e) {
        if (isDuplicateKey(e)) return null;
        throw e;
      }
    }
    if (!had) return null;
    if (!want) return (await OpenFigure.deleteOne(had)).deletedCount === 1 ? 'removed' : null;
    return (await OpenFigure.replaceOne(had, want)).matchedCount === 1 ? 'written' : null;
  }
}
