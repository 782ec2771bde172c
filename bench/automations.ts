/**
 * Automations at scale.
 *
 * 1. The due-timer pass at 2,000, 20,000 and 100,000 open conversations (1,000 of them waiting, with due times
 *    ahead): the first pass of a process, a pass with nothing due, and a pass with some conversations due — with
 *    the query that finds what is due timed on its own, and the store commands the pass sends counted.
 * 2. The response-time figures over 1,000,000 stored messages and two years of leads nobody answered.
 *
 *   npm run bench                                   # every benchmark, this one included
 *   npx tsx bench/automations.ts                    # this one alone
 *   BENCH_SCALE=0.1 npx tsx bench/automations.ts    # the figures part at a tenth of the messages
 *   BENCH_OPEN=2000,20000 npx tsx bench/automations.ts
 *   MONGODB_URI=mongodb://127.0.0.1:27017 npx tsx bench/automations.ts   # on a real MongoDB (a scratch database)
 *
 * Without MONGODB_URI it runs on a fresh embedded FerretDB. The scratch data is removed.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import mongoose, { Types } from 'mongoose';
import { createAutomations, WaitClocks } from '../automations';
import { createAgenda } from '../automations/jobs';
import { loadConfig } from '../gateway/config';
import { createInbox } from '../inbox';
import type { Channel } from '../shared/channels';
import { createLogger } from '../shared/logger';
import { CommandCount } from './commands';
import { benchStore } from './support';

const AGENTS = 20;
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

export async function runAutomationsBench(): Promise<void> {
  const store = await benchStore(`bench_${randomUUID().slice(0, 8)}`);
  const { uri } = store;
  const ferret = store.kind.startsWith('ferretdb');
  // The figures part stores a million messages (BENCH_SCALE=0.1 for a tenth, for a quicker run).
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  if (!(scale > 0)) throw new Error('BENCH_SCALE must be a positive number');
  const sizes = (process.env.BENCH_OPEN ?? '2000,20000,100000').split(',').map(Number);
  /** Customers waiting for a reply right now (a busy hour of a big shop), the same at every size. */
  const WAITING = Math.min(1000, ...sizes);
  const OPEN = Math.max(...sizes);
  const MESSAGES = Math.round(1_000_000 * scale);
  const DUE = Number(process.env.BENCH_DUE ?? (ferret ? 10 : 100));
  log(
    `store: ${store.kind}; passes at ${sizes.map((n) => n.toLocaleString('en')).join(' / ')} open conversations, ${WAITING} of them waiting, ${DUE} falling due`,
  );

  // Every command the store is sent is watched, so the work of a pass is counted as well as timed.
  const connection = await mongoose.createConnection(uri, { monitorCommands: true }).asPromise();
  const commands = new CommandCount(connection);
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
    // The clock moves only when the bench moves it, so nothing falls due but what the bench makes due.
    let now = Date.now();
    const clock = () => new Date(now);
    const inbox = await createInbox({
      connection,
      presence: { onlineAgentIds: async () => agentIds.map(String) },
      senders: new Map(),
      capabilities: new Map(),
      slaTargets: config.slaFirstResponse,
      log: logger,
      clock,
      deadlines: clocks,
    });
    /** A gateway process's automations, on an Agenda that is never started: the bench runs each pass itself. */
    const processAutomations = () =>
      createAutomations({ agenda: createAgenda({ connection, pollIntervalMs: 1000, log: logger }), inbox, clocks, settings, log: logger });
    const db = connection.db;
    if (!db) throw new Error('no database');

    await inbox.models.Agent.insertMany(
      agentIds.map((_id, i) => ({ _id, name: `Agent ${i + 1}`, email: `agent${i + 1}@bench.example`, passwordHash: 'x', role: 'agent' })),
    );

    // Open conversations, the first WAITING of them waiting, with due times ahead.
    const conversations: Record<string, unknown>[] = [];
    for (let i = 0; i < OPEN; i++) {
      const _id = new Types.ObjectId();
      const channel = pick(channels);
      const firstInboundAt = new Date(now - random() * 90 * DAY);
      const waiting = i < WAITING;
      const since = new Date(now - random() * 60_000);
      const escalationDueAt = waiting ? new Date(now + 60_000 + random() * 9 * 60_000) : null;
      const slaBreachAt = waiting ? new Date(now + 3600_000) : null;
      conversations.push({
        _id,
        channel,
        contactId: new Types.ObjectId(),
        contactName: `Customer ${i + 1}`,
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
        escalationDueAt,
        slaWarnAt: null,
        slaBreachAt,
        firstResponseDueAt: new Date(firstInboundAt.getTime() + clocks.slaTarget(channel)),
        contactReachable: true,
        createdAt: firstInboundAt,
        updatedAt: firstInboundAt,
      });
    }
    const conversationIds = conversations.map((c) => c._id as Types.ObjectId);
    let inserted = 0;
    const insertConversations = async (upTo: number) => {
      for (; inserted < upTo; inserted += 5000) {
        await db.collection('conversations').insertMany(conversations.slice(inserted, Math.min(upTo, inserted + 5000)) as never[], {
          ordered: false,
        });
      }
      inserted = upTo;
    };

    for (const size of sizes) {
      now += 10_000;
      const [, inserting] = await timed(() => insertConversations(size));
      log(`\n${size.toLocaleString('en')} open conversations (inserted in ${ms(inserting)}):`);
      const automations = processAutomations();
      const [, first] = await timed(() => automations.tick());
      log(`  first pass of a process:                                ${ms(first)}`);
      const idle = await median(5, () => automations.tick());
      log(`  pass, nothing due:                                      median ${ms(idle.median)}, max ${ms(idle.max)}`);

      // Some waits fall due now: their due times move to a second ago.
      const dueIds = Array.from({ length: DUE }, (_, i) => conversationIds[Math.floor(((i + 0.5) * size) / DUE)] as Types.ObjectId);
      const dueAt = new Date(now - 1000);
      await db
        .collection('conversations')
        .updateMany(
          { _id: { $in: dueIds } },
          { $set: { awaitingReplySince: new Date(now - 11 * 60_000), firstResponseAt: null, escalationDueAt: dueAt, slaBreachAt: dueAt } },
        );
      const [found, findMs] = await timed(() => inbox.waits.due('escalationDueAt', new Date(now), 100));
      commands.start();
      const [result, busy] = await timed(() => automations.tick());
      const sent = commands.stop();
      log(`  finding the ${found.length} due by the escalation index:            ${ms(findMs)}`);
      log(
        `  pass with ${DUE} due, acting on them:                     ${ms(busy)} (handed over or queued ${result.escalated}, breaches ${result.breached}, failed ${result.failed})`,
      );
      log(`    store commands it sent: ${sent.describe()}`);
    }

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
    log(`\ninserted ${MESSAGES.toLocaleString('en')} messages and ${responses.toLocaleString('en')} responses in ${ms(insertMessages)}`);

    // Leads nobody ever answered pile up for good (spam, a lead closed unanswered): two years of them.
    const UNANSWERED = Math.round(20_000 * scale);
    const unanswered = Array.from({ length: UNANSWERED }, (_, i) => {
      const at = new Date(now - random() * 730 * DAY);
      const channel = pick(channels);
      return {
        _id: new Types.ObjectId(),
        channel,
        contactId: new Types.ObjectId(),
        contactName: `Lead ${i + 1}`,
        status: 'resolved',
        assigneeId: pick(agentIds),
        lastMessageAt: at,
        lastMessagePreview: 'Передзвоніть мені, будь ласка',
        awaitingReplySince: null,
        firstInboundAt: at,
        lastInboundAt: at,
        firstResponseAt: null,
        firstResponseDueAt: new Date(at.getTime() + clocks.slaTarget(channel)),
        unreadCount: 0,
        escalationStep: 0,
        triedAgentIds: [],
        createdAt: at,
        updatedAt: at,
      };
    });
    for (let i = 0; i < unanswered.length; i += 5000) {
      await db.collection('conversations').insertMany(unanswered.slice(i, i + 5000) as never[], { ordered: false });
    }
    log(
      `${UNANSWERED.toLocaleString('en')} leads nobody answered, over two years, beside the ${OPEN.toLocaleString('en')} open conversations`,
    );

    const automations = processAutomations();
    const [hours, rollup] = await timed(() => automations.rollUp());
    const stored = await inbox.models.ResponseRollup.countDocuments({});
    log(`first rollup: every recorded response rolled up by the hour (${hours} hours with responses, ${stored} documents): ${ms(rollup)}`);
    const [, again] = await timed(() => automations.rollUp());
    log(`rollup run when up to date (rolls the last 2 hours again): ${ms(again)}`);
    // Replies of the last minutes, recorded as they are sent: the hours not rolled up yet are read from `responses`.
    const recent = Array.from({ length: 200 }, (_, i) => {
      const durationMs = waitMs();
      const channel = pick(channels);
      return {
        conversationId: pick(conversationIds),
        channel,
        agentId: pick(agentIds),
        kind: i % 3 === 0 ? 'first' : 'reply',
        waitingSince: new Date(now - durationMs),
        respondedAt: new Date(now - Math.floor(random() * 50 * 60_000)),
        durationMs,
        messageId: new Types.ObjectId(),
        withinTarget: i % 3 === 0 ? durationMs <= clocks.slaTarget(channel) : null,
      };
    });
    await db.collection('responses').insertMany(recent, { ordered: false });

    const hourAligned = new Date(Math.floor(now / 3600_000) * 3600_000);
    const queries: [string, Parameters<typeof inbox.responseTimes.figures>[0]][] = [
      ['30 days by channel', { from: new Date(now - 30 * DAY), to: new Date(now), groupBy: 'channel' }],
      ['30 days by agent', { from: new Date(now - 30 * DAY), to: new Date(now), groupBy: 'agent' }],
      ['90 days, one channel', { from: new Date(now - 90 * DAY), to: new Date(now), channel: 'telegram', groupBy: 'channel' }],
      ['7 days, whole hours', { from: new Date(hourAligned.getTime() - 7 * DAY), to: hourAligned, groupBy: 'channel' }],
      ['400 days by channel', { from: new Date(now - 400 * DAY), to: new Date(now), groupBy: 'channel' }],
      ['the last hour', { from: new Date(now - 3600_000), to: new Date(now), groupBy: 'agent' }],
    ];
    const [waiting, waitingMs] = await timed(() => inbox.responseTimes.waiting());
    const [recentLeads, leadsMs] = await timed(() => inbox.responseTimes.unanswered(new Date(now - 30 * DAY), new Date(now)));
    const [yearLeads, yearLeadsMs] = await timed(() => inbox.responseTimes.unanswered(new Date(now - 400 * DAY), new Date(now)));
    const [gauge, gaugeMs] = await timed(() => inbox.responseTimes.waitingByChannel());
    log(
      `from the conversations by index: the ${waiting.length.toLocaleString('en')} waits of now in ${ms(waitingMs)}; ` +
        `the unanswered leads of the last 30 days (${recentLeads.length.toLocaleString('en')}) in ${ms(leadsMs)}, ` +
        `of the last 400 days (${yearLeads.length.toLocaleString('en')}) in ${ms(yearLeadsMs)}; ` +
        `the waiting gauge's counts per channel (${[...gauge.values()].reduce((a, b) => a + b, 0).toLocaleString('en')}) in ${ms(gaugeMs)}`,
    );
    for (const [label, query] of queries) {
      commands.start();
      await inbox.responseTimes.figures(query);
      const sent = commands.stop();
      const t = await median(5, () => inbox.responseTimes.figures(query));
      log(
        `GET /api/metrics/response-times, ${label.padEnd(22)} median ${ms(t.median)}, max ${ms(t.max)}   (store commands: ${sent.describe()})`,
      );
    }
  } finally {
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
    await store.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runAutomationsBench().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
