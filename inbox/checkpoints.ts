import { isDuplicateKey, type Models } from './store/models';

/**
 * Where a background job got to, one document per job. Moves are guarded by the value they start from, so two
 * processes running the same job cannot both claim the same stretch of work.
 */
export class Checkpoints {
  constructor(private readonly models: Models) {}

  async get(id: string): Promise<Date | null> {
    const doc = await this.models.Checkpoint.findById(id).lean();
    return doc?.at ?? null;
  }

  /** The checkpoint, created at `at` when it does not exist yet. */
  async getOrCreate(id: string, at: Date): Promise<Date> {
    const existing = await this.get(id);
    if (existing) return existing;
    try {
      await this.models.Checkpoint.create({ _id: id, at });
      return at;
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      return (await this.get(id)) ?? at;
    }
  }

  /** Moves the checkpoint forward to `to` (never back), creating it if needed. */
  async advance(id: string, to: Date): Promise<void> {
    await this.models.Checkpoint.updateOne({ _id: id }, { $max: { at: to } }, { upsert: true });
  }

  /** Moves the checkpoint from `from` to `to`; false when it was no longer at `from` (someone else moved it). */
  async move(id: string, from: Date, to: Date): Promise<boolean> {
    const res = await this.models.Checkpoint.updateOne({ _id: id, at: from }, { $set: { at: to } });
    return res.modifiedCount === 1;
  }
}
