import type { Document } from 'mongodb';
import type { BotFlows } from '../../../shared/bot-api';
import type { Channel } from '../../../shared/channels';
import type { Choice } from '../../../shared/messages';
import type { BotStore } from '../port';
import type { BotFlowsRecord, BotSessionRecord, BotUnmatchedRecord } from '../records';
import { oid } from './mapping';
import { type BotSessionDoc, type BotUnmatchedDoc, isDuplicateKey, type Models } from './models';
import { native } from './native';

const FLOWS_ID = 'flows';
/** Customer messages a talk remembers having answered: far more than can be redelivered at once. */
const ANSWERED_KEPT = 20;
/** `{$gte: ANY_TIME}` matches every stored time and no null: an index range. */
const ANY_TIME = new Date(0);

/** A turn saved: where the talk stands now, a version further, and the message it answered remembered. */
const advanceOf = (change: Pick<BotSessionRecord, 'step' | 'unmatched' | 'offer'>, answeredId: string) => ({
  $set: { step: change.step, unmatched: change.unmatched, offer: change.offer } as Record<string, unknown>,
  $inc: { version: 1 },
  $push: { answered: { $each: [oid(answeredId)], $slice: -ANSWERED_KEPT } },
});

type SessionDoc = BotSessionDoc & { _id: { toString(): string } };

const toSession = (doc: SessionDoc): BotSessionRecord => ({
  conversationId: doc._id.toString(),
  channel: doc.channel as Channel,
  step: (doc.step ?? 'new') as BotSessionRecord['step'],
  unmatched: doc.unmatched ?? 0,
  offer: (doc.offer ?? []) as Choice[],
  answered: (doc.answered ?? []).map(String),
  pendingInboundId: doc.pendingInboundId ? doc.pendingInboundId.toString() : null,
  pendingSince: doc.pendingSince ?? null,
  startedAt: doc.startedAt,
  lastInboundAt: doc.lastInboundAt ?? doc.startedAt,
  handedOffAt: doc.handedOffAt ?? null,
  handOffReason: doc.handOffReason ?? null,
  version: doc.version ?? 0,
});

const toUnmatched = (doc: BotUnmatchedDoc & { _id: { toString(): string } }): BotUnmatchedRecord => ({
  messageId: doc._id.toString(),
  conversationId: doc.conversationId.toString(),
  channel: doc.channel as Channel,
  text: doc.text,
  at: doc.at,
});

/** Collections `bot_flows` (one document), `bot_sessions` (one per conversation the bot took) and `bot_unmatched`. */
export class MongoBot implements BotStore {
  constructor(private readonly models: Models) {}

  async flows(): Promise<BotFlowsRecord | null> {
    const doc = await this.models.BotFlows.findById(FLOWS_ID).lean<{ flows: BotFlows; version: number; updatedAt?: Date }>();
    return doc ? { flows: doc.flows, version: doc.version, updatedAt: doc.updatedAt ?? null } : null;
  }

  async saveFlows(flows: BotFlows, expected: number, at: Date): Promise<BotFlowsRecord | null> {
    const version = expected + 1;
    try {
      if (expected === 0) {
        await this.models.BotFlows.create({ _id: FLOWS_ID, flows, version, createdAt: at, updatedAt: at });
        return { flows, version, updatedAt: at };
      }
      const res = await this.models.BotFlows.updateOne(
        { _id: FLOWS_ID, version: expected },
        { $set: { flows, version, updatedAt: at } },
        { timestamps: false },
      );
      return res.modifiedCount === 1 ? { flows, version, updatedAt: at } : null;
    } catch (e) {
      // Another admin saved the first flows at the same moment.
      if (isDuplicateKey(e)) return null;
      throw e;
    }
  }

  async session(conversationId: string): Promise<BotSessionRecord | null> {
    const doc = await this.models.BotSession.findById(oid(conversationId)).lean<SessionDoc>();
    return doc ? toSession(doc) : null;
  }

