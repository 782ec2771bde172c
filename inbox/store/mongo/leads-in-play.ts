import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import type { Channel } from '../../../shared/channels';
import type { LeadRecord } from '../records';
import { isDuplicateKey, type LeadDoc, type Models } from './models';

/** What the in-play view keeps of a lead (leads_in_play, ./funnel-models.ts): channel, source, manager, since. */
type InPlayEntry = [string, string | null, string | null, number];
export type InPlayLead = Pick<LeadRecord, 'id' | 'channel' | 'source' | 'assigneeId' | 'stageId' | 'stageSince'>;
export type InPlayFields = Pick<LeadDoc, '_id' | 'open' | 'stageId' | 'stageSince' | 'channel' | 'source' | 'assigneeId' | 'rev'> & {
  path: { stageId: string }[];
};
export const IN_PLAY_FIELDS = {
  open: 1,
  stageId: 1,
  stageSince: 1,
  channel: 1,
  source: 1,
  assigneeId: 1,
  rev: 1,
  'path.stageId': 1,
} as const;

/** A revision as the view's texts begin with it: ten digits, so that texts compare as their revisions do. */
const revText = (rev: number) => String(rev).padStart(10, '0');
const entryText = (rev: number, entry: InPlayEntry) => `${revText(rev)}${JSON.stringify(entry)}`;
const readEntry = (text: string): { rev: number; entry: InPlayEntry } => ({
  rev: Number(text.slice(0, 10)),
  entry: JSON.parse(text.slice(10)) as InPlayEntry,
});
const str = (v: { toString(): string } | null | undefined): string | null => (v ? v.toString() : null);

/**
 * The document of the stage documents' versions: `v.<stageId>` grows after every write to that stage's document.
 * Stage ids are generated hex ids or the default stages' names, never with a `#`.
 */
const VERSIONS = '#versions';
/** A stage document read this long ago is read again even if its version says nothing changed (see `read`). */
const REREAD_AFTER_MS = 5 * 60_000;

/** A stage's document (`m`: entries by lead id), or the versions' (`v`: by stage id). */
interface ViewDoc {
  _id: string;
  m?: Record<string, string>;
  v?: Record<string, number>;
}
type Op = AnyBulkWriteOperation<ViewDoc>;

interface ReadStage {
  version: number;
  readAt: number;
  entries: { id: string; rev: number; entry: InPlayEntry }[];
}

/**
 * The leads in play, one document per stage (./funnel-models.ts), and this process's copy of them. The ageing reads
 * every lead in play, tens of thousands at scale; the embedded store's cost is per value, so a stage's document is
 * read again only when its version moved (one small document says). A write to a stage's document bumps its version
 * in the same round trip, after the write; a process that stops between the two leaves the others' copies of that
 * one stage behind until its next write or REREAD_AFTER_MS, and the hourly comparison with the leads writes it anew.
 */
export class LeadsInPlayView {
  private readonly stages = new Map<string, ReadStage>();
  /** The last merge of the copies, until one of them is read again (shared by readers: not to be changed). */
  private merged: readonly InPlayLead[] | undefined;

  constructor(private readonly models: Models) {}

  private get collection(): Collection<ViewDoc> {
    return this.models.LeadInPlay.collection as unknown as Collection<ViewDoc>;
  }

