import type { Collection, Connection, Types } from 'mongoose';
import type { Clock } from './ports';
import { type DueKind, isDuplicateKey } from './store/models';

/**
 * "Look at this conversation at this second": one small document per due time set. A hint may be stale (the wait
 * was answered since); the conversation is the truth.
 */
export interface DueHintDoc {
  /** `<epoch second>:<n>`, n = 0, 1, 2… within the second. */
  _id: string;
  conversationId: Types.ObjectId;
  kind: DueKind;
  dueAt: Date;
}

/** Hints are filed per second of their due time, in one collection per hour. */
export const secondOf = (at: Date | number): number => Math.floor((typeof at === 'number' ? at : at.getTime()) / 1000);
const hourOf = (second: number): number => Math.floor(second / 3600);
const PREFIX = 'due_hints_';
const hintId = (second: number, n: number) => `${second}:${n}`;
/** The second a hint is filed under, from its `_id`. */
export const hintSecond = (id: string): number => Number(id.slice(0, id.indexOf(':')));
/** Hints of one second read at once after the first (they are read by primary key, stopping at the first gap). */
const READ_AHEAD = 8;
/** Seconds read at once when catching up. */
const PARALLEL_SECONDS = 16;

/**
 * Where the automations find what falls due: whenever a due time is set on a conversation, a hint is filed under
 * the second it falls due in, numbered 0, 1, 2… within that second, in the collection of that hour; a pass reads
 * the seconds that have come (hint 0, 1, … up to the first missing number) and looks at those conversations only.
 *
 * Why not only the indexes on the due times: on MongoDB `{escalationDueAt: {$lte: now}}` is an index range scan,
 * but the embedded store (FerretDB 1.24 on SQLite) uses no index at all — a filter on any other field decodes every
 * document of the collection, and even an `_id` lookup is an SQL scan of its table. A pass over 2,000 open
 * conversations took 0.9 s that way and grew with every conversation kept. A lookup in the current hour's hints
 * costs what that hour holds, on either store, however many conversations are open. Old hours are dropped whole.
 *
 * A hint is filed before its due time is stored, so a crash between the two leaves a stale hint, never a missing
 * one; a hint for a time already past goes under the current second, which a pass still reads.
 */
export class DueHints {
  /** The next free number per second, as far as this process knows (another process may have taken it). */
  private readonly next = new Map<number, number>();

  constructor(
    private readonly connection: Connection,
    private readonly clock: Clock,
  ) {}

  private hour(second: number): Collection<DueHintDoc> {
    return this.connection.collection<DueHintDoc>(`${PREFIX}${hourOf(second)}`);
  }

  async file(conversationId: Types.ObjectId, kind: DueKind, dueAt: Date): Promise<void> {
    const second = Math.max(secondOf(dueAt), secondOf(this.clock()));
    this.forgetBefore(secondOf(this.clock()) - 60);
    for (let n = this.next.get(second) ?? 0; ; n++) {
      try {
        await this.hour(second).insertOne({ _id: hintId(second, n), conversationId, kind, dueAt });
        this.next.set(second, n + 1);
        return;
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
    }
  }

  /** Files a hint for each due time given (nulls are no due time). */
  async fileAll(conversationId: Types.ObjectId, due: Partial<Record<DueKind, Date | null>>): Promise<void> {
    await Promise.all(Object.entries(due).map(([kind, at]) => (at ? this.file(conversationId, kind as DueKind, at) : Promise.resolve())));
  }

  /** Every hint filed under the seconds `from`..`to` (both included). */
  async read(from: number, to: number): Promise<DueHintDoc[]> {
    const seconds = Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
    const hints: DueHintDoc[] = [];
    for (let i = 0; i < seconds.length; i += PARALLEL_SECONDS) {
      const batch = await Promise.all(seconds.slice(i, i + PARALLEL_SECONDS).map((s) => this.readSecond(s)));
      for (const list of batch) hints.push(...list);
    }
    return hints;
  }

  private async readSecond(second: number): Promise<DueHintDoc[]> {
    const hints: DueHintDoc[] = [];
    const collection = this.hour(second);
    // Most seconds hold no hint: look at the first alone, then read ahead.
    for (let n = 0, ahead = 1; ; n += ahead, ahead = READ_AHEAD) {
      const docs = await Promise.all(Array.from({ length: ahead }, (_, i) => collection.findOne({ _id: hintId(second, n + i) })));
      for (const doc of docs) {
        // Numbers are taken in order, so the first gap ends the second.
        if (!doc) return hints;
        hints.push(doc);
      }
    }
  }

  /** Drops the hours of hints that ended before `second` (housekeeping, long after they were read). */
  async prune(second: number): Promise<number> {
    const db = this.connection.db;
    if (!db) return 0;
    const names = await db.listCollections({}, { nameOnly: true }).toArray();
    const past = names.map((c) => c.name).filter((name) => name.startsWith(PREFIX) && Number(name.slice(PREFIX.length)) < hourOf(second));
    for (const name of past) await db.dropCollection(name).catch(() => false);
    return past.length;
  }

  private forgetBefore(second: number): void {
    if (this.next.size < 256) return;
    for (const s of this.next.keys()) if (s < second) this.next.delete(s);
  }
}
