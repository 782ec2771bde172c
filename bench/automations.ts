/**
 * Automations at scale: the cost of one due-timer pass over 100,000 open conversations (with nothing due, and with
 * 100 due), and the response-time figures over 1,000,000 stored messages (after the rollup).
 *
 *   npx tsx bench/automations.ts            # full size
 *   BENCH_SCALE=0.1 npx tsx bench/automations.ts   # a tenth
 *   MONGODB_URI=mongodb://127.0.0.1:27017 npx tsx bench/automations.ts   # on a real MongoDB (a scratch database)
 *
 * Without MONGODB_URI it runs on the embedded store (mongod if installed, else FerretDB, where the default size is a
 * fiftieth: see below). It prints its figures and stops by itself; the scratch data is removed.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose, { Types } from 'mongoose';
import { createAutomations, WaitClocks } from '../automations';
import { createAgenda } from '../automations/jobs';
import { loadConfig } from '../gateway/config';
import { type EmbeddedStore, startEmbeddedStore } from '../gateway/embedded-store';
import { createInbox } from '../inbox';
import type { Channel } from '../shared/channels';
import { createLogger } from '../shared/logger';

const AGENTS = 20;
const DUE = 100;
const DAY = 24 * 3600_000;

const channels: Channel[] = ['telegram', 'telegram', 'telegram', 'viber', 'whatsapp', 'whatsapp', 'instagram', 'email', 'api'];
let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
/** Waits skewed like real ones: most within minutes, a long tail of hours. */
const waitMs = () => Math.round(5_000 + random() ** 3 * 8 * 3600_000);

const log = (line: string) => process.stdout.write(`${line}\n`);
const ms = (t: number) => `${t.toFixed(0)} ms`;
async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await run();
  return [value, performance.now() - start];
}
async function median(times: number, run: () => Promise<unknown>): Promise<{ median: number; max: number }> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) samples.push((await timed(run))[1]);
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)] ?? 0, max: samples.at(-1) ?? 0 };
}

