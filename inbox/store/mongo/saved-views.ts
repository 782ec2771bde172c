import type { SavedViewStore } from '../port';
import type { SavedViewFilter, SavedViewKind, SavedViewRecord } from '../records';
import { oid } from './mapping';
import type { Models, SavedViewDoc } from './models';

function toRecord(doc: SavedViewDoc): SavedViewRecord {
  const at = doc as { createdAt?: Date; updatedAt?: Date };
  return {
    id: doc._id.toString(),
    name: doc.name,
    kind: doc.kind as SavedViewKind,
    filter: (doc.filter ?? {}) as SavedViewFilter,
    owner: doc.owner,
    createdAt: at.createdAt ?? new Date(0),
    updatedAt: at.updatedAt ?? at.createdAt ?? new Date(0),
  };
}

/** `saved_views`: a few dozen a team keeps, read by owner in name order (index `{owner: 1, name: 1}`). */
export class MongoSavedViews implements SavedViewStore {
  constructor(private readonly models: Models) {}

  async create(view: Omit<SavedViewRecord, 'id' | 'createdAt' | 'updatedAt'>, at: Date): Promise<SavedViewRecord> {
    const created = await this.models.SavedView.create({ ...view, createdAt: at, updatedAt: at });
    return toRecord(created.toObject() as SavedViewDoc);
  }

  async get(id: string): Promise<SavedViewRecord | null> {
    const doc = await this.models.SavedView.findById(oid(id)).lean<SavedViewDoc>();
    return doc ? toRecord(doc) : null;
  }

  async visibleTo(agentId: string): Promise<SavedViewRecord[]> {
    const docs = await this.models.SavedView.find({ owner: { $in: ['team', agentId] } })
      .sort({ name: 1 })
      .lean<SavedViewDoc[]>();
    return docs.map(toRecord);
  }

  async update(id: string, change: Partial<Pick<SavedViewRecord, 'name' | 'filter'>>, at: Date): Promise<SavedViewRecord | null> {
    const doc = await this.models.SavedView.findOneAndUpdate(
      { _id: oid(id) },
      { $set: { ...change, updatedAt: at } },
      { returnDocument: 'after', timestamps: false },
    ).lean<SavedViewDoc>();
    return doc ? toRecord(doc) : null;
  }

  async remove(id: string): Promise<boolean> {
    const { deletedCount } = await this.models.SavedView.deleteOne({ _id: oid(id) });
    return deletedCount > 0;
  }
}
