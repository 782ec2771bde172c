import type { Channel } from '../../../shared/channels';
import type { InboundContact } from '../../../shared/messages';
import type { ContactStore } from '../port';
import type { ContactRecord } from '../records';
import { oid, toContactRecord } from './mapping';
import { type ContactDoc, isDuplicateKey, type Models } from './models';
import { native } from './native';

export class MongoContacts implements ContactStore {
  constructor(private readonly models: Models) {}

  /** One upsert: found or created with what the platform says of them now. */
  async recordSeen(id: string, channel: Channel, contact: InboundContact): Promise<{ contact: ContactRecord; created: boolean }> {
    const fields: Record<string, string> = { name: contact.name };
    for (const key of ['username', 'email', 'phone', 'language'] as const) {
      const value = contact[key];
      if (value) fields[key] = value;
    }
    const now = new Date();
    // Through the driver (./native.ts): every customer message passes here.
    const res = await native(this.models.Contact).findOneAndUpdate(
      { _id: oid(id) },
      {
        $set: { ...fields, updatedAt: now },
        $setOnInsert: { channel, externalId: contact.externalId, reachable: true, createdAt: now, __v: 0 },
      },
      { upsert: true, returnDocument: 'after', includeResultMetadata: true },
    );
    if (!res.value) throw new Error(`contact ${id} could not be written`);
    return { contact: toContactRecord(res.value as ContactDoc), created: res.lastErrorObject?.updatedExisting === false };
  }

  async get(id: string): Promise<ContactRecord | null> {
    const doc = await this.models.Contact.findById(oid(id)).lean<ContactDoc>();
    return doc ? toContactRecord(doc) : null;
  }

  async getMany(ids: readonly string[]): Promise<ContactRecord[]> {
    if (ids.length === 0) return [];
    const docs = await this.models.Contact.find({ _id: { $in: ids.map(oid) } }).lean<ContactDoc[]>();
    return docs.map(toContactRecord);
  }

  /** Indexes `{email: 1}` and `{phone: 1}`. */
  async idsByIdentity(emails: readonly string[], phones: readonly string[], limit: number): Promise<string[]> {
    const or = [...emails.map((email) => ({ email })), ...phones.map((phone) => ({ phone }))];
    if (or.length === 0) return [];
    const docs = await this.models.Contact.find({ $or: or }, { _id: 1 }).limit(limit).lean();
    return docs.map((d) => d._id.toString());
  }

  async setReachable(id: string, channel: Channel, contact: { externalId: string; name: string }, reachable: boolean): Promise<void> {
    // $setOnInsert for the name: an event without a real name (Viber's `unsubscribed`) never overwrites one.
    try {
      await this.models.Contact.updateOne(
        { _id: oid(id) },
        { $set: { reachable }, $setOnInsert: { channel, externalId: contact.externalId, name: contact.name } },
        { upsert: true },
      );
    } catch (e) {
      // Two first sightings at once: the other upsert inserted it; this one's value still has to land.
      if (!isDuplicateKey(e)) throw e;
      await this.models.Contact.updateOne({ _id: oid(id) }, { $set: { reachable } });
    }
  }

  async fillCard(id: string, card: { name?: string; phone?: string; need?: string }): Promise<void> {
    const set: Record<string, string> = {};
    if (card.name) set.givenName = card.name;
    // Each customer message sets `phone` again to the platform's (WhatsApp's sender number): the one given is kept apart.
    if (card.phone) Object.assign(set, { phone: card.phone, givenPhone: card.phone });
    if (card.need) set.need = card.need;
    if (Object.keys(set).length) await this.models.Contact.updateOne({ _id: oid(id) }, { $set: set });
  }
}
