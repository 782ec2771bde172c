import type { NewOutbound, OutboxStore } from '../port';
import type { MessageRecord, OutboxEntry } from '../records';
import { messageOfEntry, oid, toMessageRecord, toOutboxEntry } from './mapping';
import { insertOutbound, outboundDoc } from './messages';
import type { MessageDoc, Models } from './models';
import { native } from './native';

/** An attempt's hold on a due reply: its due time a lease ahead, so no other attempt takes it meanwhile. */
const claimOf = (now: Date, leaseUntil: Date) => ({ $set: { nextAttemptAt: leaseUntil, sendingSince: now }, $inc: { attempts: 1 } });

/** The outbox is the messages collection itself: a queued reply is its own entry, found by `{status, nextAttemptAt}`. */
export class MongoOutbox implements OutboxStore {
  constructor(private readonly models: Models) {}

  async handOver(id: string, now: Date): Promise<void> {
    await this.models.Message.updateOne(
      { _id: oid(id), status: 'queued', queuedAt: null },
      { $set: { queuedAt: now, nextAttemptAt: now } },
    );
  }

  async claimNext(now: Date, leaseUntil: Date): Promise<OutboxEntry | null> {
    const before = await this.models.Message.findOneAndUpdate(
      { status: 'queued', nextAttemptAt: { $lte: now } },
      claimOf(now, leaseUntil),
      { sort: { nextAttemptAt: 1 }, returnDocument: 'before' },
    ).lean<MessageDoc>();
    return before ? toOutboxEntry(before) : null;
  }

  /**
   * The same claim as `claimNext`'s, by the primary key: whichever of the two comes first takes the reply. Through
   * the driver (./native.ts), as is `markSent`: every reply passes both.
   */
  async claim(id: string, now: Date, leaseUntil: Date): Promise<OutboxEntry | null> {
    const claimed = claimOf(now, leaseUntil);
    const before = await native(this.models.Message).findOneAndUpdate(
      { _id: oid(id), status: 'queued', nextAttemptAt: { $lte: now } },
      { ...claimed, $set: { ...claimed.$set, updatedAt: now } },
      { returnDocument: 'before' },
    );
    return before ? toOutboxEntry(before as unknown as MessageDoc) : null;
  }

  async insertClaimed(m: NewOutbound & { handedOverAt: Date }, leaseUntil: Date): Promise<OutboxEntry | null> {
    const before = outboundDoc(this.models, m);
    const claimed = claimOf(m.handedOverAt, leaseUntil);
    const doc = { ...before, ...claimed.$set, attempts: Number(before.attempts ?? 0) + claimed.$inc.attempts };
    return (await insertOutbound(this.models, doc)) ? toOutboxEntry(before as unknown as MessageDoc) : null;
  }

  async renewLease(id: string, attempt: number, until: Date): Promise<void> {
    await this.models.Message.updateOne({ _id: oid(id), status: 'queued', attempts: attempt }, { $set: { nextAttemptAt: until } });
  }

  /** An update, not a findAndModify: what it leaves is known from the claim, so nothing is read back. */
  async markSent(claimed: OutboxEntry, externalId: string | null): Promise<MessageRecord | null> {
    const res = await native(this.models.Message).updateOne(
      { _id: oid(claimed.id), status: 'queued' },
      { $set: { status: 'sent', externalId, error: null, nextAttemptAt: null, sendingSince: null, updatedAt: new Date() } },
    );
    return res.matchedCount === 1 ? { ...messageOfEntry(claimed), status: 'sent', externalId, error: null } : null;
  }

  async retryLater(id: string, attempt: number, next: { retryAt: Date; uncertainAttempts: number; error: string }): Promise<void> {
    await this.models.Message.updateOne(
      { _id: oid(id), status: 'queued', attempts: attempt },
      { $set: { nextAttemptAt: next.retryAt, sendingSince: null, uncertainAttempts: next.uncertainAttempts, error: next.error } },
    );
  }

  async markFailed(id: string, reason: string): Promise<MessageRecord | null> {
    const failed = await this.models.Message.findOneAndUpdate(
      { _id: oid(id), status: 'queued' },
      { $set: { status: 'failed', error: reason, nextAttemptAt: null, sendingSince: null } },
      { returnDocument: 'after' },
    ).lean<MessageDoc>();
    return failed ? toMessageRecord(failed) : null;
  }

  async requeueFailed(id: string, conversationId: string, now: Date): Promise<MessageRecord | null> {
    const queued = await this.models.Message.findOneAndUpdate(
      { _id: oid(id), conversationId: oid(conversationId), direction: 'out', status: 'failed' },
      {
        $set: { status: 'queued', error: null, attempts: 0, uncertainAttempts: 0, queuedAt: now, nextAttemptAt: now, sendingSince: null },
        $inc: { retries: 1 },
      },
      { returnDocument: 'after' },
    ).lean<MessageDoc>();
    return queued ? toMessageRecord(queued) : null;
  }

  async adoptQueued(now: Date): Promise<number> {
    const res = await this.models.Message.updateMany(
      { status: 'queued', direction: 'out', nextAttemptAt: null },
      { $set: { nextAttemptAt: now, queuedAt: now } },
    );
    return res.modifiedCount;
  }

  countQueued(): Promise<number> {
    return this.models.Message.countDocuments({ status: 'queued' });
  }
}
