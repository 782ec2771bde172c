import type { Types } from 'mongoose';
import type { Clock } from './ports';
import { type DueHintDoc, type DueKind, isDuplicateKey, type Models } from './store/models';

/** Hints are filed per second of their due time. */
export const secondOf = (at: Date | number): number => Math.floor((typeof at === 'number' ? at : at.getTime()) / 1000);
const hintId = (second: number, n: number) => `${second}:${n}`;
/** Hints of one second read at once (they are read by primary key, stopping at the first gap). */
const READ_AHEAD = 8;
/** Seconds read at once when catching up. */
const PARALLEL_SECONDS = 16;

/**
 * Where the automations find what falls due, by primary key alone: whenever a due time is set on a conversation, a
 * hint is filed under the second it falls due in, numbered 0, 1, 2… within that second; a pass reads the seconds
 * that have come (hint 0, 1, … up to the first missing number) and looks at those conversations only.
 *
 * Why not only the index on the due times: on MongoDB `{escalationDueAt: {$lte: now}}` is an index range scan, but
 * the embedded store (FerretDB 1.24 on SQLite) evaluates every filter except `{_id}` by reading the whole collection,
 * so a pass over 2,000 open conversations took 0.9 s and grew with every conversation kept. Reading by `_id` costs
 * the same on both stores whatever is open. The due-time indexes stay for the periodic sweep (timers.ts).
 *
 * A hint is filed before its due time is stored, so a crash between the two leaves a stale hint, never a missing
 * one; a hint for a time already past goes under the current second, which a pass still reads.
 */
export class DueHints {
  /** The next free number per second, as far as this process knows (another process may have taken it). */
  private readonly next = new Map<number, number>();

  constructor(
    private readonly models: Models,
    private readonly clock: Clock,
  ) {}

  async file(conversationId: Types.ObjectId, kind: DueKind, dueAt: Date): Promise<void> {
    const second = Math.max(secondOf(dueAt), secondOf(this.clock()));
    this.forgetBefore(secondOf(this.clock()) - 60);
    for (let n = this.next.get(second) ?? 0; ; n++) {
      try {
        await this.models.DueHint.create({ _id: hintId(second, n), conversationId, kind, dueAt });
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
    for (let n = 0; ; n += READ_AHEAD) {
      const docs = await Promise.all(
        Array.from({ length: READ_AHEAD }, (_, i) => this.models.DueHint.findById(hintId(second, n + i)).lean<DueHintDoc>()),
      );
      for (const doc of docs) {
        // Numbers are taken in order, so the first gap ends the second.
        if (!doc) return hints;
        hints.push(doc);
      }
    }
  }

  /** Drops the hints of seconds before `second` (housekeeping, long after they were read). */
  async prune(second: number): Promise<number> {
    const res = await this.models.DueHint.deleteMany({ _id: { $lt: `${second}:` } });
    return res.deletedCount;
  }

  private forgetBefore(second: number): void {
    if (this.next.size < 256) return;
    for (const s of this.next.keys()) if (s < second) this.next.delete(s);
  }
}
