import type { Channel } from '../../../shared/channels';
import type { ResponseFact, ResponseStore, RollupStore } from '../port';
import type { ResponseRecord, RollupEntry } from '../records';
import { binaryBytes } from './binary';
import { oid, toResponseRecord } from './mapping';
import { isDuplicateKey, type Models, type ResponseDoc } from './models';

/** Whether this platform's Float64Array is little-endian, the stored byte order (every platform Node runs on but s390x). */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/**
 * An entry's durations as stored: the little-endian bytes of a Float64Array, one BSON binary value (subtype 0;
 * BSON's vector subtype 9 has no float64, and float32 is not exact past 2^24 ms, about 4.7 h). The store decodes
 * one value per entry however many durations it holds, where an array costs it one value per duration.
 */
export function storedMs(ms: Float64Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(ms.buffer, ms.byteOffset, ms.byteLength);
  const bytes = Buffer.allocUnsafe(ms.byteLength);
  for (let i = 0; i < ms.length; i++) bytes.writeDoubleLE(ms[i] ?? 0, i * 8);
  return bytes;
}

/** A stored `ms` as read: a BSON binary (the driver's Binary, or a Buffer), or a plain array (see `readMs`). */
export type StoredMs = Uint8Array | { buffer: Uint8Array; position: number } | number[];

/**
 * The durations of a stored entry: a view of the bytes as read (no copy) when they sit on an 8-byte boundary of
 * the driver's buffer, a copy otherwise. Documents rolled up before the binary form (a plain array, ascending) are
 * read as they are; the rollup replaces them only as it rolls their hours again.
 */
export function readMs(stored: StoredMs): Float64Array {
  if (Array.isArray(stored)) return Float64Array.from(stored);
  const bytes = binaryBytes(stored) ?? new Uint8Array(0);
  const n = Math.floor(bytes.byteLength / 8);
  if (!LITTLE_ENDIAN) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Float64Array.from({ length: n }, (_, i) => view.getFloat64(i * 8, true));
  }
  if (bytes.byteOffset % 8 === 0) return new Float64Array(bytes.buffer, bytes.byteOffset, n);
  return new Float64Array(new Uint8Array(bytes.subarray(0, n * 8)).buffer);
}
export class MongoResponses implements ResponseStore {
  constructor(private readonly models: Models) {}

  async record(r: ResponseRecord): Promise<void> {
    try {
      await this.models.Response.create({
        ...r,
        conversationId: oid(r.conversationId),
        agentId: oid(r.agentId),
        messageId: oid(r.messageId),
      });
    } catch (e) {
      // One response per answering message (a unique index): a retried write counts once.
      if (!isDuplicateKey(e)) throw e;
    }
  }

  /** Index `{respondedAt: 1, channel: 1}`; only the fields figures are made of, each costing a decode. */
  async factsBetween(from: Date, to: Date): Promise<ResponseFact[]> {
    const docs = await this.models.Response.find(
      { respondedAt: { $gte: from, $lt: to } },
      { _id: 0, channel: 1, agentId: 1, kind: 1, durationMs: 1, withinTarget: 1, respondedAt: 1 },
    ).lean<ResponseDoc[]>();
    return docs.map((d) => ({
      channel: d.channel as Channel,
      agentId: d.agentId.toString(),
      kind: d.kind === 'first' ? 'first' : 'reply',
      durationMs: d.durationMs,
      withinTarget: d.withinTarget ?? null,
      respondedAt: d.respondedAt,
    }));
  }

  async oldestAt(): Promise<Date | null> {
    const oldest = await this.models.Response.findOne({}, { _id: 0, respondedAt: 1 })
      .sort({ respondedAt: 1 })
      .lean<{ respondedAt: Date }>();
    return oldest?.respondedAt ?? null;
  }

  async conversationIdsBetween(from: Date, to: Date, channel?: Channel): Promise<string[]> {
    const ids = await this.models.Response.distinct('conversationId', {
      respondedAt: { $gte: from, $lt: to },
      ...(channel ? { channel } : {}),
    });
    return ids.map(String);
  }

  /** Index `{conversationId: 1, respondedAt: 1}`. */
  async ofConversations(ids: readonly string[]): Promise<ResponseRecord[]> {
    if (ids.length === 0) return [];
    const docs = await this.models.Response.find({ conversationId: { $in: ids.map(oid) } }).lean<ResponseDoc[]>();
    return docs.map(toResponseRecord);
  }
}

/** The hourly rollup documents of `response_rollups` (`_id` = the hour's start; the primary key is their only index). */
export class MongoRollups implements RollupStore {
  constructor(private readonly models: Models) {}

  async replaceHour(hour: Date, n: number, entries: readonly RollupEntry[]): Promise<void> {
    try {
      await this.models.ResponseRollup.replaceOne(
        { _id: hour, n: { $lte: n } },
        { n, entries: entries.map((e) => ({ ...e, agentId: oid(e.agentId), ms: storedMs(e.ms) })) },
        { upsert: true },
      );
    } catch (e) {
      // The hour is stored with more responses than this reading saw: a newer reading, left as it is.
      if (!isDuplicateKey(e)) throw e;
    }
  }

  async hours(from: Date, to: Date): Promise<RollupEntry[]> {
    const hours = await this.models.ResponseRollup.find({ _id: { $gte: from, $lt: to } }, { _id: 0, entries: 1 }).lean<
      { entries: { channel: string; agentId: { toString(): string }; kind: string; ms: StoredMs; met?: number }[] }[]
    >();
    return hours.flatMap((h) =>
      h.entries.map((e) => ({
        channel: e.channel as Channel,
        agentId: e.agentId.toString(),
        kind: e.kind === 'first' ? 'first' : 'reply',
        ms: readMs(e.ms),
        met: e.met ?? 0,
      })),
    );
  }
}
