import { createHash } from 'node:crypto';
import { type Connection, mongo } from 'mongoose';
import { groupBy } from '../shared/group-by';
import { decodeFacts, decodeParts, encodeFacts, encodeParts, type FiguresPart, type ResponseFact } from './figures-codec';
import { isOnlyDuplicateKeys, type ResponseDoc } from './store/models';

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;
export const floorTo = (t: number, unit: number): number => Math.floor(t / unit) * unit;
export const ceilTo = (t: number, unit: number): number => Math.ceil(t / unit) * unit;
/** The start of the UTC month holding `t`, and of the next one. */
export const monthOf = (t: number): number => {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
};
export const nextMonth = (month: number): number => {
  const d = new Date(month);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
};

const pad = (n: number) => String(n).padStart(2, '0');
const parts = (t: number) => {
  const d = new Date(t);
  return { y: d.getUTCFullYear(), m: pad(d.getUTCMonth() + 1), d: pad(d.getUTCDate()), h: pad(d.getUTCHours()) };
};
/** Where each bucket lives: an hour in its day's collection, a day in its month's, a month in its year's. */
const hourHome = (t: number) => {
  const p = parts(t);
  return { collection: `figures_day_${p.y}${p.m}${p.d}`, id: `h${p.h}` };
};
const dayHome = (t: number) => {
  const p = parts(t);
  return { collection: `figures_month_${p.y}${p.m}`, id: `d${p.d}` };
};
const monthHome = (t: number) => {
  const p = parts(t);
  return { collection: `figures_year_${p.y}`, id: `m${p.m}` };
};

/** A recorded response (or one about to be recorded) as the ledger files it. */
export const factOfResponse = (
  r: Pick<ResponseDoc, 'messageId' | 'channel' | 'agentId' | 'kind' | 'respondedAt' | 'durationMs' | 'withinTarget'>,
): ResponseFact => ({
  messageId: r.messageId.toString(),
  channel: r.channel,
  agentId: r.agentId.toString(),
  kind: r.kind === 'first' ? 'first' : 'reply',
  respondedAt: r.respondedAt.getTime(),
  durationMs: r.durationMs,
  withinTarget: r.withinTarget ?? null,
});

/**
 * Responses in a day's collection: each as filed (`_id` `e:<reply message id>`), or several of one hour packed into
 * one value (`_id` `p:<hour>:<tag of what it holds>`). `h` is the hour (`h00`…`h23`).
 */
interface EntryDoc {
  _id: string;
  h: string;
  b: mongo.Binary;
}
interface SummaryDoc {
  _id: string;
  b: mongo.Binary;
}

const bytesOf = (b: mongo.Binary): Uint8Array => b.buffer;

/**
 * The responses the figures are computed from, partitioned by time so that every read costs what its stretch of
 * time holds, however long the history: each UTC day is a collection of that day's responses (packed by the hour
 * once the hour is over); each month a collection of day summaries; each year a collection of month summaries. A
 * range of figures reads at most a few whole-month and whole-day summaries and the raw hours at its ragged edges.
 *
 * Why: the embedded store (FerretDB 1.24 on SQLite) uses no index, not even on `_id`, and decodes every document
 * of a collection that a filter touches at about 18 µs per BSON value; over a million messages an indexed range
 * query on one big collection became a scan of all of it. The `responses` collection stays the record of truth
 * (and what the CSV export reads); this is an index of it kept by hand, rebuilt from it when missing.
 *
 * Every write is an insert of a document of its own or a delete by `_id`, never an update of a shared one: the
 * embedded store applies an update as read-then-write, so fifty replies filed into one hour document at once kept
 * three, and two first upserts of it collided. A response filed twice, or packed twice, is the same response:
 * reads keep one per reply message.
 */
export class ResponseLedger {
  constructor(private readonly connection: Connection) {}

  private collection<T extends { _id: string }>(name: string) {
    return this.connection.collection<T>(name);
  }

  /** Files responses as they are recorded, each a document of its own in its day. Idempotent. */
  record(facts: readonly ResponseFact[]): Promise<void> {
    return this.insertByDay(
      facts.map((f) => {
        const home = hourHome(f.respondedAt);
        return { collection: home.collection, doc: { _id: `e:${f.messageId}`, h: home.id, b: new mongo.Binary(encodeFacts([f])) } };
      }),
    );
  }

  /** Files responses already packed by the hour (building the ledger from `responses`). Idempotent. */
  recordPacked(facts: readonly ResponseFact[]): Promise<void> {
    const byHour = groupBy(facts, (f) => floorTo(f.respondedAt, HOUR));
    return this.insertByDay(
      [...byHour].map(([hour, list]) => {
        const home = hourHome(hour);
        return { collection: home.collection, doc: packedEntry(home.id, list) };
      }),
    );
  }

  private async insertByDay(entries: readonly { collection: string; doc: EntryDoc }[]): Promise<void> {
    for (const [name, list] of groupBy(entries, (e) => e.collection)) {
      try {
        await this.collection<EntryDoc>(name).insertMany(
          list.map((e) => e.doc),
          { ordered: false },
        );
      } catch (e) {
        // Already filed: the same response (or the same pack of them) is the same entry.
        if (!isOnlyDuplicateKeys(e)) throw e;
      }
    }
  }

