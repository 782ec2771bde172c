import type { CheckpointStore } from '../port';
import { isDuplicateKey, type Models } from './models';

export class MongoCheckpoints implements CheckpointStore {
  constructor(private readonly models: Models) {}

  async get(id: string): Promise<Date | null> {
    const doc = await this.models.Checkpoint.findById(id).lean();
    return doc?.at ?? null;
  }

  async create(id: string, at: Date): Promise<boolean> {
    try {
      await this.models.Checkpoint.create({ _id: id, at });
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }

  async advance(id: string, to: Date): Promise<void> {
    await this.models.Checkpoint.updateOne({ _id: id }, { $max: { at: to } }, { upsert: true });
  }

  async move(id: string, from: Date, to: Date): Promise<boolean> {
    const res = await this.models.Checkpoint.updateOne({ _id: id, at: from }, { $set: { at: to } });
    return res.modifiedCount === 1;
  }
}
