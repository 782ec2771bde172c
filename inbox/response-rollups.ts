import type { Channel } from '../shared/channels';
import { groupBy } from '../shared/group-by';
import type { Checkpoints } from './checkpoints';
import type { FiguresPart, ResponseFact } from './figures-codec';
import { DAY, factOfResponse, floorTo, HOUR, monthOf, nextMonth, type ResponseLedger } from './response-ledger';
import { durationsOf, mergeDurations } from './stats';
import type { Models, ResponseDoc } from './store/models';

/** The rollup's checkpoint: hours before it are packed, and days and months that end before it are summarized. */
export const ROLLUP_CHECKPOINT = 'figures-rollup';
/** How long after an hour ends before it is rolled up: replies stamped just before the hour ended are stored by then. */
const SETTLE_MS = 2 * 60_000;
/** The last closed hours are rolled again on every run, so a late write is still counted. */
const REROLL_HOURS = 2;
/** Responses gathered before they are filed when the ledger is built from `responses` (one write per hour they span). */
const REBUILD_BATCH = 100_000;

/** One bucket's figures from its responses. */
export function partsOfResponses(rows: readonly ResponseFact[], targets: Readonly<Record<Channel, number>>, keepValues?: number) {
  const groups = new Map<string, { channel: string; agentId: string; first: number[]; reply: number[]; met: number; breached: number }>();
  for (const r of rows) {
    const key = `${r.channel}|${r.agentId}`;
    let g = groups.get(key);
    if (!g) {
      g = { channel: r.channel, agentId: r.agentId, first: [], reply: [], met: 0, breached: 0 };
      groups.set(key, g);
    }
    g.reply.push(r.durationMs);
    if (r.kind === 'first') {
      g.first.push(r.durationMs);
      const met = r.withinTarget ?? r.durationMs <= targets[r.channel as Channel];
      if (met) g.met++;
      else g.breached++;
    }
  }
  return [...groups.values()].map(
    (g): FiguresPart => ({
      channel: g.channel,
      agentId: g.agentId,
      first: durationsOf(g.first, keepValues),
      reply: durationsOf(g.reply, keepValues),
      slaMet: g.met,
      slaBreached: g.breached,
    }),
  );
}

/** Figures of several buckets merged per channel and agent. */
export function mergeParts(list: readonly FiguresPart[]): FiguresPart[] {
  const groups = groupBy(list, (part) => `${part.channel}|${part.agentId}`);
  return [...groups.values()].map((same): FiguresPart => {
    const [head] = same as [FiguresPart];
    return {
      channel: head.channel,
      agentId: head.agentId,
      first: mergeDurations(same.map((p) => p.first)),
      reply: mergeDurations(same.map((p) => p.reply)),
      slaMet: same.reduce((s, p) => s + p.slaMet, 0),
      slaBreached: same.reduce((s, p) => s + p.slaBreached, 0),
    };
  });
}

/**
 * Keeps the response ledger (inbox/response-ledger.ts) summarized: packs each closed hour, writes a summary of each
 * closed UTC day (from its hours) and of each closed UTC month (from its days). Idempotent: every bucket is
 * recomputed from its sources and replaced whole, so a retried or concurrent run writes the same documents.
 */
export class ResponseRollups {
  constructor(
    private readonly models: Models,
    private readonly ledger: ResponseLedger,
    private readonly checkpoints: Checkpoints,
    private readonly slaTargets: Readonly<Record<Channel, number>>,
  ) {}

  /** The end of the rolled-up stretch: whole days and months before it are summarized. */
  watermark(): Promise<Date | null> {
    return this.checkpoints.get(ROLLUP_CHECKPOINT);
  }

  /** Rolls every hour closed since the last run (and the last REROLL_HOURS again); returns how many had responses. */
  async run(now: Date): Promise<number> {
    const closedEnd = floorTo(now.getTime() - SETTLE_MS, HOUR);
    let mark = await this.checkpoints.get(ROLLUP_CHECKPOINT);
    if (!mark) {
      // First run on this store: the ledger is built from the recorded responses, from the oldest one on.
      const oldest = await this.rebuild();
      mark = await this.checkpoints.getOrCreate(ROLLUP_CHECKPOINT, new Date(Math.min(oldest ?? closedEnd, closedEnd)));
    }
    const start = Math.min(mark.getTime(), closedEnd - REROLL_HOURS * HOUR);
    if (start >= closedEnd) return 0;

    let withResponses = 0;
    for (let day = floorTo(start, DAY); day < closedEnd; day += DAY) {
      withResponses += await this.ledger.pack(Math.max(start, day), Math.min(closedEnd, day + DAY));
    }
    for (let day = floorTo(start, DAY); day + DAY <= closedEnd; day += DAY) {
      await this.ledger.writeDay(day, partsOfResponses(await this.ledger.facts(day, day + DAY), this.slaTargets));
    }
    for (let month = monthOf(start); nextMonth(month) <= closedEnd; month = nextMonth(month)) {
      await this.ledger.writeMonth(month, mergeParts(await this.ledger.days(month, nextMonth(month))));
    }
    if (closedEnd > mark.getTime()) await this.checkpoints.move(ROLLUP_CHECKPOINT, mark, new Date(closedEnd));
    return withResponses;
  }

  /** Files every recorded response in the ledger; returns the hour of the oldest, or null when there is none. */
  async rebuild(): Promise<number | null> {
    let oldest: number | null = null;
    let batch: ResponseFact[] = [];
    const flush = async () => {
      await this.ledger.recordPacked(batch);
      batch = [];
    };
    const cursor = this.models.Response.find(
      {},
      { messageId: 1, channel: 1, agentId: 1, kind: 1, durationMs: 1, withinTarget: 1, respondedAt: 1 },
    )
      .lean<ResponseDoc[]>()
      .cursor();
    for await (const row of cursor as AsyncIterable<ResponseDoc>) {
      const fact = factOfResponse(row);
      oldest = oldest === null ? fact.respondedAt : Math.min(oldest, fact.respondedAt);
      batch.push(fact);
      if (batch.length >= REBUILD_BATCH) await flush();
    }
    await flush();
    return oldest === null ? null : floorTo(oldest, HOUR);
  }
}
