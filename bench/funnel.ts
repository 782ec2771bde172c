/**
 * The funnel figures over 100,000 leads and 1,000,000 stage moves made over a year.
 *
 * The leads and their moves are stored straight into the store with insertMany (shaped as the gateway stores them,
 * inbox/store/mongo/models.ts and funnel-models.ts, through the models createInbox exposes), with the funnel's hour
 * and day tallies and the in-play view counted by the gateway's own rules (inbox/pipeline/rules.ts: tallyMoves,
 * mergeCells), as the automations' pass would count them. Then `GET /api/metrics/funnel` is timed over HTTP by
 * channel, by source and by manager, over the last 30 days (the page's default) and the last 365.
 *
 *   npm run bench                               # every benchmark, this one included
 *   BENCH_ONLY=funnel npm run bench             # this one alone
 *   BENCH_SCALE=0.1 npx tsx bench/funnel.ts     # a tenth of the leads and moves, for a quicker run
 *
 * Without MONGODB_URI it runs on a fresh embedded FerretDB. The scratch data is removed.
 */
import { Types } from 'mongoose';
import { TALLIES_BACKFILLED } from '../inbox/pipeline/funnel-tallies';
import { addCell, type FunnelLead, funnelKeys, mergeCells, stagesKeyOf, tallyMoves } from '../inbox/pipeline/rules';
import { unitStart } from '../inbox/store/funnel-units';
import { encodeCells } from '../inbox/store/mongo/funnel-cells-codec';
import { partOf, VERSIONS } from '../inbox/store/mongo/leads-in-play';
import type { FunnelCell, FunnelDimension, StageMoveRecord } from '../inbox/store/records';
import type { Channel } from '../shared/channels';
import { against, dur, machineLoad, num, PASSWORD, runWhenMain, signIn, startBenchGateway, summarize, table } from './kit';
import { benchStore, percentile } from './support';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const LEADS = Math.round(100_000 * SCALE);
/** Every lead makes 10 moves on average: pairs of leads make 10 − d and 10 + d. */
const MOVES_PER_LEAD = 10;
const MOVES = Math.round(1_000_000 * SCALE);
const AGENTS = 20;
const BATCH = 5_000;
const CALLS = 20;
const GOAL_MS = 200;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const channels: Channel[] = ['telegram', 'telegram', 'telegram', 'viber', 'whatsapp', 'whatsapp', 'instagram', 'email', 'api'];
const sources: (string | null)[] = [
  null,
  null,
  null,
  'site-form',
  'ad:kyiv-spring',
  'ad:lviv-sale',
  'deeplink:promo10',
  'deeplink:catalog',
];
const open = ['new', 'contacted', 'qualified', 'proposal'] as const;
const order: Record<string, number> = { new: 1, contacted: 2, qualified: 3, proposal: 4, won: 5, lost: 6 };

let seed = 7;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
/** Time in a stage skewed like real deals: most within hours, a long tail of weeks. */
const gapMs = () => Math.round(5 * MIN + random() ** 3 * 20 * DAY);

type Doc = Record<string, unknown>;

