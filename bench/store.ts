/**
 * The store's primitives at 100,000 message documents of about 1 KB: the lookups, updates, ranges and sorted first
 * pages the inbox sends, each on a declared index, and insertOne from 16 concurrent inserters. Nothing of the
 * gateway runs, so these are the floor under every figure of the other benchmarks.
 *
 *   npm run bench                                          # every benchmark, this one first
 *   node --import tsx bench/store.ts                       # this one alone
 *   BENCH_STORE_DOCS=5000 node --import tsx bench/store.ts # a quick trial
 *   BENCH_STORE_CAP_S=30 …                                 # seconds one operation may spend sampling (default 60)
 *   BENCH_UNPATCHED_FERRETDB=/path/to/ferretdb …           # also measure another FerretDB build (e.g. upstream's)
 *   MONGODB_URI=mongodb://127.0.0.1:27017 …                # a real MongoDB (a scratch database, dropped after)
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { BSON, type Collection, MongoClient, ObjectId } from 'mongodb';
import { benchStore, fmt, percentile } from './support';

const DAY = 24 * 3600_000;
const DOC_BYTES = 1024;
const BATCH = 1000;
const DUE = 10;
/** Messages per conversation, so a conversation's page of 50 is a whole conversation. */
const PER_CONVERSATION = 50;
const INSERTERS = 16;
const INSERT_ROUNDS = 3;
const INSERTS_PER_ROUND = 1600;

interface Message {
  _id: ObjectId;
  conversationId: ObjectId;
  channel: string;
  direction: 'in' | 'out';
  status: string;
  text: string;
  createdAt: Date;
  dueAt: Date;
  meta: { externalId: string };
}

const channels = ['telegram', 'telegram', 'telegram', 'viber', 'whatsapp', 'whatsapp', 'instagram', 'email', 'api'];
const outStatuses = ['sent', 'sent', 'delivered', 'delivered', 'read', 'queued', 'failed'];
const phrases = [
  'Доброго дня! Чи є в наявності кросівки 39 розміру?',
  'Hello, is the order still on its way? The tracking number does not work.',
  'Дякуємо, замовлення оформлено. Очікуйте дзвінка менеджера.',
  'Скільки коштує доставка до Львова Новою поштою?',
  'Could you send the invoice to our accounting department, please?',
  'Передзвоніть мені, будь ласка, після шостої вечора.',
  'The parcel arrived damaged, what should I do now?',
  'Чи можна оплатити частинами або карткою при отриманні?',
];

let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

/** Phrases from the pool until the UTF-8 budget, then ASCII padding: Cyrillic is two bytes a letter. */
function textOf(i: number, bytes: number): string {
  let text = '';
  for (let k = i; ; k++) {
    const next = `${text}${text ? ' ' : ''}${phrases[k % phrases.length]}`;
    if (Buffer.byteLength(next) > bytes) break;
    text = next;
  }
  return text.padEnd(text.length + bytes - Buffer.byteLength(text), '.');
}

const dur = (ms: number) => (ms < 1000 ? `${fmt(ms, ms < 10 ? 2 : 1)} ms` : `${fmt(ms / 1000, 2)} s`);
const num = (n: number) => n.toLocaleString('en');
const log = (line: string) => process.stdout.write(`${line}\n`);
const row = (op: string, n: string, median: string, max: string, note = '') =>
  log(`${op.padEnd(58)} ${n.padStart(5)} ${median.padStart(10)} ${max.padStart(10)}  ${note}`.trimEnd());

async function versionLine(client: MongoClient): Promise<string> {
  const info = await client.db().admin().command({ buildInfo: 1 });
  return `server: ${info.ferretdbVersion ? `FerretDB ${info.ferretdbVersion}` : `MongoDB ${info.version}`}`;
}

/** One sample: the call that is timed, and what was wrong with its result (checked off the clock). */
interface Sample<T> {
  run: () => Promise<T>;
  check: (result: T) => string | undefined;
}

/**
 * Samples one operation: 7 times, or 3 once a sample takes over a second, and no more once the operation has spent
 * the cap, since an engine that scans the table for it would otherwise take the whole run. Each result is checked,
 * so a fast wrong answer does not pass for a fast one.
 */
async function measure<T>(op: string, capMs: number, next: () => Sample<T>): Promise<void> {
  const times: number[] = [];
  let target = 7;
  let spent = 0;
  let problem: string | undefined;
  try {
    while (times.length < target && spent < capMs) {
      const sample = next();
      const start = performance.now();
      const result = await sample.run();
      const took = performance.now() - start;
      problem ??= sample.check(result);
      times.push(took);
      spent += took;
      if (took > 1000) target = 3;
    }
  } catch (err) {
    problem = `failed after ${dur(spent)}: ${err instanceof Error ? err.message : String(err)}`;
  }
  times.sort((a, b) => a - b);
  const capped = times.length < target && !problem ? `capped at ${dur(capMs)}` : undefined;
  row(op, String(times.length), dur(percentile(times, 50)), dur(times.at(-1) ?? Number.NaN), problem ?? capped);
}

