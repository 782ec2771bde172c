import { type Connection, mongo } from 'mongoose';
import { decodeFacts, decodeParts, encodeFacts, encodeParts, type FiguresPart, type ResponseFact } from './figures-codec';
import type { ResponseDoc } from './store/models';

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

/** An hour's responses: `e` as recorded (one entry per reply message), `p` the same packed once the hour is over. */
interface HourDoc {
  _id: string;
  e?: Record<string, mongo.Binary>;
  p?: mongo.Binary;
}
interface SummaryDoc {
  _id: string;
  b: mongo.Binary;
}

const bytesOf = (b: mongo.Binary): Uint8Array => b.buffer;

/**
 * The responses the figures are computed from, partitioned by time so that every read costs what its stretch of
 * time holds, however long the history: each UTC day is a collection of (at most 24) hour documents holding that
 * hour's responses; each month a collection of day summaries; each year a collection of month summaries. A range
 * of figures reads at most a few whole-month and whole-day summaries and the raw hours at its ragged edges.
 *
 * Why: the embedded store (FerretDB 1.24 on SQLite) uses no index, not even on `_id`, and decodes every document
 * of a collection that a filter touches at about 18 µs per BSON value; over a million messages an indexed range
 * query on one big collection became a scan of all of it. The `responses` collection stays the record of truth
 * (and what the CSV export reads); this is an index of it kept by hand, rebuilt from it when missing.
 */
export class ResponseLedger {
  constructor(private readonly connection: Connection) {}

  private collection<T extends { _id: string }>(name: string) {
    return this.connection.collection<T>(name);
  }

  /**
   * Files responses under their hours. Idempotent: each is keyed by its reply message, so a retry or a rebuild
   * writes the same entry again.
   */
  async record(facts: readonly ResponseFact[]): Promise<void> {
    const byHour = new Map<number, ResponseFact[]>();
    for (const f of facts) {
      const hour = floorTo(f.respondedAt, HOUR);
      const list = byHour.get(hour);
      if (list) list.push(f);
      else byHour.set(hour, [f]);
    }
    for (const [hour, list] of byHour) {
      const home = hourHome(hour);
      const set = Object.fromEntries(list.map((f) => [`e.${f.messageId}`, new mongo.Binary(encodeFacts([f]))]));
      await this.collection<HourDoc>(home.collection).updateOne({ _id: home.id }, { $set: set }, { upsert: true });
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
    const docs = await this.collection<HourDoc>(hourHome(day).collection).find({}).toArray();
    const wanted = new Set<string>();
    for (let h = floorTo(from, HOUR); h < to; h += HOUR) wanted.add(hourHome(h).id);
    return docs
      .filter((doc) => wanted.has(doc._id))
      .flatMap(factsOfHour)
      .filter((f) => f.respondedAt >= from && f.respondedAt < to);
  }

  /**
   * Packs a past hour's entries into one value (reading it then costs a decode of one value, not of hundreds).
   * Returns how many responses the hour holds; 0 when it has none. Only hours over for a while are packed (a
   * response is filed the moment it is sent), and the update removes only the entries it packed; the embedded
   * store applies an update as read-then-write, so there an entry filed at that very moment could still be lost
   * from the ledger (not from `responses`).
   */
  async pack(hour: number): Promise<number> {
    const home = hourHome(hour);
    const hours = this.collection<HourDoc>(home.collection);
    const doc = await hours.findOne({ _id: home.id });
    if (!doc) return 0;
    const facts = factsOfHour(doc);
    const filed = Object.keys(doc.e ?? {});
    if (filed.length > 0) {
      facts.sort((a, b) => a.respondedAt - b.respondedAt || a.messageId.localeCompare(b.messageId));
      // Only the entries packed are removed: one filed meanwhile stays (on MongoDB the update is atomic).
      await hours.updateOne(
        { _id: home.id },
        { $set: { p: new mongo.Binary(encodeFacts(facts)) }, $unset: Object.fromEntries(filed.map((id) => [`e.${id}`, ''])) },
      );
    }
    return facts.length;
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

function factsOfHour(doc: HourDoc): ResponseFact[] {
  const byMessage = new Map<string, ResponseFact>();
  if (doc.p) for (const f of decodeFacts(bytesOf(doc.p))) byMessage.set(f.messageId, f);
  for (const entry of Object.values(doc.e ?? {})) for (const f of decodeFacts(bytesOf(entry))) byMessage.set(f.messageId, f);
  return [...byMessage.values()];
}
