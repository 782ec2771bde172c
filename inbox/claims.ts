import { idFromKey } from './store/ids';
import { isDuplicateKey, type Models } from './store/models';

/**
 * "Exactly one process does this": a claim is a document whose `_id` derives from the work's key, so the unique
 * index decides between processes even where the store's findAndModify is not atomic (FerretDB). A claim older than
 * its lifetime belongs to a process that died mid-way, and can be taken over.
 */
export class Claims {
  constructor(private readonly models: Models) {}

  async claim(key: string, now: Date, lifetimeMs: number): Promise<boolean> {
    const _id = idFromKey(key);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.models.Claim.create({ _id, key, at: now });
        return true;
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
      const held = await this.models.Claim.findById(_id).lean();
      if (held && held.at.getTime() > now.getTime() - lifetimeMs) return false;
      if (held) await this.models.Claim.deleteOne({ _id, at: held.at });
    }
    return false;
  }

  /** Drops claims taken before `before`: their work is long settled. */
  async prune(before: Date): Promise<number> {
    const res = await this.models.Claim.deleteMany({ at: { $lt: before } });
    return res.deletedCount;
  }
}
