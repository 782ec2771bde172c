import type { Collection } from 'mongodb';
import type { Channel } from '../../../shared/channels';
import type { ActivityStore, Position } from '../port';
import type { ContactActivityRecord, ContactSpanRecord } from '../records';
import { oid } from './mapping';
import { type ContactActivityDoc, type ContactSpanDoc, isDuplicateKey, type Models } from './models';

const toSpan = (doc: ContactSpanDoc): ContactSpanRecord => ({
  contactId: doc._id.toString(),
  channel: doc.channel as Channel,
  firstAt: doc.firstAt,
  lastAt: doc.lastAt,
});

const toDay = (doc: ContactActivityDoc): ContactActivityRecord => ({
  contactId: doc.contactId.toString(),
  channel: doc.channel as Channel,
  day: doc.day,
  firstAt: doc.firstAt,
  lastAt: doc.lastAt,
});

/**
 * `contact_activity` (a customer's day) and `contact_spans` (their first and latest interaction). Both are written by
 * upserts that keep the earliest and the latest time (`$min`, `$max`), so the order messages are recorded in, and
 * recording one twice, change nothing.
 */
export class MongoActivity implements ActivityStore {
  constructor(private readonly models: Models) {}

  async record({ contactId, channel, day, at }: { contactId: string; channel: Channel; day: string; at: Date }): Promise<void> {
    const id = oid(contactId);
    const db = this.models.ContactActivity.db.db;
    if (!db) throw new Error('the store is not connected: contact activity cannot be recorded');
    // Through the driver: every customer message passes here.
    await Promise.all([
      this.upsert(db.collection('contact_activity'), { contactId: id, day }, { channel }, at),
      this.upsert(db.collection('contact_spans'), { _id: id }, { channel }, at),
    ]);
  }

  /** Two first upserts of one key at once: one inserts, the other meets the unique key and updates it after. */
  private async upsert(collection: Collection, key: Record<string, unknown>, onInsert: Record<string, unknown>, at: Date): Promise<void> {
    const update = { $min: { firstAt: at }, $max: { lastAt: at }, $setOnInsert: onInsert };
    try {
      await collection.updateOne(key, update, { upsert: true });
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      await collection.updateOne(key, { $min: { firstAt: at }, $max: { lastAt: at } });
    }
  }

  /**
   * Index `{day: 1}` (or `{channel: 1, day: 1}`). A day's first and latest time decide exactly whether it holds an
   * interaction in [from, to) when the window spans a day or more: a day inside it does; the day of `from` does when
   * its latest is at or after `from`; the day of `to` when its first is before `to`.
   */
  async countActive(range: { from: Date; to: Date; fromDay: string; toDay: string }, channel?: Channel): Promise<number> {
    const ids = await this.models.ContactActivity.distinct('contactId', {
      ...(channel ? { channel } : {}),
      day: { $gte: range.fromDay, $lte: range.toDay },
      lastAt: { $gte: range.from },
      firstAt: { $lt: range.to },
    });
    return ids.length;
  }

  /** Index `{firstAt: 1}` (or `{channel: 1, firstAt: 1}`). */
  async countFirstBetween(from: Date, to: Date, channel?: Channel): Promise<number> {
    return this.models.ContactSpan.countDocuments({ ...(channel ? { channel } : {}), firstAt: { $gte: from, $lt: to } });
  }

  /** Index `{lastAt: -1, _id: -1}` (or with the channel first): keyset pages in that order. */
  async silentSince(before: Date, limit: number, channel?: Channel, after?: Position): Promise<ContactSpanRecord[]> {
    const page = after
      ? { $or: [{ lastAt: { $lt: after.at } }, { lastAt: after.at, _id: { $lt: oid(after.id) } }], lastAt: { $lt: before } }
      : { lastAt: { $lt: before } };
    const docs = await this.models.ContactSpan.find({ ...(channel ? { channel } : {}), ...page })
      .sort({ lastAt: -1, _id: -1 })
      .limit(limit)
      .lean<ContactSpanDoc[]>();
    return docs.map(toSpan);
  }

  /** The primary key, in order: a sweep of the conversations a page at a time. */
  async conversationHistory(
    afterId: string | null,
    limit: number,
  ): Promise<{ id: string; contactId: string; channel: Channel; firstAt: Date | null; lastAt: Date | null }[]> {
    const docs = await this.models.Conversation.find(afterId ? { _id: { $gt: oid(afterId) } } : {}, {
      contactId: 1,
      channel: 1,
      firstInboundAt: 1,
      lastInboundAt: 1,
    })
      .sort({ _id: 1 })
      .limit(limit)
      .lean<
        {
          _id: { toString(): string };
          contactId: { toString(): string };
          channel: string;
          firstInboundAt?: Date | null;
          lastInboundAt?: Date | null;
        }[]
      >();
    return docs.map((d) => ({
      id: d._id.toString(),
      contactId: d.contactId.toString(),
      channel: d.channel as Channel,
      firstAt: d.firstInboundAt ?? null,
      lastAt: d.lastInboundAt ?? null,
    }));
  }

  async spansOf(contactIds: readonly string[]): Promise<Map<string, ContactSpanRecord>> {
    if (contactIds.length === 0) return new Map();
    const docs = await this.models.ContactSpan.find({ _id: { $in: contactIds.map(oid) } }).lean<ContactSpanDoc[]>();
    return new Map(docs.map((d) => [d._id.toString(), toSpan(d)]));
  }

  /** Index `{contactId: 1, day: 1}`, read backwards. */
  async daysOf(contactId: string, limit: number): Promise<ContactActivityRecord[]> {
    const docs = await this.models.ContactActivity.find({ contactId: oid(contactId) })
      .sort({ day: -1 })
      .limit(limit)
      .lean<ContactActivityDoc[]>();
    return docs.map(toDay);
  }
}