async function main(): Promise<void> {
  let embedded: EmbeddedStore | undefined;
  let dataDir: string | undefined;
  const database = `bench_${randomUUID().slice(0, 8)}`;
  let uri = process.env.MONGODB_URI;
  if (uri) {
    const url = new URL(uri);
    url.pathname = `/${database}`;
    uri = url.toString();
  } else {
    dataDir = mkdtempSync(path.join(tmpdir(), 'inbox-bench-'));
    embedded = await startEmbeddedStore({ dataDir, database, log });
    uri = embedded.uri;
  }
  const storeKind = embedded?.kind ?? 'MongoDB (MONGODB_URI)';
  // FerretDB 1.24 uses no secondary index: a range filter reads the whole collection, and so does every update
  // (about 0.15 s per write at 20,000 conversations). At full size one pass over 100 due conversations would take
  // hours there, so without BENCH_SCALE it runs a fiftieth of the size.
  const ferret = embedded?.kind === 'ferretdb';
  const scale = Number(process.env.BENCH_SCALE ?? (ferret ? 0.02 : 1));
  if (!(scale > 0)) throw new Error('BENCH_SCALE must be a positive number');
  const OPEN = Math.round(100_000 * scale);
  const MESSAGES = Math.round(1_000_000 * scale);
  log(
    `store: ${storeKind}; ${OPEN.toLocaleString('en')} open conversations, ${MESSAGES.toLocaleString('en')} messages (BENCH_SCALE=${scale})`,
  );
  if (ferret && !process.env.BENCH_SCALE) {
    log('  (FerretDB without BENCH_SCALE: a fiftieth of the full size; set MONGODB_URI for the full-size figures)');
  }

  const connection = await mongoose.createConnection(uri).asPromise();
  try {
    const config = loadConfig({ NODE_ENV: 'test', MONGODB_URI: uri, LOG_LEVEL: 'silent' });
    const logger = createLogger('silent');
    const settings = {
      escalationAfter: config.escalationAfter,
      maxSteps: config.ESCALATION_MAX_STEPS,
      slaFirstResponse: config.slaFirstResponse,
      slaWarnBefore: config.slaWarnBefore,
      businessHours: config.businessHours,
      supervisorEmails: [],
      digestIntervalMs: config.ALERT_DIGEST_INTERVAL,
      tickIntervalMs: 1000,
    };
    const clocks = new WaitClocks(settings);
    const agentIds = Array.from({ length: AGENTS }, () => new Types.ObjectId());
    const inbox = await createInbox({
      connection,
      presence: { onlineAgentIds: async () => agentIds.map(String) },
      queue: { enqueue: async () => undefined },
      senders: new Map(),
      capabilities: new Map(),
      slaTargets: config.slaFirstResponse,
      log: logger,
      deadlines: clocks,
    });
    // The jobs are defined on an Agenda that is never started: the bench runs each pass itself.
    const agenda = createAgenda({ connection, pollIntervalMs: 1000, log: logger });
    const automations = createAutomations({ agenda, inbox, clocks, settings, log: logger });
    const db = connection.db;
    if (!db) throw new Error('no database');
    const now = Date.now();

    await inbox.models.Agent.insertMany(
      agentIds.map((_id, i) => ({ _id, name: `Agent ${i + 1}`, email: `agent${i + 1}@bench.example`, passwordHash: 'x', role: 'agent' })),
    );

    // Open conversations: a fifth of them waiting, with due times ahead; none due yet.
    const conversationIds: Types.ObjectId[] = [];
    const [, insertConversations] = await timed(async () => {
      for (let done = 0; done < OPEN; ) {
        const batch = [];
        for (let i = 0; i < 5000 && done < OPEN; i++, done++) {
          const _id = new Types.ObjectId();
          conversationIds.push(_id);
          const channel = pick(channels);
          const firstInboundAt = new Date(now - random() * 90 * DAY);
          const waiting = random() < 0.2;
          const since = new Date(now - random() * 60_000);
          batch.push({
            _id,
            channel,
            contactId: new Types.ObjectId(),
            contactName: `Customer ${done}`,
            status: 'open',
            assigneeId: pick(agentIds),
            lastMessageAt: waiting ? since : firstInboundAt,
            lastMessagePreview: 'Доброго дня! Чи є в наявності?',
            awaitingReplySince: waiting ? since : null,
            firstInboundAt,
            lastInboundAt: waiting ? since : firstInboundAt,
            firstResponseAt: waiting ? null : new Date(firstInboundAt.getTime() + waitMs()),
            unreadCount: waiting ? 1 : 0,
            escalationStep: 0,
            triedAgentIds: [],
            escalationDueAt: waiting ? new Date(now + 60_000 + random() * 9 * 60_000) : null,
            slaWarnAt: null,
            slaBreachAt: waiting ? new Date(now + 3600_000) : null,
            firstResponseDueAt: new Date(firstInboundAt.getTime() + clocks.slaTarget(channel)),
            contactReachable: true,
            createdAt: firstInboundAt,
            updatedAt: firstInboundAt,
          });
        }
        await db.collection('conversations').insertMany(batch, { ordered: false });
      }
    });
    log(`inserted ${OPEN.toLocaleString('en')} conversations in ${ms(insertConversations)}`);

    const idle = await median(3, () => automations.tick());
    log(`tick, nothing due:      median ${ms(idle.median)}, max ${ms(idle.max)}`);
    const dueIds = Array.from({ length: DUE }, (_, i) => conversationIds[Math.floor((i * conversationIds.length) / DUE)] as Types.ObjectId);
    await db.collection('conversations').updateMany(
      { _id: { $in: dueIds } },
      {
        $set: {
          awaitingReplySince: new Date(now - 11 * 60_000),
          firstResponseAt: null,
          escalationDueAt: new Date(now - 1000),
          slaBreachAt: new Date(now - 1000),
        },
      },
    );
    const [result, busy] = await timed(() => automations.tick());
    log(`tick, ${DUE} due:          ${ms(busy)} (escalated ${result.escalated}, breaches ${result.breached}, failed ${result.failed})`);

    // A million messages over 90 days; every other one an agent's reply, half of those ending a wait (a response).
    let responses = 0;
    const [, insertMessages] = await timed(async () => {
      for (let done = 0; done < MESSAGES; ) {
        const messages = [];
        const rows = [];
        for (let i = 0; i < 10_000 && done < MESSAGES; i++, done++) {
          const conversationId = conversationIds[done % conversationIds.length] as Types.ObjectId;
          const channel = pick(channels);
          const at = new Date(now - random() * 90 * DAY);
          const out = done % 2 === 1;
          const _id = new Types.ObjectId();
          messages.push({
            _id,
            conversationId,
            channel,
            direction: out ? 'out' : 'in',
            sender: out ? { type: 'agent', id: String(pick(agentIds)), name: 'Agent' } : { type: 'contact', id: null, name: 'Customer' },
            text: out ? 'Дякуємо, замовлення оформлено. Очікуйте дзвінка.' : 'Доброго дня! Скільки коштує доставка до Львова?',
            attachments: [],
            externalId: `${done}`,
            dedupeKey: `bench:${done}`,
            status: out ? 'sent' : 'received',
            attempts: out ? 1 : 0,
            createdAt: at,
            updatedAt: at,
          });
          if (out && done % 4 === 1) {
            const durationMs = waitMs();
            const first = done % 12 === 1;
            rows.push({
              conversationId,
              channel,
              agentId: pick(agentIds),
              kind: first ? 'first' : 'reply',
              waitingSince: new Date(at.getTime() - durationMs),
              respondedAt: at,
              durationMs,
              messageId: _id,
              withinTarget: first ? durationMs <= clocks.slaTarget(channel) : null,
            });
          }
        }
        await db.collection('messages').insertMany(messages, { ordered: false });
        if (rows.length) await db.collection('responses').insertMany(rows, { ordered: false });
        responses += rows.length;
        if (done % 200_000 === 0) log(`  … ${done.toLocaleString('en')} messages`);
      }
    });
    log(`inserted ${MESSAGES.toLocaleString('en')} messages and ${responses.toLocaleString('en')} responses in ${ms(insertMessages)}`);

    const [hours, rollup] = await timed(() => automations.rollUp());
    log(`rollup of 90 days (${hours} hours with responses): ${ms(rollup)}`);
    const [, again] = await timed(() => automations.rollUp());
    log(`rollup run when up to date (re-rolls the last 2 hours): ${ms(again)}`);

    const hourAligned = new Date(Math.floor(now / 3600_000) * 3600_000);
    const queries: [string, Parameters<typeof inbox.responseTimes.figures>[0]][] = [
      ['30 days by channel', { from: new Date(now - 30 * DAY), to: new Date(now), groupBy: 'channel' }],
      ['30 days by agent', { from: new Date(now - 30 * DAY), to: new Date(now), groupBy: 'agent' }],
      ['90 days, one channel', { from: new Date(now - 90 * DAY), to: new Date(now), channel: 'telegram', groupBy: 'channel' }],
      ['7 days, whole hours', { from: new Date(hourAligned.getTime() - 7 * DAY), to: hourAligned, groupBy: 'channel' }],
    ];
    for (const [label, query] of queries) {
      const t = await median(3, () => inbox.responseTimes.figures(query));
      log(`GET /api/metrics/response-times, ${label.padEnd(22)} median ${ms(t.median)}, max ${ms(t.max)}`);
    }
    if (ferret) {
      log(
        'note: FerretDB 1.24 uses no secondary index (range filters and updates read the whole collection), so on it ' +
          'these figures grow with the collections; on MongoDB the same queries are index range scans over what is ' +
          'due and over the rollups.',
      );
    }
  } finally {
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
    await embedded?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
