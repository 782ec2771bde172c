import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import type { Channel } from '../../../shared/channels';
import { unitStart } from '../funnel-units';
import type { LeadRecord } from '../records';
import { isDuplicateKey, type LeadDoc, type Models } from './models';

/** What the in-play view keeps of a lead (leads_in_play, ./funnel-models.ts): channel, source, manager, since. */
type InPlayEntry = [string, string | null, string | null, number];
export type InPlayLead = Pick<LeadRecord, 'id' | 'channel' | 'source' | 'assigneeId' | 'stageId' | 'stageSince'>;
export type InPlayFields = Pick<LeadDoc, '_id' | 'open' | 'stageId' | 'stageSince' | 'channel' | 'source' | 'assigneeId' | 'rev'> & {
  path: { stageId: string; at: Date }[];
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
  'path.at': 1,
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
 * A part of the view: the leads in play at one stage since one UTC month, `${stageId}@${monthStartMs}`. New leads
 * and moves land in the current month's parts, so the parts other processes read again after a write stay small.
 * (Stage ids are generated hex ids or the default stages' names, never with `@` or `#`.)
 */
export const partOf = (stageId: string, since: Date) => `${stageId}@${unitStart('month', since.getTime())}`;
const stageOfPart = (part: string) => {
  const at = part.lastIndexOf('@');
  return at < 0 ? part : part.slice(0, at);
};
/** The document of the parts' versions: `v.<part>` grows after every write to that part. */
export const VERSIONS = '#versions';
/** A part read this long ago is read again even if its version says nothing changed (see `read`). */
const REREAD_AFTER_MS = 5 * 60_000;

/** A part (`m`: entries by lead id), or the versions' document (`v`: by part). */
interface ViewDoc {
  _id: string;
  m?: Record<string, string>;
  v?: Record<string, number>;
}
type Op = AnyBulkWriteOperation<ViewDoc>;

interface ReadPart {
  version: number;
  readAt: number;
  entries: { id: string; rev: number; entry: InPlayEntry }[];
}

/**
 * The leads in play, one document per stage and month they have been there since (./funnel-models.ts), and this
 * process's copy of them. The ageing reads every lead in play, tens of thousands at scale; the embedded store's cost
 * is per value, so a part is read again only when its version moved (one small document says). A write to a part
 * bumps its version in the same round trip, after the write; a process that stops between the two leaves the others'
 * copies of that part behind until its next write or REREAD_AFTER_MS, and the hourly comparison with the leads
 * writes it anew. Documents of the form before, one per stage (`_id` the stage's), are read as parts too and emptied
 * as their leads change.
 */
export class LeadsInPlayView {
  private readonly parts = new Map<string, ReadPart>();
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
    const stages = new Set(stageIds);
    // The parts the versions name, and each stage's document of the form before (version 0 until written again).
    const ids = [...new Set([...stageIds, ...Object.keys(v).filter((part) => stages.has(stageOfPart(part)))])];
    const versionOf = (id: string) => v[id] ?? 0;
    const stale = ids.filter((id) => {
      const seen = this.parts.get(id);
      return !seen || seen.version !== versionOf(id) || now - seen.readAt > REREAD_AFTER_MS;
    });
    // One by id each: a read by its id is the one the embedded store answers without decoding the others.
    const docs = await Promise.all(stale.map((id) => this.collection.findOne({ _id: id })));
    stale.forEach((id, i) => {
      const entries = Object.entries(docs[i]?.m ?? {}).map(([lead, text]) => ({ id: lead, ...readEntry(text) }));
      this.parts.set(id, { version: versionOf(id), readAt: now, entries });
    });
    let changed = stale.length > 0;
    for (const id of this.parts.keys()) {
      if (!ids.includes(id)) {
        this.parts.delete(id);
        changed = true;
      }
    }
    if (changed) this.merged = undefined;
    this.merged ??= this.merge();
    return channel ? this.merged.filter((l) => l.channel === channel) : this.merged;
  }

  /** The copies of the parts as one list, one entry per lead. */
  private merge(): readonly InPlayLead[] {
    const newest = new Map<string, { stageId: string; rev: number; entry: InPlayEntry }>();
    for (const [part, { entries }] of this.parts) {
      const stageId = stageOfPart(part);
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
   * The lead's entry: in the part of its stage and since while it is in play, in no other. Each write applies only
   * over an older revision of the lead, so of two processes writing one lead's entry the newer wins.
   */
  async sync(doc: InPlayFields, created = false): Promise<void> {
    const field = `m.${doc._id}`;
    const rev = doc.rev ?? 0;
    const inPlay = doc.open === true;
    const here = partOf(doc.stageId, doc.stageSince);
    // Only the parts of the steps of its path can hold an entry of it (an entry's since is the step's time), and the
    // documents of the form before, one per stage.
    const candidates = created ? [] : [...new Set(doc.path.flatMap((p) => [partOf(p.stageId, p.at), p.stageId]))];
    const elsewhere = candidates.filter((id) => !inPlay || id !== here);
    const touched = inPlay ? [here, ...elsewhere] : elsewhere;
    if (!touched.length) return;
    // This process's copy never lags its own writes, whatever becomes of the version bump.
    for (const id of touched) this.parts.delete(id);
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
    // Over an older revision (or none), else creating the part's document: one that holds a newer revision of the
    // lead matches neither way, and the upsert's insert fails on its id, as MongoDB's guarded upsert does.
    const older = { _id: here, $or: [{ [field]: { $exists: false } }, { [field]: { $lt: revText(rev) } }] };
    const set: Op = { updateOne: { filter: older, update: { $set: { [field]: entry } }, upsert: true } };
    try {
      // The entry, what the lead left, the versions: in one round trip, in that order.
      await this.collection.bulkWrite([set, ...removals, bump], { ordered: true });
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      // A newer revision holds the part already; what this one left is still to be removed, and the versions bumped.
      await this.collection.bulkWrite([...removals, bump], { ordered: true });
    }
  }
}
