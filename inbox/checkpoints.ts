import type { CheckpointStore, InboxStore } from './store/port';

/**
 * Where a background job got to, one record per job. Moves are guarded by the value they start from, so two
 * processes running the same job cannot both claim the same stretch of work.
 */
export class Checkpoints {
  private readonly store: CheckpointStore;

  constructor(store: InboxStore) {
    this.store = store.checkpoints;
  }

  get(id: string): Promise<Date | null> {
    return this.store.get(id);
  }

  /** The checkpoint, created at `at` when it does not exist yet. */
  async getOrCreate(id: string, at: Date): Promise<Date> {
    const existing = await this.store.get(id);
    if (existing) return existing;
    if (await this.store.create(id, at)) return at;
    return (await this.store.get(id)) ?? at;
  }

  /** Moves the checkpoint forward to `to` (never back), creating it if needed. */
  advance(id: string, to: Date): Promise<void> {
    return this.store.advance(id, to);
  }

  /** Moves the checkpoint from `from` to `to`; false when it was no longer at `from` (someone else moved it). */
  move(id: string, from: Date, to: Date): Promise<boolean> {
    return this.store.move(id, from, to);
  }
}
