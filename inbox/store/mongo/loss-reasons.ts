import type { LossReasonStore } from '../port';
import type { LossReasonRecord } from '../records';
import { oid } from './mapping';
import { isDuplicateKey, type LossReasonDoc, type Models } from './models';

const toRecord = (doc: LossReasonDoc): LossReasonRecord => ({
  id: doc._id.toString(),
  label: doc.label,
  active: doc.active !== false,
  order: doc.order,
});

/** One collection, `loss_reasons`, read whole by `{order: 1}`: a list of a few dozen an admin keeps by hand. */
export class MongoLossReasons implements LossReasonStore {
  constructor(private readonly models: Models) {}

  async list(): Promise<LossReasonRecord[]> {
    const docs = await this.models.LossReason.find({ order: { $gte: Number.MIN_SAFE_INTEGER } })
      .sort({ order: 1 })
      .lean<LossReasonDoc[]>();
    return docs.map(toRecord);
  }

  async get(id: string): Promise<LossReasonRecord | null> {
    const doc = await this.models.LossReason.findById(oid(id)).lean<LossReasonDoc>();
    return doc ? toRecord(doc) : null;
  }

  async add(label: string): Promise<LossReasonRecord> {
    const last = await this.models.LossReason.findOne({ order: { $gte: Number.MIN_SAFE_INTEGER } })
      .sort({ order: -1 })
      .lean<LossReasonDoc>();
    const doc = await this.models.LossReason.create({ label, active: true, order: (last?.order ?? 0) + 1 });
    return toRecord(doc.toObject() as LossReasonDoc);
  }

  async change(id: string, change: Partial<Pick<LossReasonRecord, 'label' | 'order' | 'active'>>): Promise<LossReasonRecord | null> {
    const doc = await this.models.LossReason.findOneAndUpdate(
      { _id: oid(id) },
      { $set: change },
      { returnDocument: 'after' },
    ).lean<LossReasonDoc>();
    return doc ? toRecord(doc) : null;
  }

  async seedIfEmpty(seeds: readonly { id: string; label: string }[]): Promise<void> {
    const any = await this.models.LossReason.findOne({ order: { $gte: Number.MIN_SAFE_INTEGER } }, { _id: 1 }).lean();
    if (any) return;
    try {
      await this.models.LossReason.insertMany(
        seeds.map((s, i) => ({ _id: oid(s.id), label: s.label, active: true, order: i + 1 })),
        { ordered: false },
      );
    } catch (e) {
      // Another process stored the same list (the same ids) at the same moment.
      if (!isDuplicateKey(e)) throw e;
    }
  }
}