/** One lead and its moves: a walk through the open stages, ended won or lost unless it is still in play now. */
function leadDocs(n: number, agents: readonly Types.ObjectId[], now: number): { lead: Doc; moves: Doc[] } {
  const spread = Math.floor(random() * (MOVES_PER_LEAD - 1));
  const count = n % 2 === 0 ? MOVES_PER_LEAD - spread : MOVES_PER_LEAD + spread;
  const createdAt = now - Math.floor(random() * 365 * DAY);
  const gaps = Array.from({ length: count - 1 }, gapMs);
  const ends = random() < 0.85;
  const id = `${new Types.ObjectId().toHexString()}:1`;
  const conversationId = new Types.ObjectId();
  const channel = pick(channels);
  const source = pick(sources);
  const assignee = random() < 0.1 ? null : pick(agents);
  const contacted = random() < 0.92;
  const moves: Doc[] = [];
  const path: Doc[] = [];
  let stage = 'new';
  let at = createdAt;
  let contactedAt: Date | null = null;
  for (let seq = 1; seq <= count; seq++) {
    const from = seq === 1 ? null : stage;
    if (seq > 1) {
      at += gaps[seq - 2] as number;
      // The moves its path would make after now are not made yet: it is in play where it stands.
      if (at >= now) break;
      const last = seq === count;
      if (last && ends) stage = random() < 0.35 ? 'won' : 'lost';
      else {
        const others = open.filter((s) => s !== stage && (contacted || s !== 'contacted'));
        // Forward more often than back.
        const forward = others.filter((s) => (order[s] ?? 0) > (order[stage] ?? 0));
        stage = forward.length && random() < 0.7 ? pick(forward) : pick(others);
      }
      if (contacted && !contactedAt) contactedAt = new Date(at);
    }
    const kind = stage === 'won' ? 'won' : stage === 'lost' ? 'lost' : 'open';
    const prev = moves.at(-1);
    moves.push({
      _id: `${id}:${seq}`,
      leadId: id,
      conversationId,
      seq,
      channel,
      source,
      assigneeId: assignee,
      byAgentId: seq === 1 ? null : assignee,
      from,
      to: stage,
      toKind: kind,
      at: new Date(at),
      msInFrom: prev ? at - (prev.at as Date).getTime() : null,
      amount: null,
      lossReasonId: null,
      lossReason: kind === 'lost' ? 'Ціна' : null,
    });
    path.push({ stageId: stage, kind, at: new Date(at) });
  }
  const last = path.at(-1) as { stageId: string; kind: string; at: Date };
  const lead: Doc = {
    _id: id,
    conversationId,
    cycle: 1,
    channel,
    contactId: new Types.ObjectId(),
    source,
    assigneeId: assignee,
    stageId: last.stageId,
    stageKind: last.kind,
    stageSince: last.at,
    open: last.kind === 'open',
    amount: null,
    lossReasonId: null,
    contactedAt,
    createdAt: new Date(createdAt),
    endedAt: last.kind === 'open' ? null : last.at,
    current: true,
    moves: moves.length,
    path,
    pendingMove: null,
  };
  return { lead, moves };
}

const dimensions: FunnelDimension[] = ['channel', 'source', 'agent'];

/** One lead's moves into the hours' cells, and the lead into the in-play view if it is in play. */
function count(
  docs: { lead: Doc; moves: Doc[] },
  hours: Map<number, Map<FunnelDimension, Map<string, FunnelCell>>>,
  inPlayView: Map<string, Record<string, unknown>>,
  stages: Parameters<typeof tallyMoves>[0]['stages'],
): void {
  const lead = docs.lead as unknown as FunnelLead & { _id: string; open: boolean; stageId: string; stageSince: Date };
  const leads = new Map([[lead._id, lead]]);
  const byHour = new Map<number, StageMoveRecord[]>();
  for (const m of docs.moves) {
    const move = { ...m, id: m._id, assigneeId: m.assigneeId ? String(m.assigneeId) : null } as unknown as StageMoveRecord;
    const hour = Math.floor(move.at.getTime() / HOUR) * HOUR;
    byHour.set(hour, [...(byHour.get(hour) ?? []), move]);
  }
  for (const [hour, moves] of byHour) {
    const of = hours.get(hour) ?? new Map<FunnelDimension, Map<string, FunnelCell>>();
    hours.set(hour, of);
    for (const d of dimensions) {
      const cells = of.get(d) ?? new Map<string, FunnelCell>();
      of.set(d, cells);
      for (const c of tallyMoves({ stages, moves, leads, keyOf: funnelKeys[d] })) addCell(cells, c);
    }
  }
  if (lead.open) {
    // The view's part of its stage and the month it has been there since (inbox/store/mongo/leads-in-play.ts).
    const part = partOf(lead.stageId, lead.stageSince);
    const view = inPlayView.get(part) ?? {};
    inPlayView.set(part, view);
    const l = docs.lead;
    view[lead._id] =
      `0000000000${JSON.stringify([l.channel, l.source ?? null, l.assigneeId ? String(l.assigneeId) : null, lead.stageSince.getTime()])}`;
  }
}

