/**
 * 2,000 managers connected to one gateway process: agents and supervisors created with inbox.agents.create, each
 * signed in over the API, each with a socket of their own; then customers write (20 messages/s for 10 s) and every
 * broadcast is timed from its webhook to every supervisor's socket. The gateway runs in this process, the sockets'
 * client side in child processes (bench/fanout-clients.ts), so this process's RSS before and after connecting is the
 * gateway's own cost of the connections, and the clients' memory is reported apart.
 *
 *   node --import tsx bench/fanout.ts                  # alone
 *   BENCH_MANAGERS=2000 BENCH_SUPERVISORS=400 …        # sockets in all, and how many of them are supervisors'
 *   BENCH_FANOUT_ACCOUNTS=200 …                        # fewer accounts, several sockets each (a quicker setup:
 *                                                      # each account costs two scrypt hashes, ~0.3 s of a core each)
 *   BENCH_FANOUT_RATE=20 BENCH_FANOUT_SECONDS=10 …     # the messages
 *   BENCH_FANOUT_CHILDREN=2 …                          # client processes
 *   MONGODB_URI=mongodb://127.0.0.1:27017 …            # a real MongoDB (a scratch database)
 */
import { fileURLToPath } from 'node:url';
import { inboundMessageIdFor } from '../inbox/store/ids';
import { BenchChild } from './child';
import type { FromClients, ToClients } from './fanout-clients';
import {
  atRate,
  customer,
  dur,
  fileDescriptors,
  followUps,
  machineLoad,
  mib,
  num,
  PASSWORD,
  postTelegram,
  runWhenMain,
  signIn,
  sleep,
  startBenchGateway,
  summarize,
  type TelegramUser,
  table,
  wallNow,
} from './kit';
import { benchStore } from './support';

const MANAGERS = Number(process.env.BENCH_MANAGERS ?? 2000);
const SUPERVISORS = Math.min(MANAGERS, Number(process.env.BENCH_SUPERVISORS ?? 400));
const ACCOUNTS = Math.min(MANAGERS, Number(process.env.BENCH_FANOUT_ACCOUNTS ?? MANAGERS));
const RATE = Number(process.env.BENCH_FANOUT_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_FANOUT_SECONDS ?? 10);
const CHILDREN = Math.max(1, Number(process.env.BENCH_FANOUT_CHILDREN ?? 2));
/** A new customer every NEW_EVERY-th message; the others write again. */
const NEW_EVERY = 5;
/** scrypt runs on libuv's four threads. */
const HASHING = 4;

type Role = 'agent' | 'supervisor';

async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

/** A client process and a way to ask it something and await its answer of a kind. */
const rssNow = () => process.memoryUsage().rss;

