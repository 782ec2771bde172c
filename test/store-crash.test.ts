import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Document, MongoClient, MongoServerError } from 'mongodb';
import { startEmbeddedStore } from '../gateway/embedded-store';
import { killGroup } from './support/gateway-process';

/**
 * The embedded store's durability claim, tested by killing it for real: SQLite in WAL mode with synchronous=NORMAL
 * means a commit is in the WAL (the OS's page cache) before FerretDB acknowledges it, so a kill -9 of the whole
 * process group, the app and the FerretDB it started, loses nothing that was acknowledged. Only a power cut or a
 * kernel crash may lose the last commits, and that is not tested here.
 *
 * test/support/crash-writer.ts starts the store and writes until it is killed, telling each write before it goes
 * out and once it is acknowledged; this file kills its process group at a chosen moment, restarts the store on the
 * same files in this process and checks what survived against what was promised.
 */

const TIMEOUT = 120_000;
const WRITER = path.resolve('test/support/crash-writer.ts');
const KINDS = ['insert', 'inc', 'push', 'index', 'batch'] as const;
type Kind = (typeof KINDS)[number];

interface Writes {
  ready: boolean;
  sent: Record<Kind, string[]>;
  acked: Record<Kind, string[]>;
}

const acks = (w: Writes) => KINDS.reduce((sum, kind) => sum + w.acked[kind].length, 0);
const inFlight = (w: Writes) => KINDS.reduce((sum, kind) => sum + w.sent[kind].length - w.acked[kind].length, 0);

function record(writes: Writes, line: string): void {
  if (line === 'ready') {
    writes.ready = true;
    return;
  }
  const [what, kind, key, ...rest] = line.split(' ');
  if ((what !== 'send' && what !== 'ack') || !KINDS.includes(kind as Kind) || !key || rest.length) {
    throw new Error(`the writer printed ${JSON.stringify(line)}`);
  }
  writes[what === 'send' ? 'sent' : 'acked'][kind as Kind].push(key);
}

interface Proc {
  pid: number;
  pgid: number;
  state: string;
  cmdline: string;
}

/** Every process the kernel lists, read from /proc; one that ends while being read is left out. */
function processes(): Proc[] {
  const found: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name in parentheses may hold spaces and parentheses of its own; the fields follow the last ')'.
      const [state = '', , pgid = ''] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      found.push({ pid: Number(name), pgid: Number(pgid), state, cmdline });
    } catch {
      // it ended between the listing and the read
    }
  }
  return found;
}

// A zombie has closed its files and released its locks; it only waits for its parent (or init) to reap it.
const living = (p: Proc) => p.state !== 'Z' && p.state !== 'X';
/** The processes a kill of the group had to end: its members, and anything else with the data folder on its command line. */
const survivorsOf = (pgid: number, dataDir: string) =>
  processes().filter((p) => living(p) && (p.pgid === pgid || p.cmdline.includes(dataDir)));

interface Crash {
  writes: Writes;
  /** Acknowledgements the test had read when it decided to kill; the rest were already in the pipe. */
  acksSeenAtKill: number;
  groupAtKill: Proc[];
  walBytes: number;
}