/** A year of leads and moves, with their tallies and in-play view, stored straight into the store. */
async function seedYear(gateway: Awaited<ReturnType<typeof startBenchGateway>>): Promise<void> {
  const { models } = gateway.inbox;
  const agents: Types.ObjectId[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const a = await gateway.inbox.agents.create({
      name: `Менеджер ${i + 1}`,
      email: `agent${i}@funnel.example`,
      password: PASSWORD,
      role: 'agent',
    });
    agents.push(new Types.ObjectId(a.id));
  }
  await gateway.inbox.agents.create({ name: 'Supervisor', email: 'supervisor@funnel.example', password: PASSWORD, role: 'supervisor' });

  const now = Date.now();
  const started = performance.now();
  const leads: Doc[] = [];
  const moves: Doc[] = [];
  const inFlight: Promise<unknown>[] = [];
  const flush = async (force: boolean) => {
    for (const [list, collection] of [
      [leads, models.Lead.collection],
      [moves, models.StageMove.collection],
    ] as const) {
      while (list.length >= BATCH || (force && list.length > 0)) {
        inFlight.push(collection.insertMany(list.splice(0, BATCH) as never[], { ordered: false }));
        // Two batches in flight: one encoding while the store writes the other.
        if (inFlight.length >= 2) await inFlight.shift();
      }
    }
  };
  const stages = await gateway.inbox.store.pipeline.stages();
  let leadCount = 0;
  let moveCount = 0;
  let inPlay = 0;
  /** hour → grouping → cells, counted lead by lead. */
  const hours = new Map<number, Map<FunnelDimension, Map<string, FunnelCell>>>();
  /** the view's part (stage and month since) → its entries. */
  const inPlayView = new Map<string, Record<string, unknown>>();
  // Leads whose paths reach past now make fewer moves: leads are added until the moves are a million too.
  for (let n = 0; n < LEADS || moveCount < MOVES; n++) {
    const docs = leadDocs(n, agents, now);
    leads.push(docs.lead);
    moves.push(...docs.moves);
    count(docs, hours, inPlayView, stages);
    leadCount += 1;
    moveCount += docs.moves.length;
    if (docs.lead.open) inPlay += 1;
    await flush(false);
    if ((n + 1) % Math.max(1, Math.round(LEADS / 10)) === 0)
      process.stdout.write(`  stored ${num(n + 1)} leads (${dur(performance.now() - started)})\n`);
  }
  await flush(true);
  await Promise.all(inFlight);
  const seeded = performance.now() - started;
  console.log(
    `stored ${num(leadCount)} leads (${num(inPlay)} in play) and ${num(moveCount)} stage moves over a year ` +
      `with insertMany × ${num(BATCH)} in ${dur(seeded)} (the gateway's indexes in place)`,
  );

  // What the automations' pass would have counted: every hour's cells, each day's from its hours.
  const counting = performance.now();
  const tallyDocs: Doc[] = [];
  const stagesKey = stagesKeyOf(stages);
  for (const [hour, byDimension] of hours) {
    for (const [dimension, cells] of byDimension) {
      tallyDocs.push({
        _id: `hour:${hour}:${dimension}`,
        unit: 'hour',
        start: new Date(hour),
        dimension,
        stagesKey,
        ...encodeCells([...cells.values()]),
      });
    }
  }
  // Days from their hours, months from their days, as the pass counts them.
  let parts = new Map(
    [...hours].map(([hour, byDimension]) => [hour, new Map([...byDimension].map(([d, cells]) => [d, [...cells.values()]]))]),
  );
  const coarser: Record<string, number> = {};
  for (const unit of ['day', 'month'] as const) {
    const units = new Map<number, Map<FunnelDimension, FunnelCell[][]>>();
    for (const [start, byDimension] of parts) {
      const at = unitStart(unit, start);
      const of = units.get(at) ?? new Map<FunnelDimension, FunnelCell[][]>();
      units.set(at, of);
      for (const [dimension, cells] of byDimension) of.set(dimension, [...(of.get(dimension) ?? []), cells]);
    }
    parts = new Map();
    for (const [start, byDimension] of units) {
      const merged = new Map<FunnelDimension, FunnelCell[]>();
      parts.set(start, merged);
      for (const [dimension, lists] of byDimension) {
        const cells = mergeCells(lists);
        merged.set(dimension, cells);
        tallyDocs.push({
          _id: `${unit}:${start}:${dimension}`,
          unit,
          start: new Date(start),
          dimension,
          stagesKey,
          ...encodeCells(cells),
        });
      }
    }
    coarser[unit] = units.size;
  }
  for (let i = 0; i < tallyDocs.length; i += 1_000) {
    await models.FunnelTally.collection.insertMany(tallyDocs.slice(i, i + 1_000) as never[], { ordered: false });
  }
  await models.LeadInPlay.collection.insertMany(
    [
      ...[...inPlayView.entries()].map(([part, m]) => ({ _id: part, m })),
      { _id: VERSIONS, v: Object.fromEntries([...inPlayView.keys()].map((part) => [part, 1])) },
    ] as never[],
    { ordered: false },
  );
  await models.Checkpoint.updateOne({ _id: TALLIES_BACKFILLED }, { $set: { at: new Date() } }, { upsert: true });
  console.log(
    `counted ${num(hours.size)} hours, ${num(coarser.day ?? 0)} days and ${num(coarser.month ?? 0)} months into ${num(tallyDocs.length)} tallies, and ${num(inPlay)} leads ` +
      `into the in-play view, in ${dur(performance.now() - counting)}`,
  );
}

