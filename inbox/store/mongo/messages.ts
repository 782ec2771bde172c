import { Types } from 'mongoose';
import type { Channel } from '../../../shared/channels';
import type { Attachment } from '../../../shared/messages';
import type { EditOutcome, MessageStore, NewInbound, NewNote, NewOutbound, Position } from '../port';
import type { MessageRecord, MessageStatus } from '../records';
import { oid, toMessageRecord } from './mapping';
import { isDuplicateKey, type MessageDoc, type Models } from './models';
import { native, schemaDefaults } from './native';

/** A reply's document as mongoose would insert it (every default of the schema), due as `m` says. */
export function outboundDoc(models: Models, m: NewOutbound): Record<string, unknown> {
  return {
    ...schemaDefaults(models.Message),
    _id: m.id ? oid(m.id) : new Types.ObjectId(),
    conversationId: oid(m.conversationId),
    channel: m.channel,
    direction: 'out' as const,
    sender: { type: m.sender.type, id: m.sender.id ?? null, name: m.sender.name ?? null },
    text: m.text,
    template: m.template,
    attachments: m.attachments ?? [],
    ...(m.choices?.length ? { choices: m.choices } : {}),
    dedupeKey: m.dedupeKey,
    status: 'queued' as const,
    to: m.to,
    lastInboundAt: m.lastInboundAt,
    ...(m.listUnsubscribe ? { listUnsubscribe: m.listUnsubscribe } : {}),
    nextAttemptAt: m.handedOverAt ?? m.firstAttemptBy,
    queuedAt: m.handedOverAt ?? null,
    createdAt: m.createdAt,
    updatedAt: m.createdAt,
  };
}

/** Inserts a reply's document through the driver; false when its key is stored already. */
export async function insertOutbound(models: Models, doc: Record<string, unknown>): Promise<boolean> {
  try {
    // A choice or template field left undefined is not stored at all, as mongoose would leave it.
    await native(models.Message).insertOne(doc, { ignoreUndefined: true });
    return true;
  } catch (e) {
    if (isDuplicateKey(e)) return false;
    throw e;
  }
}

export class MongoMessages implements MessageStore {
  private readonly defaults: Record<string, unknown>;

  constructor(private readonly models: Models) {
    this.defaults = schemaDefaults(models.Message);
  }

  /**
   * Through the driver, not a mongoose document: this runs for every customer message, and building, casting and
   * validating a document cost more than the insert itself. The document is written whole, on the schema's
   * defaults (./native.ts), as mongoose would.
   */
  async recordInbound(m: NewInbound): Promise<{ message: MessageRecord; resumed: boolean } | null> {
    const _id = oid(m.id);
    const doc = {
      ...this.defaults,
      _id,
      conversationId: oid(m.conversationId),
      channel: m.channel,
      direction: 'in' as const,
      sender: { type: m.sender.type, id: m.sender.id ?? null, name: m.sender.name ?? null },
      text: m.text,
      attachments: m.attachments,
      externalId: m.externalId,
      dedupeKey: `${m.channel}:${m.externalId}`,
      status: 'received' as const,
      platformAt: m.platformAt,
      source: m.source,
      ...(m.automated ? { automated: true } : {}),
      ...(m.subject ? { subject: m.subject } : {}),
      ...(m.quoted ? { quoted: m.quoted } : {}),
      ...(m.choice ? { choice: m.choice } : {}),
      pending: true,
      raw: m.raw,
      createdAt: m.receivedAt,
      updatedAt: m.receivedAt,
    };
    try {
      await native(this.models.Message).insertOne(doc);
      return { message: toMessageRecord(doc as unknown as MessageDoc), resumed: false };
    } catch (e) {
      // Redelivery: the primary key (derived from the platform's id) is already taken.
      if (!isDuplicateKey(e)) throw e;
      const stored = await this.models.Message.findById(_id, { raw: 0 }).lean<MessageDoc>();
      return stored?.pending ? { message: toMessageRecord(stored), resumed: true } : null;
    }
  }

  async markApplied(id: string): Promise<void> {
    await native(this.models.Message).updateOne({ _id: oid(id) }, { $unset: { pending: 1 }, $set: { updatedAt: new Date() } });
  }