  /** The responses recorded in [from, to), read from the hours it spans. */
  async facts(from: number, to: number): Promise<ResponseFact[]> {
    const reads: Promise<ResponseFact[]>[] = [];
    for (let day = floorTo(from, DAY); day < to; day += DAY) {
      reads.push(this.factsOfDay(day, Math.max(from, day), Math.min(to, day + DAY)));
    }
    return (await Promise.all(reads)).flat();
  }

  private async factsOfDay(day: number, from: number, to: number): Promise<ResponseFact[]> {
    const docs = await this.collection<EntryDoc>(hourHome(day).collection).find({}).toArray();
    const wanted = new Set<string>();
    for (let h = floorTo(from, HOUR); h < to; h += HOUR) wanted.add(hourHome(h).id);
    return onePerMessage(docs.filter((doc) => wanted.has(doc.h))).filter((f) => f.respondedAt >= from && f.respondedAt < to);
  }

  /**
   * Packs the responses filed one by one in the hours of [from, to) (within one UTC day) into one value per hour,
   * so reading an hour costs a decode of a value or two, not of hundreds of documents. The pack is inserted before
   * the entries it holds are deleted, so a crash in between leaves a response twice (read once), never lost; an
   * entry filed meanwhile is not in the pack and stays. Returns how many of those hours hold responses.
   */
  async pack(from: number, to: number): Promise<number> {
    const name = hourHome(from).collection;
    const hours = new Set<string>();
    for (let h = floorTo(from, HOUR); h < to; h += HOUR) hours.add(hourHome(h).id);
    const docs = (await this.collection<EntryDoc>(name).find({}).toArray()).filter((doc) => hours.has(doc.h));
    const loose = groupBy(
      docs.filter((doc) => doc._id.startsWith('e:')),
      (doc) => doc.h,
    );
    for (const [hour, entries] of loose) {
      await this.insertByDay([{ collection: name, doc: packedEntry(hour, onePerMessage(entries)) }]);
      await this.collection<EntryDoc>(name).deleteMany({ _id: { $in: entries.map((e) => e._id) } });
    }
    return new Set(docs.map((d) => d.h)).size;
  }

  writeDay(day: number, figures: readonly FiguresPart[]): Promise<void> {
    return this.writeSummary(dayHome(day), figures);
  }

  writeMonth(month: number, figures: readonly FiguresPart[]): Promise<void> {
    return this.writeSummary(monthHome(month), figures);
  }

  private async writeSummary(home: { collection: string; id: string }, figures: readonly FiguresPart[]): Promise<void> {
    const summaries = this.collection<SummaryDoc>(home.collection);
    if (figures.length === 0) await summaries.deleteOne({ _id: home.id });
    else await summaries.replaceOne({ _id: home.id }, { b: new mongo.Binary(encodeParts(figures)) }, { upsert: true });
  }

  /** The day summaries of the whole days in [from, to) (both UTC midnights). */
  days(from: number, to: number): Promise<FiguresPart[]> {
    return this.summaries(from, to, (day) => day + DAY, dayHome);
  }

  /** The month summaries of the whole months in [from, to) (both starts of UTC months). */
  months(from: number, to: number): Promise<FiguresPart[]> {
    return this.summaries(from, to, nextMonth, monthHome);
  }

  /** The summaries of the buckets from `from` to `to`: each collection they live in is read once. */
  private async summaries(
    from: number,
    to: number,
    next: (bucket: number) => number,
    home: (bucket: number) => { collection: string; id: string },
  ): Promise<FiguresPart[]> {
    const ids = new Map<string, Set<string>>();
    for (let bucket = from; bucket < to; bucket = next(bucket)) {
      const { collection, id } = home(bucket);
      ids.set(collection, (ids.get(collection) ?? new Set()).add(id));
    }
    const read = await Promise.all(
      [...ids].map(async ([name, wanted]) => {
        const docs = await this.collection<SummaryDoc>(name).find({}).toArray();
        return docs.filter((doc) => wanted.has(doc._id)).flatMap((doc) => decodeParts(bytesOf(doc.b)));
      }),
    );
    return read.flat();
  }
}

/** Several responses of one hour as one entry, tagged by what it holds (the same pack gets the same `_id`). */
function packedEntry(hour: string, facts: readonly ResponseFact[]): EntryDoc {
  const sorted = [...facts].sort((a, b) => a.respondedAt - b.respondedAt || a.messageId.localeCompare(b.messageId));
  const tag = createHash('sha256')
    .update(sorted.map((f) => f.messageId).join(','))
    .digest('hex')
    .slice(0, 16);
  return { _id: `p:${hour}:${tag}`, h: hour, b: new mongo.Binary(encodeFacts(sorted)) };
}

/** The responses of some entries, one per reply message however often it was filed or packed. */
function onePerMessage(docs: readonly EntryDoc[]): ResponseFact[] {
  const byMessage = new Map<string, ResponseFact>();
  for (const doc of docs) for (const f of decodeFacts(bytesOf(doc.b))) byMessage.set(f.messageId, f);
  return [...byMessage.values()];
}