/** Runs the writer on dataDir and SIGKILLs its process group as soon as `killWhen` holds, reading its output to the end. */
async function writeUntilKilled(dataDir: string, mode: 'steady' | 'batches', killWhen: (w: Writes) => boolean): Promise<Crash> {
  // detached: the writer leads a process group of its own, which FerretDB joins as its child.
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir, mode], { detached: true, stdio: 'pipe' });
  const pgid = child.pid;
  if (pgid === undefined) throw new Error('the writer did not start');
  const writes: Writes = {
    ready: false,
    sent: { insert: [], inc: [], push: [], index: [], batch: [] },
    acked: { insert: [], inc: [], push: [], index: [], batch: [] },
  };
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let killed: { acksSeenAtKill: number; groupAtKill: Proc[] } | undefined;
  let failure: unknown;
  const killTheGroup = () => killGroup(pgid);
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      record(writes, line);
      if (killed || !writes.ready || !killWhen(writes)) return;
      // Read in the same tick as the kill, so what it lists is what the kill hit.
      const groupAtKill = processes().filter((p) => p.pgid === pgid && living(p));
      killTheGroup();
      killed = { acksSeenAtKill: acks(writes), groupAtKill };
    } catch (e) {
      failure ??= e;
      if (!killed) killTheGroup();
    }
  });
  // A backstop past the writer's own 60 s limit, for a writer too stuck to keep it.
  const guard = setTimeout(() => killed || killTheGroup(), 70_000);
  try {
    await closed;
  } finally {
    clearTimeout(guard);
  }
  if (failure) throw failure;
  if (!killed) throw new Error(`the writer died (${child.signalCode ?? child.exitCode}) before the test killed it:\n${stderr}`);
  expect(child.signalCode).toBe('SIGKILL');

  // The kill really hit FerretDB: it was in the group when the kill was sent…
  const ferretdb = killed.groupAtKill.find((p) => /\bferretdb\b/.test(p.cmdline) && p.cmdline.includes(dataDir));
  if (!ferretdb) throw new Error(`no FerretDB on ${dataDir} in the group at the kill: ${JSON.stringify(killed.groupAtKill)}`);
  expect(killed.groupAtKill.map((p) => p.pid)).toContain(pgid);
  // …and nothing of the group, nor anything else on these files, lives on to write to them.
  const deadline = Date.now() + 10_000;
  while (survivorsOf(pgid, dataDir).length && Date.now() < deadline) await sleep(50);
  expect(survivorsOf(pgid, dataDir)).toEqual([]);

  const wal = path.join(dataDir, 'ferretdb', 'crash.sqlite-wal');
  return {
    writes,
    acksSeenAtKill: killed.acksSeenAtKill,
    groupAtKill: killed.groupAtKill,
    walBytes: existsSync(wal) ? statSync(wal).size : 0,
  };
}

interface Message {
  _id: string;
  channel: string;
  externalId: string;
  conversationId: string;
  text: string;
  checksum: string;
  receivedAt: Date;
}

const checksum = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
const missingFrom = (expected: readonly string[], present: Iterable<string>) => {
  const have = new Set(present);
  return expected.filter((key) => !have.has(key));
};