  /** Through the driver, as recordInbound: every answer the bot gives is one. */
  async recordOutbound(m: NewOutbound): Promise<MessageRecord | null> {
    const doc = outboundDoc(this.models, m);
    return (await insertOutbound(this.models, doc)) ? toMessageRecord(doc as unknown as MessageDoc) : null;
  }

  /**
   * Outbound in the history's order, but never `queued`: the outbox claims queued replies only, so a note cannot be
   * sent. Its status (`received`: stored) is one no receipt moves, as it has no platform id.
   */
  async recordNote(n: NewNote): Promise<MessageRecord> {
    try {
      const created = await this.models.Message.create({
        _id: oid(n.id),
        conversationId: oid(n.conversationId),
        channel: n.channel,
        direction: 'out',
        sender: { type: n.sender.type, id: n.sender.id ?? null, name: n.sender.name ?? null },
        text: n.text,
        dedupeKey: `note:${n.id}`,
        status: 'received',
        note: true,
        createdAt: n.createdAt,
      });
      return toMessageRecord(created.toObject() as MessageDoc);
    } catch (e) {
      // A note whose id derives from what it is about (the bot's hand-off summary) is written once.
      const stored = isDuplicateKey(e) ? await this.models.Message.findById(oid(n.id), { raw: 0 }).lean<MessageDoc>() : null;
      if (stored) return toMessageRecord(stored);
      throw e;
    }
  }

  async applyEdit(id: string, edit: { text: string; attachments: Attachment[]; editedAt: Date }): Promise<EditOutcome> {
    const _id = oid(id);
    const message = await this.models.Message.findOneAndUpdate(
      { _id, $or: [{ editedAt: null }, { editedAt: { $lt: edit.editedAt } }] },
      { $set: { text: edit.text, attachments: edit.attachments, editedAt: edit.editedAt } },
      { returnDocument: 'after' },
    ).lean<MessageDoc>();
    if (message) return { edited: toMessageRecord(message) };
    return (await this.models.Message.exists({ _id })) ? { unchanged: id } : { missing: true };
  }

  /** By the platform's id, which the outbox stores with `sent` in one write (index `{channel: 1, externalId: 1}`). */
  async applyReceipt(
    channel: Channel,
    externalId: string,
    from: readonly MessageStatus[],
    status: MessageStatus,
    error?: string,
  ): Promise<MessageRecord | null> {
    const message = await this.models.Message.findOneAndUpdate(
      { channel, externalId, direction: 'out', status: { $in: from } },
      { $set: { status, ...(error ? { error } : {}) } },
      { returnDocument: 'after' },
    ).lean<MessageDoc>();
    return message ? toMessageRecord(message) : null;
  }

  /** The first few messages, by index `{conversationId: 1, createdAt: 1, _id: 1}`: the source rides on them. */
  async leadSource(conversationId: string): Promise<string | null> {
    const first = await this.models.Message.find({ conversationId: oid(conversationId) }, { source: 1 })
      .sort({ createdAt: 1, _id: 1 })
      .limit(5)
      .lean<{ source?: string | null }[]>();
    return first.find((m) => m.source)?.source ?? null;
  }

  /** Index `{conversationId: 1, createdAt: 1, _id: 1}`; the platform payloads stay in the store. */
  async statusesOf(ids: readonly string[]): Promise<Map<string, MessageStatus>> {
    if (ids.length === 0) return new Map();
    const docs = await this.models.Message.find({ _id: { $in: ids.map(oid) } }, { status: 1 }).lean<{ _id: unknown; status: string }[]>();
    return new Map(docs.map((d) => [String(d._id), d.status as MessageStatus]));
  }

  async get(id: string): Promise<MessageRecord | null> {
    const doc = await this.models.Message.findById(oid(id)).lean<MessageDoc>();
    return doc ? toMessageRecord(doc) : null;
  }

  async history(conversationId: string, after: Position | undefined, limit: number): Promise<MessageRecord[]> {
    const filter: Record<string, unknown> = { conversationId: oid(conversationId) };
    if (after) filter.$or = [{ createdAt: { $gt: after.at } }, { createdAt: after.at, _id: { $gt: oid(after.id) } }];
    const docs = await this.models.Message.find(filter, { raw: 0 }).sort({ createdAt: 1, _id: 1 }).limit(limit).lean<MessageDoc[]>();
    return docs.map(toMessageRecord);
  }
}