export async function runFanoutBench(): Promise<void> {
  const store = await benchStore(`bench_fanout_${Date.now()}`);
  const gateway = await startBenchGateway(store.uri);
  const children: BenchChild<ToClients, FromClients>[] = [];
  try {
    const supervisorAccounts = Math.max(1, Math.round((ACCOUNTS * SUPERVISORS) / MANAGERS));
    const agentAccounts = Math.max(SUPERVISORS < MANAGERS ? 1 : 0, ACCOUNTS - supervisorAccounts);
    const fdsAtStart = fileDescriptors();
    console.log(`store: ${store.kind}; ${machineLoad()}`);
    console.log(
      `${num(MANAGERS)} managers' sockets on one gateway process: ${num(SUPERVISORS)} supervisors, ${num(MANAGERS - SUPERVISORS)} agents, ` +
        `${num(supervisorAccounts + agentAccounts)} accounts (created with inbox.agents.create, each signed in over POST /api/auth/login);\n` +
        `the gateway runs in this process (the store is a process of its own), the sockets' client side in ${CHILDREN} child processes`,
    );
    console.log(`file descriptors of this process: limit ${fdsAtStart.limit} (ulimit -n), ${fdsAtStart.open} open at start\n`);

    // Accounts: scrypt makes each creation and each sign-in cost ~0.3 s of a core, so this is the slow part.
    let started = performance.now();
    const accounts = [
      ...Array.from({ length: supervisorAccounts }, (_, i) => ({ role: 'supervisor' as Role, email: `supervisor${i}@fanout.example` })),
      ...Array.from({ length: agentAccounts }, (_, i) => ({ role: 'agent' as Role, email: `agent${i}@fanout.example` })),
    ];
    const progress = (what: string, done: number, since: number) => {
      if (done % 500 === 0 && done < accounts.length)
        console.log(`  ${what} ${num(done)} of ${num(accounts.length)} (${dur(performance.now() - since)})`);
    };
    let done = 0;
    await pool(accounts.length, HASHING, async (i) => {
      const a = accounts[i] as { role: Role; email: string };
      await gateway.inbox.agents.create({ name: `${a.role} ${i}`, email: a.email, password: PASSWORD, role: a.role });
      progress('created', ++done, started);
    });
    const createdMs = performance.now() - started;
    started = performance.now();
    done = 0;
    const tokens = await pool(accounts.length, HASHING, async (i) => {
      const token = await signIn(gateway.url, (accounts[i] as { email: string }).email);
      progress('signed in', ++done, started);
      return token;
    });
    const signedInMs = performance.now() - started;
    const supervisorTokens = tokens.slice(0, supervisorAccounts);
    const agentTokens = tokens.slice(supervisorAccounts);
    const clients = Array.from({ length: MANAGERS }, (_, j) =>
      j < SUPERVISORS
        ? { token: supervisorTokens[j % supervisorAccounts] as string, role: 'supervisor' as Role }
        : { token: agentTokens[(j - SUPERVISORS) % agentAccounts] as string, role: 'agent' as Role },
    );
    console.log(`${num(accounts.length)} accounts created in ${dur(createdMs)}, signed in in ${dur(signedInMs)}`);

    const script = fileURLToPath(new URL('./fanout-clients.ts', import.meta.url));
    for (let c = 0; c < CHILDREN; c++) {
      children.push(new BenchChild<ToClients, FromClients>(script));
    }
    const childBaseline = (await Promise.all(children.map((c) => c.ready))).map((r) => r.rss);

    await sleep(1000);
    const before = { rss: rssNow(), heap: process.memoryUsage().heapUsed, fds: fileDescriptors().open };
    started = performance.now();
    const share = Math.ceil(MANAGERS / CHILDREN);
    const connected = await Promise.all(
      children.map((c, k) =>
        c.ask({ type: 'connect', url: gateway.url, clients: clients.slice(k * share, (k + 1) * share), concurrency: 25 }, 'connected'),
      ),
    );
    const connectMs = performance.now() - started;
    await sleep(2000);
    const after = { rss: rssNow(), heap: process.memoryUsage().heapUsed, fds: fileDescriptors().open };
    const childAfter = connected.map((c) => c.rss);
    const up = connected.reduce((n, c) => n + c.connected, 0);
    const failed = connected.reduce((n, c) => n + c.failed, 0);
    const firstError = connected.find((c) => c.error)?.error;
    console.log(
      `${num(up)} of ${num(MANAGERS)} sockets connected in ${dur(connectMs)}${failed ? `; ${failed} failed (${firstError})` : ''}; ` +
        `open file descriptors of this process ${before.fds} → ${after.fds}`,
    );
    const upSupervisors = connected.reduce((n, c) => n + c.supervisors, 0);

    // Customers write: a new one every NEW_EVERY-th message (assigned round-robin among the online agents).
    const total = RATE * SECONDS;
    const sentAt = new Map<string, number>();
    const firstMessages = new Set<string>();
    const users: TelegramUser[] = [];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const results = await atRate(total, RATE, (i) => {
      let user: TelegramUser;
      let text: string;
      if (i % NEW_EVERY === 0) {
        const c = customer(users.length, 900_000_000);
        users.push(c.user);
        ({ user, text } = c);
      } else {
        user = users[Math.floor(random() * users.length)] as TelegramUser;
        text = followUps[i % followUps.length] as string;
      }
      const first = i % NEW_EVERY === 0;
      return postTelegram(gateway.url, user, text, (id) => {
        sentAt.set(id, wallNow());
        if (first) firstMessages.add(id);
      });
    });
    const acked = results.filter((r) => r.status >= 200 && r.status < 300);
    const expected = acked.length * upSupervisors;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const counts = await Promise.all(children.map((c) => c.ask({ type: 'count' }, 'count')));
      if (counts.reduce((n, c) => n + c.supervisor, 0) >= expected || Date.now() > deadline) break;
      await sleep(200);
    }
    const reports = await Promise.all(children.map((c) => c.ask({ type: 'report' }, 'report')));
    const afterMessages = rssNow();

    const toSupervisor: number[] = [];
    const toAgent: number[] = [];
    const lastSupervisor = new Map<string, number>();
    for (const report of reports) {
      for (let k = 0; k < report.ids.length; k++) {
        const id = report.ids[k] as string;
        const sent = sentAt.get(id);
        if (sent === undefined) continue;
        const ms = (report.at[k] as number) - sent;
        if (report.roles[k] === 'supervisor') {
          toSupervisor.push(ms);
          lastSupervisor.set(id, Math.max(lastSupervisor.get(id) ?? 0, ms));
        } else toAgent.push(ms);
      }
    }

    console.log(
      `\n${num(total)} messages at ${RATE}/s for ${SECONDS} s (a new customer every ${NEW_EVERY}th), each broadcast to the ${num(upSupervisors)} ` +
        'supervisors and to its assignee (or the unassigned queue); the clock: performance.timeOrigin + now() in both processes',
    );
    const row = (label: string, values: readonly number[], note = ''): string[] => {
      const s = summarize(values);
      return [label, num(s.n), dur(s.p50), dur(s.p99), dur(s.max), note];
    };
    table(
      ['', 'receipts', 'p50', 'p99', 'max', ''],
      [
        row(
          'webhook → 2xx',
          results.map((r) => r.ms),
          `${total - acked.length} not 2xx`,
        ),
        row('webhook → each supervisor socket', toSupervisor, `${num(expected - toSupervisor.length)} of ${num(expected)} missing`),
        row('webhook → its last supervisor socket', [...lastSupervisor.values()], 'the whole broadcast, per message'),
        row('webhook → agents (assignee or queue)', toAgent),
      ],
      { noteColumn: true },
    );

    // A message answered 2xx that no supervisor ever saw: say which, and what the store holds of it.
    for (const r of acked) {
      if (lastSupervisor.has(r.externalId)) continue;
      const stored = await gateway.inbox.models.Message.findById(inboundMessageIdFor(`telegram:${r.externalId}`)).lean();
      console.log(
        `never on a supervisor's socket: ${r.externalId} (${firstMessages.has(r.externalId) ? "a new customer's first message" : 'a returning customer'}, ` +
          `answered ${r.status} in ${dur(r.ms)}; in the store: ${stored ? `yes${stored.pending ? ', still pending' : ''}` : 'no'})`,
      );
    }

    const perChild = (values: number[]) => values.map(mib).join(' + ');
    console.log('\nmemory, RSS');
    table(
      ['', 'before connecting', 'connected', 'after the messages', ''],
      [
        [
          'this process (gateway, in-process)',
          mib(before.rss),
          mib(after.rss),
          mib(afterMessages),
          `+${mib(after.rss - before.rss)} for ${num(up)} sockets, ${num((after.rss - before.rss) / Math.max(1, up) / 1024)} KiB each`,
        ],
        ['  of it JS heap used', mib(before.heap), mib(after.heap), '', ''],
        [
          `client processes (${CHILDREN})`,
          perChild(childBaseline),
          perChild(childAfter),
          perChild(reports.map((r) => r.rss)),
          `+${mib(childAfter.reduce((a, b) => a + b, 0) - childBaseline.reduce((a, b) => a + b, 0))} for the clients`,
        ],
      ],
      { noteColumn: true },
    );
    console.log(machineLoad());
  } finally {
    await Promise.all(children.map((c) => c.close()));
    await gateway.close();
    await store.stop();
  }
}

runWhenMain(import.meta.url, runFanoutBench);
