import type { SavedReplyContent, SavedReplyStore } from '../port';
import type { SavedReplyRecord, SavedReplyScope } from '../records';
import { oid, oidOrNull } from './mapping';
import { isDuplicateKey, type Models, type SavedReplyDoc } from './models';

const TEAM = 'team';
const ownerKey = (scope: SavedReplyScope, ownerId: string | null): string => (scope === 'team' || !ownerId ? TEAM : ownerId);
/** A search text as a regular expression that matches it literally. */
const literally = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');

function toSavedReplyRecord(doc: SavedReplyDoc): SavedReplyRecord {
  const at = doc as { createdAt?: Date; updatedAt?: Date };
  return {
    id: doc._id.toString(),
    scope: doc.scope as SavedReplyScope,
    ownerId: doc.ownerId ? doc.ownerId.toString() : null,
    shortcut: doc.shortcut,
    title: doc.title,
    text: doc.text,
    createdAt: at.createdAt ?? new Date(0),
    updatedAt: at.updatedAt ?? at.createdAt ?? new Date(0),
  };
}

export class MongoSavedReplies implements SavedReplyStore {
  constructor(private readonly models: Models) {}

  async create(reply: Omit<SavedReplyRecord, 'id' | 'createdAt' | 'updatedAt'>, at: Date): Promise<SavedReplyRecord | null> {
    try {
      const created = await this.models.SavedReply.create({
        scope: reply.scope,
        ownerId: reply.scope === 'team' ? null : oidOrNull(reply.ownerId),
        owner: ownerKey(reply.scope, reply.ownerId),
        shortcut: reply.shortcut,
        title: reply.title,
        text: reply.text,
        createdAt: at,
        updatedAt: at,
      });
      return toSavedReplyRecord(created.toObject() as SavedReplyDoc);
    } catch (e) {
      // The unique {owner, shortcut} index.
      if (isDuplicateKey(e)) return null;
      throw e;
    }
  }

  async get(id: string): Promise<SavedReplyRecord | null> {
    const doc = await this.models.SavedReply.findById(oid(id)).lean<SavedReplyDoc>();
    return doc ? toSavedReplyRecord(doc) : null;
  }

  /** Index `{owner: 1, shortcut: 1}`: two owners, each read in shortcut order. */
  async visibleTo(agentId: string, search?: string): Promise<SavedReplyRecord[]> {
    const filter: Record<string, unknown> = { owner: { $in: [TEAM, agentId] } };
    if (search) {
      const pattern = literally(search);
      filter.$or = [{ shortcut: pattern }, { title: pattern }, { text: pattern }];
    }
    const docs = await this.models.SavedReply.find(filter).sort({ shortcut: 1 }).lean<SavedReplyDoc[]>();
    return docs.map(toSavedReplyRecord);
  }

  async update(id: string, change: Partial<SavedReplyContent>, at: Date): Promise<SavedReplyRecord | 'missing' | 'taken'> {
    try {
      const doc = await this.models.SavedReply.findOneAndUpdate(
        { _id: oid(id) },
        { $set: { ...change, updatedAt: at } },
        { returnDocument: 'after', timestamps: false },
      ).lean<SavedReplyDoc>();
      return doc ? toSavedReplyRecord(doc) : 'missing';
    } catch (e) {
      if (isDuplicateKey(e)) return 'taken';
      throw e;
    }
  }

  async remove(id: string): Promise<boolean> {
    const { deletedCount } = await this.models.SavedReply.deleteOne({ _id: oid(id) });
    return deletedCount > 0;
  }
}