export async function runFunnelBench(): Promise<void> {
  if (!(SCALE > 0)) throw new Error('BENCH_SCALE must be a positive number');
  const store = await benchStore(`bench_funnel_${Date.now()}`);
  const gateway = await startBenchGateway(store.uri);
  const { models } = gateway.inbox;
  try {
    console.log(`store: ${store.kind}; ${machineLoad()}`);
    // Seeded in a function of its own: its millions of objects are garbage before the first timed call.
    await seedYear(gateway);
    const token = await signIn(gateway.url, 'supervisor@funnel.example');
    const rows: string[][] = [];
    const measure = async (label: string, url: string, before?: (i: number) => Promise<unknown>) => {
      const ms: number[] = [];
      let keys = 0;
      for (let i = 0; i < CALLS + 1; i++) {
        await before?.(i);
        const t0 = performance.now();
        const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        const body = (await res.json()) as { items: unknown[] };
        if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status} ${JSON.stringify(body)}`);
        // The first call warms the connection and the store's caches; it is not counted.
        if (i > 0) ms.push(performance.now() - t0);
        keys = body.items.length;
      }
      const s = summarize(ms);
      const p95 = percentile(
        [...ms].sort((x, y) => x - y),
        95,
      );
      rows.push([label, String(keys), dur(s.p50), dur(p95), dur(s.max), against(p95, GOAL_MS, `${GOAL_MS} ms (p95)`)]);
    };
    const rangeUrl = (days: number, groupBy: string) => {
      const to = new Date();
      const from = new Date(to.getTime() - days * DAY);
      return `${gateway.url}/api/metrics/funnel?groupBy=${groupBy}&from=${from.toISOString()}&to=${to.toISOString()}`;
    };
    for (const days of [30, 365]) {
      for (const groupBy of ['channel', 'source', 'agent']) await measure(`by ${groupBy}, last ${days} days`, rangeUrl(days, groupBy));
    }
    // A busy shop changes leads between readings: each call here follows a hand-over of a lead in play, which the
    // in-play view's copy must read its part of again (the lead's stage since its month).
    const inPlay = await models.Lead.find({ open: true }, { _id: 1 })
      .limit(CALLS + 1)
      .lean<{ _id: string }[]>();
    const someone = await gateway.inbox.agents.create({
      name: 'Нова менеджерка',
      email: 'new@funnel.example',
      password: PASSWORD,
      role: 'agent',
    });
    await measure('by agent, last 30 days, after a hand-over', rangeUrl(30, 'agent'), (i) =>
      gateway.inbox.store.pipeline.setAssignee(inPlay[i]?._id ?? '', someone.id),
    );
    console.log(`GET /api/metrics/funnel over HTTP, ${CALLS} calls each:`);
    table(['range', 'rows', 'p50', 'p95', 'max', 'goal'], rows, { noteColumn: true });
    console.log(machineLoad());
  } finally {
    await models.Lead.db.dropDatabase().catch(() => undefined);
    await gateway.close();
    await store.stop();
  }
}

runWhenMain(import.meta.url, runFunnelBench);
