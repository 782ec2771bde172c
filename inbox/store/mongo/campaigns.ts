import type { Channel } from '../../../shared/channels';
import type { Template } from '../../../shared/messages';
import { idFromKey } from '../ids';
import type { CampaignStore } from '../port';
import type { CampaignRecipientRecord, CampaignRecord, CampaignSkipReason } from '../records';
import { oid, oidOrNull } from './mapping';
import { type CampaignDoc, type CampaignRecipientDoc, isDuplicateKey, type Models } from './models';
import { native } from './native';

const str = (v: { toString(): string } | null | undefined) => (v ? v.toString() : null);

const toCampaign = (doc: CampaignDoc): CampaignRecord => ({
  id: doc._id.toString(),
  name: doc.name,
  viewId: str(doc.viewId),
  silentBefore: doc.silentBefore,
  channel: (doc.channel ?? null) as Channel | null,
  template: (doc.template ?? null) as Template | null,
  text: doc.text ?? null,
  createdBy: doc.createdBy.toString(),
  status: doc.status as CampaignRecord['status'],
  createdAt: doc.createdAt,
});

const toRecipient = (doc: CampaignRecipientDoc): CampaignRecipientRecord => ({
  id: doc._id.toString(),
  campaignId: doc.campaignId.toString(),
  contactId: doc.contactId.toString(),
  conversationId: doc.conversationId.toString(),
  channel: doc.channel as Channel,
  status: doc.status as CampaignRecipientRecord['status'],
  reason: (doc.reason ?? null) as CampaignSkipReason | null,
  dueAt: doc.dueAt ?? null,
  messageId: str(doc.messageId),
  sentAt: doc.sentAt ?? null,
});

/** The recipient's id: derived from what it is about, so preparing a campaign twice stores each customer once. */
export const recipientIdFor = (campaignId: string, contactId: string) => idFromKey(`campaign-recipient:${campaignId}:${contactId}`);

/**
 * `campaigns`, `campaign_recipients` and `campaign_opt_outs`. A recipient moves by writes guarded on its due time:
 * the pass that holds it (its due time moved to the hold's end) is the only one whose outcome lands.
 */
export class MongoCampaigns implements CampaignStore {
  constructor(private readonly models: Models) {}

  async create(c: Omit<CampaignRecord, 'id'>): Promise<CampaignRecord> {
    const created = await this.models.Campaign.create({
      ...c,
      viewId: oidOrNull(c.viewId),
      createdBy: oid(c.createdBy),
    });
    return toCampaign(created.toObject() as CampaignDoc);
  }

  async get(id: string): Promise<CampaignRecord | null> {
    const doc = await this.models.Campaign.findById(oid(id)).lean<CampaignDoc>();
    return doc ? toCampaign(doc) : null;
  }

  /** Index `{createdAt: -1}`. */
  async list(limit: number): Promise<CampaignRecord[]> {
    const docs = await this.models.Campaign.find({ createdAt: { $gte: new Date(0) } })
      .sort({ createdAt: -1 })
      .limit(limit)
      .lean<CampaignDoc[]>();
    return docs.map(toCampaign);
  }

  /** Index `{status: 1, createdAt: 1}`. */
  async preparingSince(before: Date, limit: number): Promise<CampaignRecord[]> {
    const docs = await this.models.Campaign.find({ status: 'preparing', createdAt: { $lt: before } })
      .sort({ createdAt: 1 })
      .limit(limit)
      .lean<CampaignDoc[]>();
    return docs.map(toCampaign);
  }

  async markSending(id: string): Promise<void> {
    await this.models.Campaign.updateOne({ _id: oid(id), status: 'preparing' }, { $set: { status: 'sending' } });
  }

  async addRecipients(recipients: readonly Omit<CampaignRecipientRecord, 'id'>[]): Promise<void> {
    if (recipients.length === 0) return;
    try {
      await this.models.CampaignRecipient.insertMany(
        recipients.map((r) => ({
          _id: oid(recipientIdFor(r.campaignId, r.contactId)),
          campaignId: oid(r.campaignId),
          contactId: oid(r.contactId),
          conversationId: oid(r.conversationId),
          channel: r.channel,
          status: r.status,
          reason: r.reason,
          dueAt: r.dueAt,
          messageId: oidOrNull(r.messageId),
          sentAt: r.sentAt,
        })),
        { ordered: false },
      );
    } catch (e) {
      // A preparation finishing what a dead one began: those stored then stay as they are.
      if (!isDuplicateKey(e)) throw e;
    }
  }

  /** Index `{channel: 1, dueAt: -1}`. */
  async latestDue(channel: Channel): Promise<Date | null> {
    const doc = await this.models.CampaignRecipient.findOne({ channel, dueAt: { $ne: null } })
      .sort({ dueAt: -1 })
      .lean<CampaignRecipientDoc>();
    return doc?.dueAt ?? null;
  }

  /** Index `{dueAt: 1, _id: 1}`. */
  async due(now: Date, limit: number): Promise<CampaignRecipientRecord[]> {
    const docs = await this.models.CampaignRecipient.find({ dueAt: { $lte: now } })
      .sort({ dueAt: 1, _id: 1 })
      .limit(limit)
      .lean<CampaignRecipientDoc[]>();
    return docs.map(toRecipient);
  }

  async hold(r: CampaignRecipientRecord, until: Date): Promise<boolean> {
    if (!r.dueAt) return false;
    const res = await this.models.CampaignRecipient.updateOne({ _id: oid(r.id), dueAt: r.dueAt }, { $set: { dueAt: until } });
    return res.modifiedCount === 1;
  }

  async settle(
    id: string,
    heldUntil: Date,
    outcome: Pick<CampaignRecipientRecord, 'status' | 'reason' | 'messageId' | 'sentAt'>,
  ): Promise<boolean> {
    const res = await this.models.CampaignRecipient.updateOne(
      { _id: oid(id), dueAt: heldUntil },
      { $set: { ...outcome, messageId: oidOrNull(outcome.messageId), dueAt: null } },
    );
    return res.modifiedCount === 1;
  }

  /** Index `{campaignId: 1, contactId: 1}`. */
  async recipientsOf(campaignId: string): Promise<CampaignRecipientRecord[]> {
    const docs = await this.models.CampaignRecipient.find({ campaignId: oid(campaignId) }).lean<CampaignRecipientDoc[]>();
    return docs.map(toRecipient);
  }

  /** Index `{contactId: 1, status: 1}`. */
  async campaignIdsSentTo(contactId: string): Promise<string[]> {
    // Through the driver (./native.ts): every customer message asks.
    const docs = await native(this.models.CampaignRecipient)
      .find({ contactId: oid(contactId), status: 'sent' }, { projection: { _id: 0, campaignId: 1 } })
      .toArray();
    return [...new Set(docs.map((d) => String(d.campaignId)))];
  }

  async optOut(contactId: string, at: Date): Promise<void> {
    await this.models.CampaignOptOut.updateOne({ _id: oid(contactId) }, { $setOnInsert: { at } }, { upsert: true }).catch((e: unknown) => {
      if (!isDuplicateKey(e)) throw e;
    });
  }

  async optedOut(contactIds: readonly string[]): Promise<Set<string>> {
    if (contactIds.length === 0) return new Set();
    const docs = await this.models.CampaignOptOut.find({ _id: { $in: contactIds.map(oid) } }, { _id: 1 }).lean();
    return new Set(docs.map((d) => String(d._id)));
  }
}