  /** Every lead in play (of one channel), over the stages `stageIds` (every stage there is, active or not). */
  async read(stageIds: readonly string[], channel?: Channel): Promise<readonly InPlayLead[]> {
    const v = (await this.collection.findOne({ _id: VERSIONS }))?.v ?? {};
    const now = Date.now();
    // A document written before versions were kept counts as version 0 until its next write.
    const versionOf = (id: string) => v[id] ?? 0;
    const stale = stageIds.filter((id) => {
      const seen = this.stages.get(id);
      return !seen || seen.version !== versionOf(id) || now - seen.readAt > REREAD_AFTER_MS;
    });
    // One by id each: a read by its id is the one the embedded store answers without decoding the others.
    const docs = await Promise.all(stale.map((id) => this.collection.findOne({ _id: id })));
    stale.forEach((id, i) => {
      const doc = docs[i];
      const entries = Object.entries(doc?.m ?? {}).map(([lead, text]) => ({ id: lead, ...readEntry(text) }));
      this.stages.set(id, { version: versionOf(id), readAt: now, entries });
    });
    for (const id of this.stages.keys()) {
      if (!stageIds.includes(id)) {
        this.stages.delete(id);
        this.merged = undefined;
      }
    }
    if (stale.length) this.merged = undefined;
    this.merged ??= this.merge();
    return channel ? this.merged.filter((l) => l.channel === channel) : this.merged;
  }

  /** The copies of the stages' documents as one list, one entry per lead. */
  private merge(): readonly InPlayLead[] {
    const newest = new Map<string, { stageId: string; rev: number; entry: InPlayEntry }>();
    for (const [stageId, { entries }] of this.stages) {
      for (const { id, rev, entry } of entries) {
        // Two entries of one lead only after a stop between its two writes: the newer revision is the lead.
        const seen = newest.get(id);
        if (!seen || seen.rev < rev) newest.set(id, { stageId, rev, entry });
      }
    }
    const out: InPlayLead[] = [];
    for (const [id, { stageId, entry }] of newest) {
      out.push({
        id,
        channel: entry[0] as Channel,
        source: entry[1],
        assigneeId: entry[2],
        stageId,
        stageSince: new Date(entry[3]),
      });
    }
    return out;
  }

  /**
   * The lead's entry: in its stage's document while it is in play, in no other. Each write applies only over an
   * older revision of the lead, so of two processes writing one lead's entry the newer wins.
   */
  async sync(doc: InPlayFields, created = false): Promise<void> {
    const field = `m.${doc._id}`;
    const rev = doc.rev ?? 0;
    const inPlay = doc.open === true;
    const elsewhere = created ? [] : [...new Set(doc.path.map((p) => p.stageId))].filter((id) => !inPlay || id !== doc.stageId);
    const touched = inPlay ? [doc.stageId, ...elsewhere] : elsewhere;
    if (!touched.length) return;
    // This process's copy never lags its own writes, whatever becomes of the version bump.
    for (const id of touched) this.stages.delete(id);
    this.merged = undefined;
    const bump: Op = {
      updateOne: {
        filter: { _id: VERSIONS },
        update: { $inc: Object.fromEntries(touched.map((id) => [`v.${id}`, 1])) },
        upsert: true,
      },
    };
    const removals: Op[] = elsewhere.length
      ? [{ updateMany: { filter: { _id: { $in: elsewhere }, [field]: { $lt: revText(rev + 1) } }, update: { $unset: { [field]: '' } } } }]
      : [];
    if (!inPlay) {
      await this.collection.bulkWrite([...removals, bump], { ordered: true });
      return;
    }
    const entry = entryText(rev, [doc.channel, doc.source ?? null, str(doc.assigneeId), doc.stageSince.getTime()]);
    // Over an older revision (or none), else creating the stage's document: one that holds a newer revision of the
    // lead matches neither way, and the upsert's insert fails on its id, as MongoDB's guarded upsert does.
    const older = { _id: doc.stageId, $or: [{ [field]: { $exists: false } }, { [field]: { $lt: revText(rev) } }] };
    const set: Op = { updateOne: { filter: older, update: { $set: { [field]: entry } }, upsert: true } };
    try {
      // The entry, what the lead left, the versions: in one round trip, in that order.
      await this.collection.bulkWrite([set, ...removals, bump], { ordered: true });
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      // A newer revision holds the stage already; what this one left is still to be removed, and the versions bumped.
      await this.collection.bulkWrite([...removals, bump], { ordered: true });
    }
  }
}
