/**
 * A burst of new customers: 40 distinct Telegram users (Ukrainian and English) whose first messages arrive at 30/s
 * as signed webhooks, each timed to its 2xx and to a supervisor's socket; and the store round trips one message
 * costs, counted on the wire by the tap (test/support/wire-tap.ts) between the gateway and the store.
 *
 *   node --import tsx bench/burst.ts                 # alone
 *   BENCH_BURST=40 BENCH_BURST_RATE=30 …             # the burst's size and rate (the defaults)
 *   MONGODB_URI=mongodb://127.0.0.1:27017 …          # a real MongoDB (scratch databases)
 *
 * The burst runs twice: through the tap (where the commands are counted) and straight to the store, since the tap
 * is a JavaScript proxy that decodes every command and adds its own hop to each round trip.
 */
import { contactIdFor, conversationIdFor, inboundMessageIdFor } from '../inbox/store/ids';
import { type WireCommand, WireTap } from '../test/support/wire-tap';
import {
  against,
  atRate,
  connectSocket,
  customer,
  dur,
  followUps,
  PASSWORD,
  postTelegram,
  type RunningGateway,
  runWhenMain,
  type Socket,
  signIn,
  sleep,
  startBenchGateway,
  summarize,
  type TelegramUser,
  table,
} from './kit';
import { benchStore } from './support';

const BURST = Number(process.env.BENCH_BURST ?? 40);
const RATE = Number(process.env.BENCH_BURST_RATE ?? 30);
const SAMPLES = 5;
const WARM_UP = 20;
const GOAL_P99_MS = 150;
const GOAL_NEW = 6;
const GOAL_RETURNING = 4;

/** Commands of the driver's own (monitoring, handshakes), never the app's work. */
const driverCommands = new Set(['hello', 'ismaster', 'isMaster', 'ping', 'endSessions', 'saslStart', 'saslContinue', 'buildInfo']);

function filterOf(command: WireCommand): Record<string, unknown> {
  const body = command.body;
  const first = (key: string) => (command.documents[key]?.[0] as { q?: Record<string, unknown> } | undefined)?.q;
  return (body.filter ?? body.query ?? first('updates') ?? first('deletes') ?? {}) as Record<string, unknown>;
}

/** `find conversations {_id}`: a command's kind, by its name, collection and the fields its filter names. */
const signature = (c: WireCommand) => `${c.name} ${c.collection ?? ''} {${Object.keys(filterOf(c)).sort().join(', ')}}`;

/** The ids one customer's message touches, as the hex strings the commands carry. */
function idsOf(user: TelegramUser, externalId: string): string[] {
  const contact = contactIdFor('telegram', String(user.id));
  return [contact, conversationIdFor(contact), inboundMessageIdFor(`telegram:${externalId}`)];
}

/**
 * Which commands were a message's work: those that name one of its ids, and those of a kind the idle gateway never
 * sends (the round-robin pick of an agent names only the online agents). What the job queue, the automations' pass
 * and the outbox send every second (seen while idle) is left out, and so are the driver's own commands.
 */
function workOf(commands: readonly WireCommand[], ids: readonly string[], idle: ReadonlySet<string>): WireCommand[] {
  return commands.filter((c) => {
    if (driverCommands.has(c.name)) return false;
    const text = JSON.stringify([c.body, c.documents]);
    if (ids.some((id) => text.includes(id))) return true;
    return !idle.has(signature(c));
  });
}

interface Setup {
  gateway: RunningGateway;
  supervisor: Socket;
  agents: Socket[];
  /** externalId → when its webhook was sent (performance.now()); socket receipts resolve against it. */
  sentAt: Map<string, number>;
  toSocket: Map<string, number>;
  close(): Promise<void>;
}

