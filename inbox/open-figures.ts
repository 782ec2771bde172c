import type { Collection, Connection, Types } from 'mongoose';
import type { Channel } from '../shared/channels';
import type { KeyedLock } from './keyed-lock';
import { monthOf, nextMonth } from './response-ledger';
import { type ConversationDoc, isDuplicateKey, type Models } from './store/models';

/** A customer waiting for a reply right now. */
export interface WaitFigure {
  _id: Types.ObjectId;
  channel: Channel;
  assigneeId: Types.ObjectId | null;
  waitingSince: Date;
}

/** A lead nobody has answered yet: its first message, and its first-response target. */
export interface LeadFigure {
  _id: Types.ObjectId;
  channel: Channel;
  assigneeId: Types.ObjectId | null;
  leadAt: Date;
  leadDueAt: Date | null;
}

/** What a conversation's figures are made of. */
export type FigureSource = Pick<
  ConversationDoc,
  '_id' | 'channel' | 'assigneeId' | 'awaitingReplySince' | 'firstInboundAt' | 'firstResponseAt' | 'firstResponseDueAt'
>;

export interface RebuildResult {
  /** Conversations found waiting, and leads found unanswered. */
  waiting: number;
  leads: number;
  written: number;
  removed: number;
}

const WAITING = 'figures_waiting';
const LEADS_PREFIX = 'figures_leads_';
/** Leads are filed by the UTC month of their first message, which never changes. */
const leadsOf = (at: Date | number): string => {
  const d = new Date(at);
  return `${LEADS_PREFIX}${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
};

const sourceFields = { channel: 1, assigneeId: 1, awaitingReplySince: 1, firstInboundAt: 1, firstResponseAt: 1, firstResponseDueAt: 1 };

export function waitFigureOf(c: FigureSource): WaitFigure | null {
  if (!c.awaitingReplySince) return null;
  return { _id: c._id, channel: c.channel as Channel, assigneeId: c.assigneeId ?? null, waitingSince: c.awaitingReplySince };
}

export function leadFigureOf(c: FigureSource): LeadFigure | null {
  if (c.firstResponseAt != null || !c.firstInboundAt) return null;
  return {
    _id: c._id,
    channel: c.channel as Channel,
    assigneeId: c.assigneeId ?? null,
    leadAt: c.firstInboundAt,
    leadDueAt: c.firstResponseDueAt ?? null,
  };
}

type Figure = WaitFigure | LeadFigure;
/** What a figure says, as one string: two figures of a family are the same when these are. */
const signature = (f: Figure | null): string | null => {
  if (!f) return null;
  const times = 'waitingSince' in f ? [f.waitingSince.getTime()] : [f.leadAt.getTime(), f.leadDueAt?.getTime() ?? null];
  return [f.channel, String(f.assigneeId), ...times].join('|');
};
const sameFigure = (a: Figure | null, b: Figure | null): boolean => signature(a) === signature(b);

/** The embedded store drops null fields on upsert: read them back as null. */
const asWait = (d: Partial<WaitFigure>): WaitFigure => ({
  _id: d._id as Types.ObjectId,
  channel: d.channel as Channel,
  assigneeId: d.assigneeId ?? null,
  waitingSince: d.waitingSince as Date,
});
const asLead = (d: Partial<LeadFigure>): LeadFigure => ({
  _id: d._id as Types.ObjectId,
  channel: d.channel as Channel,
  assigneeId: d.assigneeId ?? null,
  leadAt: d.leadAt as Date,
  leadDueAt: d.leadDueAt ?? null,
});

/**
 * What the response-time report needs of the conversations that are still open for it, kept beside them: the
 * customers waiting now (`figures_waiting`, one small document each) and the leads nobody has answered
 * (`figures_leads_YYYYMM`, by the month of the lead's first message). Written by `_id` beside every conversation
 * write that changes a wait, a first response, a lead's target or an assignee.
 *
 * Why: the report needs everyone waiting now and the unanswered leads of its range. On MongoDB those are index
 * range scans of the conversations, but the embedded store (FerretDB 1.24 on SQLite) uses no secondary index and
 * decodes every conversation for each (about 1 s at 100,000). The waits of now are as many as are open; leads
 * nobody answered pile up for good (spam, a lead closed unanswered), so they are partitioned by month and a range
 * reads only its months. A write lost between the conversation and its figure (a crash) is repaired by `rebuild`.
 */
export class OpenFigures {
  /** Ids synced while a rebuild runs: their figures are newer than the rebuild's reading. */
  private readonly watching = new Set<Set<string>>();

  constructor(
    private readonly connection: Connection,
    private readonly models: Models,
    /** The conversations' lock (see keyed-lock.ts): a repair does not interleave with a write of the same one. */
    private readonly lock: KeyedLock,
  ) {}

  private waits(): Collection<WaitFigure> {
    return this.connection.collection<WaitFigure>(WAITING);
  }

  private leadsIn(name: string): Collection<LeadFigure> {
    return this.connection.collection<LeadFigure>(name);
  }

  /** Writes or removes the figures of a conversation as it is after a write. */
  async sync(c: FigureSource): Promise<void> {
    for (const ids of this.watching) ids.add(c._id.toString());
    await Promise.all([
      this.put(this.waits(), c._id, waitFigureOf(c)),
      c.firstInboundAt && this.put(this.leadsIn(leadsOf(c.firstInboundAt)), c._id, leadFigureOf(c)),
    ]);
  }

  /** Writes a conversation's figure of one family by its `_id`, or removes it (null). */
  private async put<T extends Figure>(into: Collection<T>, id: Types.ObjectId, figure: T | null): Promise<void> {
    if (figure) await into.replaceOne({ _id: id } as never, figure, { upsert: true });
    else await into.deleteOne({ _id: id } as never);
  }

  /** Every customer waiting now, of one channel if given (filtered here: only an `_id` filter is cheap on the embedded store). */
  async waiting(channel?: Channel): Promise<WaitFigure[]> {
    const figures = (await this.waits().find({}).toArray()).map(asWait);
    return channel ? figures.filter((f) => f.channel === channel) : figures;
  }

  /** The unanswered leads whose first message is in [from, to): the months the range touches, read whole. */
  async leads(from: Date, to: Date, channel?: Channel): Promise<LeadFigure[]> {
    const months: string[] = [];
    for (let m = monthOf(from.getTime()); m < to.getTime(); m = nextMonth(m)) months.push(leadsOf(m));
    const read = await Promise.all(months.map((name) => this.leadsIn(name).find({}).toArray()));
    return read
      .flat()
      .map(asLead)
      .filter((f) => f.leadAt >= from && f.leadAt < to && (!channel || f.channel === channel));
  }

  /** Every unanswered lead, by the collection it is filed in. */
  private async allLeads(): Promise<Map<string, { figure: LeadFigure; home: string }>> {
    const db = this.connection.db;
    if (!db) throw new Error('the store connection is not open');
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => n.startsWith(LEADS_PREFIX));
    const found = new Map<string, { figure: LeadFigure; home: string }>();
    for (const home of names) {
      for (const doc of await this.leadsIn(home).find({}).toArray()) found.set(doc._id.toString(), { figure: asLead(doc), home });
    }
    return found;
  }

  /**
   * Reconciles the figures with the conversations (data from before them, a write lost to a crash). Reads every
   * conversation on the embedded store, so it runs rarely (the housekeeping job).
   */
  async rebuild(): Promise<RebuildResult> {
    const synced = new Set<string>();
    this.watching.add(synced);
    try {
      // The figures are read before the conversations, so one written in between is never taken for a stray.
      const storedWaits = new Map((await this.waiting()).map((f) => [f._id.toString(), f]));
      const storedLeads = await this.allLeads();
      const conversations = await this.models.Conversation.find(
        { $or: [{ awaitingReplySince: { $ne: null } }, { firstResponseAt: null, firstInboundAt: { $ne: null } }] },
        sourceFields,
      ).lean<FigureSource[]>();
      const wantWaits = new Map<string, WaitFigure>();
      const wantLeads = new Map<string, LeadFigure>();
      for (const c of conversations) {
        const wait = waitFigureOf(c);
        const lead = leadFigureOf(c);
        if (wait) wantWaits.set(c._id.toString(), wait);
        if (lead) wantLeads.set(c._id.toString(), lead);
      }
      const result: RebuildResult = { waiting: wantWaits.size, leads: wantLeads.size, written: 0, removed: 0 };
      const count = (done: 'written' | 'removed' | null) => {
        if (done) result[done]++;
      };

      for (const id of new Set([...storedWaits.keys(), ...wantWaits.keys()])) {
        const had = storedWaits.get(id) ?? null;
        const want = wantWaits.get(id) ?? null;
        if (sameFigure(had, want)) continue;
        count(await this.lock.run(`conversation:${id}`, async () => (synced.has(id) ? null : this.repair(this.waits(), had, want))));
      }
      for (const id of new Set([...storedLeads.keys(), ...wantLeads.keys()])) {
        const had = storedLeads.get(id);
        const want = wantLeads.get(id) ?? null;
        const home = want ? leadsOf(want.leadAt) : had?.home;
        if (!home || (had?.home === home && sameFigure(had.figure, want))) continue;
        count(
          await this.lock.run(`conversation:${id}`, async () => {
            if (synced.has(id)) return null;
            // A lead filed in the wrong month is moved: written where it belongs, removed where it was.
            if (had && had.home !== home) await this.repair(this.leadsIn(had.home), had.figure, null);
            return this.repair(this.leadsIn(home), had?.home === home ? had.figure : null, want);
          }),
        );
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
  private async repair<T extends Figure>(into: Collection<T>, had: T | null, want: T | null): Promise<'written' | 'removed' | null> {
    if (!had && want) {
      try {
        await into.insertOne(want as never);
        return 'written';
      } catch (e) {
        if (isDuplicateKey(e)) return null;
        throw e;
      }
    }
    if (!had) return null;
    const guard = { ...had } as Record<string, unknown>;
    // A null the store dropped is matched as missing-or-null, as it was read.
    if (!want) return (await into.deleteOne(guard as never)).deletedCount === 1 ? 'removed' : null;
    return (await into.replaceOne(guard as never, want as never)).matchedCount === 1 ? 'written' : null;
  }
}