/** Restarts the store on the killed one's files and checks every acknowledged write against them; returns what survived. */
async function checkAfterRestart(dataDir: string, crash: Crash) {
  const { sent, acked } = crash.writes;
  const file = path.join(dataDir, 'ferretdb', 'crash.sqlite');
  // Bytes 18 and 19 of an SQLite file are its write and read versions, 2 in WAL mode: the mode the claim rests on.
  expect([...readFileSync(file).subarray(18, 20)]).toEqual([2, 2]);

  const store = await startEmbeddedStore({
    dataDir,
    database: 'crash',
    preferFerretdb: true,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const client = await MongoClient.connect(store.uri);
  try {
    const db = client.db();
    const messages = db.collection<Message>('messages');
    const tallies = db.collection<{ _id: string; n?: number; values?: string[] }>('tallies');

    const stored = await messages.find().toArray();
    const times = new Map<string, number>();
    for (const doc of stored) times.set(doc._id, (times.get(doc._id) ?? 0) + 1);
    expect(missingFrom(acked.insert, times.keys())).toEqual([]);
    expect([...times].filter(([, n]) => n > 1)).toEqual([]);
    expect(missingFrom([...times.keys()], sent.insert)).toEqual([]); // nothing that was never sent
    // Whole documents, not torn ones: each text still matches the checksum written with it.
    expect(stored.filter((d) => typeof d.text !== 'string' || checksum(d.text) !== d.checksum).map((d) => d._id)).toEqual([]);
    expect(await messages.countDocuments()).toBe(stored.length);

    const n = (await tallies.findOne({ _id: 'counter' }))?.n ?? 0;
    expect(n).toBeGreaterThanOrEqual(acked.inc.length);
    expect(n).toBeLessThanOrEqual(sent.inc.length);
    const values = (await tallies.findOne({ _id: 'log' }))?.values ?? [];
    expect(missingFrom(acked.push, values)).toEqual([]);
    expect(missingFrom(values, sent.push)).toEqual([]);
    expect(new Set(values).size).toBe(values.length);

    // An acknowledged index is still declared, still read by queries, and a unique one still enforced.
    const indexes = (await messages.listIndexes().toArray()).map((i: Document) => String(i.name));
    expect(missingFrom(acked.index, indexes)).toEqual([]);
    const last = stored.find((d) => d._id === acked.insert.at(-1));
    if (!last) throw new Error('no acknowledged insert to query by');
    const query = { conversationId: last.conversationId };
    const found = await messages.find(query).sort({ receivedAt: -1 }).toArray();
    expect(found.map((d) => d._id).sort()).toEqual(
      stored
        .filter((d) => d.conversationId === last.conversationId)
        .map((d) => d._id)
        .sort(),
    );
    expect(found.map((d) => d.receivedAt.getTime())).toEqual(found.map((d) => d.receivedAt.getTime()).sort((a, b) => b - a));
    const plan = JSON.stringify(await messages.find(query).sort({ receivedAt: -1 }).explain());
    expect(plan).toMatch(/USING (COVERING )?INDEX \S*conversationId_1_receivedAt_-1/);
    if (acked.index.includes('channel_1_externalId_1')) {
      const duplicate = { ...last, _id: `${last._id}-again` };
      await expect(messages.insertOne(duplicate)).rejects.toThrow(MongoServerError);
    }

    // And it takes new writes on top of the recovered ones.
    await messages.insertOne({ ...last, _id: 'after-restart', externalId: `${last.channel}:after-restart` });
    await tallies.updateOne({ _id: 'counter' }, { $inc: { n: 1 } }, { upsert: true });
    expect(await messages.countDocuments()).toBe(stored.length + 1);
    expect((await tallies.findOne({ _id: 'counter' }))?.n).toBe(n + 1);

    const survived = {
      acksSeenAtKill: crash.acksSeenAtKill,
      acked: acks(crash.writes),
      inFlight: inFlight(crash.writes),
      inserts: { acked: acked.insert.length, sent: sent.insert.length, stored: stored.length },
      incs: { acked: acked.inc.length, sent: sent.inc.length, n },
      pushes: { acked: acked.push.length, sent: sent.push.length, stored: values.length },
      batches: { acked: acked.batch.length, sent: sent.batch.length },
      indexes: acked.index,
      walBytes: crash.walBytes,
      killed: crash.groupAtKill.map((p) => `${p.pid} ${p.cmdline.split(' ')[0]}`),
    };
    process.stderr.write(`store-crash: ${JSON.stringify(survived)}\n`);
    return survived;
  } finally {
    await client.close();
    await store.stop();
  }
}

// The processes are seen to die through /proc: the suite runs on Linux, as CI does.
describe('a kill -9 of the process group running the embedded store', () => {
  let dataDir = '';
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'inbox-store-crash-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  test(
    'loses none of the first 50 acknowledged writes',
    async () => {
      const crash = await writeUntilKilled(dataDir, 'steady', (w) => acks(w) >= 50);
      // The kill cut writes mid-way: some were sent and never answered.
      expect(inFlight(crash.writes)).toBeGreaterThan(0);
      await checkAfterRestart(dataDir, crash);
    },
    TIMEOUT,
  );

  test(
    'loses none of 2,000 acknowledged writes when killed mid-stream',
    async () => {
      const crash = await writeUntilKilled(dataDir, 'steady', (w) => acks(w) >= 2_000);
      expect(inFlight(crash.writes)).toBeGreaterThan(0);
      await checkAfterRestart(dataDir, crash);
    },
    TIMEOUT,
  );

  test(
    'keeps a unique index built under concurrent writes when killed the moment it is acknowledged',
    async () => {
      const crash = await writeUntilKilled(dataDir, 'batches', (w) => w.acked.index.includes('channel_1_externalId_1'));
      expect(inFlight(crash.writes)).toBeGreaterThan(0);
      await checkAfterRestart(dataDir, crash);
    },
    TIMEOUT,
  );

  test(
    'keeps every document of the acknowledged insertMany batches when killed during a burst of them',
    async () => {
      const crash = await writeUntilKilled(dataDir, 'batches', (w) => w.acked.batch.length >= 40);
      // The kill cut batches mid-way, not only single writes (insertMany is not atomic, so part of one may be stored).
      expect(crash.writes.sent.batch.length).toBeGreaterThan(crash.writes.acked.batch.length);
      await checkAfterRestart(dataDir, crash);
    },
    TIMEOUT,
  );
});