/** Concurrent inserters in rounds: the rate of each round, and the latency of every insert. */
async function insertRounds(messages: Collection<Message>, next: () => Message, deadlineMs: number): Promise<void> {
  const rates: number[] = [];
  const latencies: number[] = [];
  for (let round = 0; round < INSERT_ROUNDS; round++) {
    let left = INSERTS_PER_ROUND;
    let done = 0;
    const deadline = Date.now() + deadlineMs;
    const worker = async () => {
      while (left > 0 && Date.now() < deadline) {
        left--;
        const start = performance.now();
        await messages.insertOne(next());
        latencies.push(performance.now() - start);
        done++;
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: INSERTERS }, worker));
    rates.push(done / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  latencies.sort((a, b) => a - b);
  const perSecond = (n: number) => `${fmt(n, 0)}/s`;
  row(
    `insertOne, ${INSERTERS} concurrent: docs/s of a round`,
    String(rates.length),
    perSecond(percentile(rates, 50)),
    perSecond(rates.at(-1) ?? 0),
  );
  row(
    `insertOne, ${INSERTERS} concurrent: latency of one insert`,
    String(latencies.length),
    dur(percentile(latencies, 50)),
    dur(latencies.at(-1) ?? Number.NaN),
    `p99 ${dur(percentile(latencies, 99))}`,
  );
}

/** The primitives on this repository's store, then (with BENCH_UNPATCHED_FERRETDB) on another FerretDB build. */
export async function runStoreBench(): Promise<void> {
  await runOn(undefined);
  const other = process.env.BENCH_UNPATCHED_FERRETDB;
  if (other) {
    log(`\n-- the same on ${other}\n`);
    await runOn(other);
  }
}

async function runOn(ferretdbBinary: string | undefined): Promise<void> {
  const DOCS = Number(process.env.BENCH_STORE_DOCS ?? 100_000);
  if (!(Number.isInteger(DOCS) && DOCS >= DUE)) throw new Error(`BENCH_STORE_DOCS must be an integer of at least ${DUE}`);
  const capMs = Number(process.env.BENCH_STORE_CAP_S ?? 60) * 1000;
  if (!(capMs > 0)) throw new Error('BENCH_STORE_CAP_S must be a positive number');

  const store = await benchStore(`bench_store_${randomUUID().slice(0, 8)}`, ferretdbBinary);
  const client = await MongoClient.connect(store.uri);
  const db = client.db();
  const messages = db.collection<Message>('messages');
  try {
    log(`store: ${store.kind}`);
    log(await versionLine(client));

    const now = Date.now();
    const conversationCount = Math.max(1, Math.round(DOCS / PER_CONVERSATION));
    const conversationIds = Array.from({ length: conversationCount }, () => new ObjectId());
    const ids: ObjectId[] = [];
    /** Evenly through the table, so no engine finds them all at its start. */
    const dueAt = new Map(Array.from({ length: DUE }, (_, k) => [Math.floor(((k + 0.5) * DOCS) / DUE), new Date(now - (k + 1) * 60_000)]));
    let bsonBytes = 0;
    const message = (i: number): Message => {
      const out = i % 2 === 1;
      const doc: Message = {
        _id: new ObjectId(),
        // Round-robin: a conversation's messages lie spread over the table, as they arrive between others.
        conversationId: conversationIds[i % conversationCount] as ObjectId,
        channel: pick(channels),
        direction: out ? 'out' : 'in',
        status: out ? pick(outStatuses) : 'received',
        text: '',
        // Stored in the order they were written, the loaded ones over the last 90 days.
        createdAt: new Date(now - 90 * DAY + Math.floor((i * 90 * DAY) / DOCS)),
        dueAt: dueAt.get(i) ?? new Date(now + DAY + random() * 365 * DAY),
        meta: { externalId: `tg:${1_000_000_000 + i}` },
      };
      doc.text = textOf(i, DOC_BYTES - BSON.calculateObjectSize(doc));
      bsonBytes += BSON.calculateObjectSize(doc);
      return doc;
    };

    // Indexes first, then the data, as the gateway does: every load pays for its indexes.
    await messages.createIndexes([
      { key: { conversationId: 1, createdAt: 1 } },
      { key: { dueAt: 1 } },
      { key: { 'meta.externalId': 1 }, unique: true },
      { key: { createdAt: -1 } },
      { key: { status: 1 } },
    ]);
    const loadStart = performance.now();
    for (let i = 0; i < DOCS; ) {
      const batch: Message[] = [];
      for (; batch.length < BATCH && i < DOCS; i++) batch.push(message(i));
      await messages.insertMany(batch, { ordered: false });
      for (const doc of batch) ids.push(doc._id);
    }
    const loadMs = performance.now() - loadStart;

    const count = await messages.countDocuments({});
    const stats = await db.command({ collStats: 'messages' }).catch(() => ({}) as Record<string, unknown>);
    const mb = (v: unknown) => (typeof v === 'number' ? `${fmt(v / 2 ** 20)} MB` : '—');
    log(
      `documents: ${num(count)} in 'messages', ${fmt(bsonBytes / DOCS, 0)} B each (BSON), ${mb(bsonBytes)} in all; ` +
        `collStats size ${mb(stats.size)}, storage ${mb(stats.storageSize)}, indexes ${mb(stats.totalIndexSize)} (${stats.nindexes ?? '—'})`,
    );
    log(
      `loaded with insertMany × ${BATCH.toLocaleString('en')}, indexes declared first: ${dur(loadMs)} (${num(Math.round(DOCS / (loadMs / 1000)))} docs/s)`,
    );
    log(`cap per operation: ${dur(capMs)} of samples (also its maxTimeMS)\n`);
    row('operation', 'n', 'median', 'max', 'note');

    /** A different document each sample, so no sample reads what the last one cached. */
    const anyDoc = () => Math.floor(random() * DOCS);
    const externalIdOf = (i: number) => `tg:${1_000_000_000 + i}`;
    /** Conversation c's messages are the c-th, (c + n)-th, … written, in the order written. */
    const messagesOf = (c: number) => ids.filter((_, i) => i % conversationCount === c);
    const sameIds = (want: ObjectId[]) => (got: { _id: ObjectId }[]) =>
      got.length === want.length && got.every((d, k) => d._id.equals(want[k] as ObjectId))
        ? undefined
        : `wrong result: ${got.length} documents, not the ${want.length} expected in order`;
    const maxTimeMS = capMs;

    await measure('findOne by _id', capMs, () => {
      const k = anyDoc();
      return {
        run: () => messages.findOne({ _id: ids[k] as ObjectId }, { maxTimeMS }),
        check: (doc) => (doc?.meta.externalId === externalIdOf(k) ? undefined : 'wrong document'),
      };
    });
    await measure('updateOne by _id ($set status, $inc attempts)', capMs, () => {
      const id = ids[anyDoc()] as ObjectId;
      return {
        run: () => messages.updateOne({ _id: id }, { $set: { status: 'read' }, $inc: { attempts: 1 } }),
        check: (result) => (result.matchedCount === 1 && result.modifiedCount === 1 ? undefined : `matched ${result.matchedCount}`),
      };
    });
    await measure("findOne by 'meta.externalId' (unique)", capMs, () => {
      const k = anyDoc();
      return {
        run: () => messages.findOne({ 'meta.externalId': externalIdOf(k) }, { maxTimeMS }),
        check: (doc) => (doc?._id.equals(ids[k] as ObjectId) ? undefined : 'wrong document'),
      };
    });
    await measure(`find by conversationId, limit 50 (of ${PER_CONVERSATION})`, capMs, () => {
      const c = anyDoc() % conversationCount;
      const conversationId = conversationIds[c] as ObjectId;
      const want = Math.min(50, messagesOf(c).length);
      return {
        run: () => messages.find({ conversationId }, { maxTimeMS }).limit(50).toArray(),
        check: (docs) =>
          docs.length === want && docs.every((d) => d.conversationId.equals(conversationId))
            ? undefined
            : `wrong result: ${docs.length} documents, not ${want}`,
      };
    });
    await measure(`find dueAt <= now (${DUE} due of ${num(DOCS)})`, capMs, () => ({
      run: () => messages.find({ dueAt: { $lte: new Date(now) } }, { maxTimeMS }).toArray(),
      check: (docs) => (docs.length === DUE ? undefined : `wrong result: ${docs.length} documents, not ${DUE}`),
    }));
    await measure('find {} sort createdAt -1, limit 20 (first page)', capMs, () => ({
      run: () => messages.find({}, { maxTimeMS }).sort({ createdAt: -1 }).limit(20).toArray(),
      check: sameIds(ids.slice(-20).reverse()),
    }));
    await measure('find by conversationId sort createdAt 1, limit 20', capMs, () => {
      const c = anyDoc() % conversationCount;
      return {
        run: () =>
          messages
            .find({ conversationId: conversationIds[c] as ObjectId }, { maxTimeMS })
            .sort({ createdAt: 1 })
            .limit(20)
            .toArray(),
        check: sameIds(messagesOf(c).slice(0, 20)),
      };
    });

    let inserted = DOCS;
    // New messages, as the gateway writes them: due far ahead, each with its own externalId.
    await insertRounds(messages, () => message(inserted++), capMs);
    log(`\n${num(inserted - DOCS)} documents inserted by insertOne after the ${num(DOCS)} loaded`);
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
    await store.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runStoreBench().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