/** A gateway on `uri` with one supervisor and three agents online, the supervisor's socket timing every message. */
async function setUp(uri: string, tag: string): Promise<Setup> {
  const gateway = await startBenchGateway(uri);
  await gateway.inbox.agents.create({
    name: 'Supervisor',
    email: `supervisor-${tag}@shop.example`,
    password: PASSWORD,
    role: 'supervisor',
  });
  for (let i = 0; i < 3; i++)
    await gateway.inbox.agents.create({ name: `Agent ${i}`, email: `agent${i}-${tag}@shop.example`, password: PASSWORD, role: 'agent' });
  const supervisor = await connectSocket(gateway.url, await signIn(gateway.url, `supervisor-${tag}@shop.example`));
  const agents: Socket[] = [];
  for (let i = 0; i < 3; i++) agents.push(await connectSocket(gateway.url, await signIn(gateway.url, `agent${i}-${tag}@shop.example`)));
  const sentAt = new Map<string, number>();
  const toSocket = new Map<string, number>();
  supervisor.on('message:new', ({ message }: { message: { externalId: string | null } }) => {
    const started = message.externalId ? sentAt.get(message.externalId) : undefined;
    if (started !== undefined && message.externalId) toSocket.set(message.externalId, performance.now() - started);
  });
  return {
    gateway,
    supervisor,
    agents,
    sentAt,
    toSocket,
    close: async () => {
      for (const s of [supervisor, ...agents]) s.close();
      await gateway.close();
    },
  };
}

/** Sends one message and waits until the supervisor's socket has it (or 5 s passed). */
async function sendAndWait(s: Setup, user: TelegramUser, text: string): Promise<{ status: number; ms: number; externalId: string }> {
  const result = await postTelegram(s.gateway.url, user, text, (id) => s.sentAt.set(id, performance.now()));
  const deadline = Date.now() + 5000;
  while (!s.toSocket.has(result.externalId) && Date.now() < deadline) await sleep(5);
  return result;
}

interface BurstResult {
  ack: number[];
  socket: number[];
  errors: number;
  externalIds: string[];
  users: TelegramUser[];
}

/** `count` new customers' first messages at `rate` per second, each timed to its answer and to the socket. */
async function burst(s: Setup, first: number, count = BURST, idBase?: number): Promise<BurstResult> {
  const users: TelegramUser[] = [];
  const results = await atRate(count, RATE, (i) => {
    const c = customer(first + i, idBase);
    users.push(c.user);
    return postTelegram(s.gateway.url, c.user, c.text, (id) => s.sentAt.set(id, performance.now()));
  });
  const deadline = Date.now() + 10_000;
  while (results.some((r) => r.status === 200 && !s.toSocket.has(r.externalId)) && Date.now() < deadline) await sleep(10);
  return {
    ack: results.map((r) => r.ms),
    socket: results.flatMap((r) => {
      const ms = s.toSocket.get(r.externalId);
      return ms === undefined ? [] : [ms];
    }),
    errors: results.filter((r) => r.status < 200 || r.status > 299).length,
    externalIds: results.map((r) => r.externalId),
    users,
  };
}

/** A process's first burst runs cold (JIT, pools, the store's caches): a smaller one of other customers first. */
async function warmUp(s: Setup, first: number): Promise<void> {
  await burst(s, first, WARM_UP, 800_000_000);
  await sleep(2000);
}

const row = (label: string, values: readonly number[], goal?: string): string[] => {
  const s = summarize(values);
  return [label, String(s.n), dur(s.p50), dur(s.p99), dur(s.max), goal ?? ''];
};

/** `find contacts {_id}` lines, numbered. */
function listing(commands: readonly WireCommand[]): string {
  return commands.map((c, i) => `    ${String(i + 1).padStart(2)}. ${signature(c)}`).join('\n');
}

