import type { Position, QuietCustomerStore, RenewalStore } from '../port';
import { oid } from './mapping';
import type { ConversationDoc, Models } from './models';

export class MongoRenewals implements RenewalStore {
  constructor(private readonly models: Models) {}

  async get(contactId: string): Promise<Date | null> {
    const doc = await this.models.Renewal.findById(oid(contactId)).lean<{ renewalAt?: Date }>();
    return doc?.renewalAt ?? null;
  }

  async set(contactId: string, renewalAt: Date | null): Promise<void> {
    if (renewalAt === null) await this.models.Renewal.deleteOne({ _id: oid(contactId) });
    else await this.models.Renewal.updateOne({ _id: oid(contactId) }, { $set: { renewalAt } }, { upsert: true });
  }

  /** By `{renewalAt: 1, _id: 1}`, a keyset page. */
  async between(after: Position, upTo: Date, limit: number): Promise<{ contactId: string; renewalAt: Date }[]> {
    const docs = await this.models.Renewal.find({
      renewalAt: { $lte: upTo },
      $or: [{ renewalAt: { $gt: after.at } }, { renewalAt: after.at, _id: { $gt: oid(after.id) } }],
    })
      .sort({ renewalAt: 1, _id: 1 })
      .limit(limit)
      .lean<{ _id: { toString(): string }; renewalAt: Date }[]>();
    return docs.map((d) => ({ contactId: d._id.toString(), renewalAt: d.renewalAt }));
  }
}

export class MongoQuietCustomers implements QuietCustomerStore {
  constructor(private readonly models: Models) {}

  /** By `{lastInboundAt: 1, _id: 1}`, a keyset page, only the three fields read. */
  async quietSince(
    after: Position,
    upTo: Date,
    limit: number,
  ): Promise<{ conversationId: string; contactId: string; lastInboundAt: Date }[]> {
    const docs = await this.models.Conversation.find(
      {
        lastInboundAt: { $lte: upTo },
        $or: [{ lastInboundAt: { $gt: after.at } }, { lastInboundAt: after.at, _id: { $gt: oid(after.id) } }],
      },
      { contactId: 1, lastInboundAt: 1 },
    )
      .sort({ lastInboundAt: 1, _id: 1 })
      .limit(limit)
      .lean<Pick<ConversationDoc, '_id' | 'contactId' | 'lastInboundAt'>[]>();
    return docs.flatMap((d) =>
      d.lastInboundAt ? [{ conversationId: d._id.toString(), contactId: d.contactId.toString(), lastInboundAt: d.lastInboundAt }] : [],
    );
  }
}
