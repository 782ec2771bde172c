import { createHash } from 'node:crypto';
import { Types } from 'mongoose';

/**
 * Ids derived from natural keys. The ingest path then finds a contact, a conversation or a message by `_id` alone,
 * and a redelivered message collides on the primary key. Why: the embedded store (FerretDB 1.24 on SQLite) passes
 * only `_id` filters to SQL — still a scan of the table there (its `_id` index is never used), but a plain SQL scan
 * about 25 times cheaper than the document-by-document filtering it does for any other field; on MongoDB these are
 * as cheap as any indexed lookup.
 */
export function idFromKey(key: string): Types.ObjectId {
  return new Types.ObjectId(createHash('sha256').update(key).digest().subarray(0, 12));
}

export const contactIdFor = (channel: string, externalId: string) => idFromKey(`contact:${channel}:${externalId}`);
/** Each contact has exactly one conversation, reopened when they write again. */
export const conversationIdFor = (contactId: Types.ObjectId) => idFromKey(`conversation:${contactId.toString()}`);
export const inboundMessageIdFor = (dedupeKey: string) => idFromKey(`message:${dedupeKey}`);
/** Points from a platform's id of a message we sent to our message (receipts arrive with the platform's id). */
export const messageRefIdFor = (channel: string, externalId: string) => idFromKey(`ref:${channel}:${externalId}`);
