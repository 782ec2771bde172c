import { createHash, randomBytes, randomInt } from 'node:crypto';

/**
 * Ids derived from natural keys: the ingest path knows a contact's, a conversation's and an inbound message's id
 * before it reads anything, so it writes by primary key without a lookup first, and a redelivered message collides
 * on the primary key. 24 hex digits: an ObjectId's width, so stored ids are all of one type.
 */
export function idFromKey(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 24);
}

export const contactIdFor = (channel: string, externalId: string) => idFromKey(`contact:${channel}:${externalId}`);
/** Each contact has exactly one conversation, reopened when they write again. */
export const conversationIdFor = (contactId: string) => idFromKey(`conversation:${contactId}`);
export const inboundMessageIdFor = (dedupeKey: string) => idFromKey(`message:${dedupeKey}`);

/** This process's part of new ids, and their counter: ids made here in one second sort in the order they were made. */
const processPart = randomBytes(5).toString('hex');
let counter = randomInt(0xffffff);

/** A new id for a record with no natural key, laid out as an ObjectId: seconds, this process, a counter. */
export function newId(): string {
  counter = (counter + 1) % 0x1000000;
  const seconds = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  return seconds + processPart + counter.toString(16).padStart(6, '0');
}
