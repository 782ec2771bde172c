import { createHash } from 'node:crypto';
import { Types } from 'mongoose';

/**
 * Ids derived from natural keys: the ingest path knows a contact's, a conversation's and an inbound message's `_id`
 * before it reads anything, so it writes by primary key without a lookup first, and a redelivered message collides
 * on the primary key.
 */
export function idFromKey(key: string): Types.ObjectId {
  return new Types.ObjectId(createHash('sha256').update(key).digest().subarray(0, 12));
}

export const contactIdFor = (channel: string, externalId: string) => idFromKey(`contact:${channel}:${externalId}`);
/** Each contact has exactly one conversation, reopened when they write again. */
export const conversationIdFor = (contactId: Types.ObjectId) => idFromKey(`conversation:${contactId.toString()}`);
export const inboundMessageIdFor = (dedupeKey: string) => idFromKey(`message:${dedupeKey}`);