export async function runBurstBench(): Promise<void> {
  const stamp = Date.now();
  const tappedDb = `bench_burst_tap_${stamp}`;
  const directDb = `bench_burst_${stamp}`;
  const store = await benchStore(tappedDb);
  console.log(`store: ${store.kind}`);
  console.log(
    `${BURST} new Telegram customers (half Ukrainian, half English) write their first message at ${RATE}/s, signed webhooks over loopback;\n` +
      `one supervisor and three agents online (new conversations are assigned round-robin); a warm-up burst of ${WARM_UP} first\n`,
  );
  const tap = await WireTap.start(store.uri);
  let tapped: Setup | undefined;
  let direct: Setup | undefined;
  try {
    tapped = await setUp(tap.uri(tappedDb), 'tap');
    await warmUp(tapped, 0);

    // What the idle gateway sends (job queue, automations' pass, outbox poll): three seconds of it.
    await sleep(500);
    const idleFrom = tap.commands.length;
    await sleep(3000);
    const idle = new Set(tap.commands.slice(idleFrom).map(signature));

    const burstFrom = tap.commands.length;
    const viaTap = await burst(tapped, 0);
    await sleep(200);
    const burstIds = viaTap.users.flatMap((u, i) => idsOf(u, viaTap.externalIds[i] ?? ''));
    const burstWork = workOf(tap.commands.slice(burstFrom), burstIds, idle);

    // One message at a time, so every command in the window is that message's or the background's.
    const alone = async (user: TelegramUser, text: string) => {
      const from = tap.commands.length;
      const { externalId } = await sendAndWait(tapped as Setup, user, text);
      await sleep(150);
      return workOf(tap.commands.slice(from), idsOf(user, externalId), idle);
    };
    const fresh: WireCommand[][] = [];
    const returning: WireCommand[][] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const c = customer(100 + i, 810_000_000);
      fresh.push(await alone(c.user, c.text));
      returning.push(await alone(c.user, followUps[i % followUps.length] as string));
    }
    await tapped.close();
    tapped = undefined;

    direct = await setUp(store.uri.replace(`/${tappedDb}`, `/${directDb}`), 'direct');
    await warmUp(direct, 100);
    const straight = await burst(direct, 40);
    await direct.close();
    direct = undefined;

    const goal = (values: readonly number[]) => against(summarize(values).p99, GOAL_P99_MS, `${GOAL_P99_MS} ms (p99)`);
    table(
      ['', 'n', 'p50', 'p99', 'max', ''],
      [
        ['straight to the store', '', '', '', '', ''],
        row('  webhook → 2xx', straight.ack, goal(straight.ack)),
        row('  webhook → supervisor socket', straight.socket, goal(straight.socket)),
        ['through the wire tap', '', '', '', '', ''],
        row('  webhook → 2xx', viaTap.ack, goal(viaTap.ack)),
        row('  webhook → supervisor socket', viaTap.socket, goal(viaTap.socket)),
      ],
      { noteColumn: true },
    );
    const missing = (r: BurstResult) => BURST - r.socket.length;
    console.log(
      `non-2xx answers: ${straight.errors} straight, ${viaTap.errors} through the tap; not seen on the socket within 10 s: ${missing(straight)}, ${missing(viaTap)}`,
    );

    const counts = (list: WireCommand[][]) => list.map((l) => l.length).sort((a, b) => a - b);
    const med = (list: WireCommand[][]) => counts(list)[Math.floor(list.length / 2)] ?? Number.NaN;
    console.log(`\nstore commands per message (the wire tap; the job queue's, the automations' and the outbox's own polling left out)`);
    table(
      ['', 'median', `each of ${SAMPLES}`, ''],
      [
        [
          'new customer (first message, sent alone)',
          String(med(fresh)),
          counts(fresh).join(' '),
          against(med(fresh), GOAL_NEW, String(GOAL_NEW)),
        ],
        [
          'returning customer (a second message, still waiting)',
          String(med(returning)),
          counts(returning).join(' '),
          against(med(returning), GOAL_RETURNING, String(GOAL_RETURNING)),
        ],
        [
          `the burst: ${burstWork.length} commands for ${BURST} new customers`,
          (burstWork.length / BURST).toFixed(1),
          '',
          against(burstWork.length / BURST, GOAL_NEW, String(GOAL_NEW)),
        ],
      ],
      { noteColumn: true },
    );
    console.log(`\none new customer's first message, command by command (collection, and the fields its filter names):`);
    console.log(listing(fresh[0] ?? []));
    console.log(`one returning customer's message:`);
    console.log(listing(returning[0] ?? []));
  } finally {
    await tapped?.close().catch(() => undefined);
    await direct?.close().catch(() => undefined);
    await tap.close();
    await store.stop();
  }
}

runWhenMain(import.meta.url, runBurstBench);