  async expect(conversationId: string, channel: Channel, messageId: string, at: Date): Promise<BotSessionRecord> {
    const filter = { _id: oid(conversationId) };
    const update = {
      $set: { pendingInboundId: oid(messageId), pendingSince: at },
      $max: { lastInboundAt: at },
      $setOnInsert: {
        channel,
        step: 'new',
        unmatched: 0,
        offer: [],
        answered: [],
        startedAt: at,
        handedOffAt: null,
        handOffReason: null,
        version: 0,
      },
    };
    // The talk comes back with the write: the turn that follows decides on it without reading it again. Through
    // the driver (./native.ts), as is the turn's save: every message the bot answers passes both.
    const sessions = native(this.models.BotSession);
    let doc: SessionDoc | null;
    try {
      doc = (await sessions.findOneAndUpdate(filter, update, { upsert: true, returnDocument: 'after' })) as SessionDoc | null;
    } catch (e) {
      // Two first messages at once: the other upsert inserted it; this one's message still has to be noted.
      if (!isDuplicateKey(e)) throw e;
      doc = (await sessions.findOneAndUpdate(
        filter,
        { $set: update.$set, $max: update.$max },
        { returnDocument: 'after' },
      )) as SessionDoc | null;
    }
    if (!doc) throw new Error(`the bot's talk in conversation ${conversationId} could not be written`);
    return toSession(doc);
  }

  async advance(
    conversationId: string,
    version: number,
    change: Pick<BotSessionRecord, 'step' | 'unmatched' | 'offer'>,
    answeredId: string,
  ): Promise<boolean> {
    const res = await this.models.BotSession.updateOne({ _id: oid(conversationId), version }, advanceOf(change, answeredId));
    return res.modifiedCount === 1;
  }

  async advanceAnswered(
    conversationId: string,
    version: number,
    change: Pick<BotSessionRecord, 'step' | 'unmatched' | 'offer'>,
    messageId: string,
  ): Promise<boolean> {
    const advance = advanceOf(change, messageId);
    // The choices offered are written as they are: one without a description has none stored, not a null.
    const both = await native(this.models.BotSession).updateOne(
      { _id: oid(conversationId), version, pendingInboundId: oid(messageId) },
      { ...advance, $set: { ...advance.$set, pendingSince: null } } as Document,
      { ignoreUndefined: true },
    );
    if (both.modifiedCount === 1) return true;
    // A later message is the one waiting now (it keeps waiting), or another turn saved first: each write guards itself.
    const [advanced] = await Promise.all([
      this.advance(conversationId, version, change, messageId),
      this.answered(conversationId, messageId),
    ]);
    return advanced;
  }

  async answered(conversationId: string, messageId: string): Promise<void> {
    await this.models.BotSession.updateOne(
      { _id: oid(conversationId), pendingInboundId: oid(messageId) },
      { $set: { pendingSince: null } },
    );
  }

  async end(conversationId: string, at: Date, reason: string): Promise<BotSessionRecord | null> {
    const doc = await this.models.BotSession.findOneAndUpdate(
      { _id: oid(conversationId), handedOffAt: null },
      { $set: { handedOffAt: at, handOffReason: reason } },
      { returnDocument: 'after' },
    ).lean<SessionDoc>();
    return doc ? toSession(doc) : null;
  }

  /** Index `{pendingSince: 1}`. */
  async pendingBefore(before: Date, limit: number): Promise<BotSessionRecord[]> {
    const docs = await this.models.BotSession.find({ pendingSince: { $gte: ANY_TIME, $lt: before } })
      .sort({ pendingSince: 1 })
      .limit(limit)
      .lean<SessionDoc[]>();
    return docs.map(toSession);
  }

  /** Index `{startedAt: 1, channel: 1}`. */
  async startedBetween(from: Date, to: Date, channel?: Channel): Promise<BotSessionRecord[]> {
    const docs = await this.models.BotSession.find({ startedAt: { $gte: from, $lt: to }, ...(channel ? { channel } : {}) }).lean<
      SessionDoc[]
    >();
    return docs.map(toSession);
  }

  async recordUnmatched(u: BotUnmatchedRecord): Promise<void> {
    await this.models.BotUnmatched.updateOne(
      { _id: oid(u.messageId) },
      { $setOnInsert: { conversationId: oid(u.conversationId), channel: u.channel, text: u.text, at: u.at } },
      { upsert: true },
    ).catch((e: unknown) => {
      if (!isDuplicateKey(e)) throw e;
    });
  }

  /** Index `{at: 1, channel: 1}`. */
  async unmatchedBetween(from: Date, to: Date, channel?: Channel): Promise<BotUnmatchedRecord[]> {
    const docs = await this.models.BotUnmatched.find({ at: { $gte: from, $lt: to }, ...(channel ? { channel } : {}) }).lean<
      (BotUnmatchedDoc & { _id: { toString(): string } })[]
    >();
    return docs.map(toUnmatched);
  }
}
