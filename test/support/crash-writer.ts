/**
 * The process test/store-crash.test.ts kills: it starts the embedded store (FerretDB on SQLite, a child of this
 * process and so in its process group) on <data-dir>, then writes from 8 concurrent writers until it is killed.
 * Every write is told on stdout twice, `send <kind> <key>` before it goes out and `ack <kind> <key>` once the store
 * acknowledged it, so the killer knows both what it was promised and what may at most have been written.
 *
 *   node --import tsx test/support/crash-writer.ts <data-dir> <steady|batches>
 *
 * steady:  insertOne of messages, $inc of one counter and $push to one array, mixed.
 * batches: the same until 300 acks, then a unique index is built while the writers go on, and after it insertMany
 *          of 20 messages takes the place of insertOne.
 *
 * Kinds and keys: `insert <_id>`, `inc <writer:seq>`, `push <value>`, `index <name>`, `batch <writer:seq>`.
 */
import { createHash } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { startEmbeddedStore } from '../../gateway/embedded-store';

const [dataDir, mode] = process.argv.slice(2);
if (!dataDir || (mode !== 'steady' && mode !== 'batches')) throw new Error('usage: crash-writer.ts <data-dir> <steady|batches>');

// It cannot outlive the test: when the test's end of stdin closes, or after a minute at most, it kills its own group
// (FerretDB included) just as the test would.
const killGroup = () => process.kill(0, 'SIGKILL');
process.stdin.on('end', killGroup);
process.stdin.resume();
setTimeout(killGroup, 60_000).unref();

const WRITERS = 8;
const BATCH = 20;
const INDEX_AFTER_ACKS = 300;
const CHANNELS = ['telegram', 'viber', 'whatsapp', 'instagram', 'email', 'form'] as const;
const CUSTOMERS = [
  { name: 'Олена Коваленко', handle: '@olena_k', locale: 'uk' },
  { name: 'Ann Miller', handle: 'ann.miller@example.com', locale: 'en' },
  { name: 'Тарас Шевчук', handle: '+380501234567', locale: 'uk' },
  { name: 'James O’Connor', handle: '@jamesoc', locale: 'en' },
] as const;
const TEXTS = [
  'Добрий день! Замовлення №{n} досі не надійшло, хоча минуло вже п’ять днів. Трекінг-номер показує, що посилка ' +
    'застрягла у Львові на сортувальному центрі. Чи можете ви перевірити, що сталося, і сказати, коли її чекати? ' +
    'Якщо доставка неможлива, прошу повернути кошти на картку, з якої я платила. Дякую за допомогу!',
  'Hello, I was charged twice for order #{n} (two identical payments of 1 249 UAH on my statement). Could you please ' +
    'refund the duplicate? I have attached a screenshot from my banking app. Also, the invoice you emailed has the ' +
    'wrong company name — it should read “Green Field LLC”, not “Greenfield Ltd”. Thanks in advance.',
  'Вітаю. Хочу змінити адресу доставки для замовлення №{n}: замість вул. Хрещатик, 22, кв. 15 потрібно вул. Сагайдачного, ' +
    '4, офіс 301, Київ. Отримувач той самий. Зателефонуйте, будь ласка, кур’єру перед виїздом — у нас пропускна система, ' +
    'і без дзвінка на ресепшн його не пустять. Hi, and if it is easier, I can pick it up myself.',
  'Hi there — the size M hoodie from order #{n} arrived but it is more like an XS. I would like to exchange it for an L ' +
    'if you have it in stock in the same colour (forest green). If not, a refund is fine. Should I use the prepaid ' +
    'label from the box or will your courier collect it? Дякую, гарного дня!',
] as const;

const checksum = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** An inbound message as the inbox stores it, about 1 KB of BSON. */
function message(_id: string, n: number) {
  const channel = CHANNELS[n % CHANNELS.length] ?? 'telegram';
  const customer = CUSTOMERS[n % CUSTOMERS.length] ?? CUSTOMERS[0];
  const text = (TEXTS[n % TEXTS.length] ?? TEXTS[0]).replace('{n}', String(100_000 + n));
  return {
    _id,
    channel,
    externalId: `${channel}:${_id}`,
    conversationId: `conv-${n % 37}`,
    direction: 'inbound',
    from: customer,
    text,
    checksum: checksum(text),
    receivedAt: new Date(),
    attachments: n % 3 === 0 ? [{ kind: 'photo', fileId: `AgACAgIAAxkBAAI${n}`, bytes: 48_213 + n }] : [],
    tags: ['new', customer.locale],
  };
}

const say = (lines: string[]) => process.stdout.write(`${lines.join('\n')}\n`);

const store = await startEmbeddedStore({
  dataDir,
  database: 'crash',
  preferFerretdb: true,
  log: (line) => process.stderr.write(`${line}\n`),
});
const client = await MongoClient.connect(store.uri, { maxPoolSize: WRITERS * 2 });
const db = client.db();
const messages = db.collection<ReturnType<typeof message>>('messages');
const tallies = db.collection<{ _id: string; n?: number; values?: string[] }>('tallies');

async function createIndex(name: string, create: () => Promise<string>): Promise<void> {
  say([`send index ${name}`]);
  const got = await create();
  if (got !== name) throw new Error(`createIndex named it ${got}, not ${name}`);
  say([`ack index ${name}`]);
}

await createIndex('conversationId_1_receivedAt_-1', () => messages.createIndex({ conversationId: 1, receivedAt: -1 }));
say(['ready']);

let acks = 0;
let indexing = false;
let batching = false;

async function writer(w: number): Promise<never> {
  for (let seq = 0; ; seq++) {
    const n = w * 1_000_000 + seq;
    const key = `${w}:${seq}`;
    const op = seq % 5;
    if (op === 0) {
      say([`send inc ${key}`]);
      await tallies.updateOne({ _id: 'counter' }, { $inc: { n: 1 } }, { upsert: true });
      say([`ack inc ${key}`]);
    } else if (op === 1) {
      say([`send push ${key}`]);
      await tallies.updateOne({ _id: 'log' }, { $push: { values: key } }, { upsert: true });
      say([`ack push ${key}`]);
    } else if (mode === 'batches' && !indexing && acks >= INDEX_AFTER_ACKS) {
      // Built by this writer while the other seven keep inserting one by one; none of them waits for it.
      indexing = true;
      await createIndex('channel_1_externalId_1', () => messages.createIndex({ channel: 1, externalId: 1 }, { unique: true }));
      batching = true;
    } else if (batching) {
      const docs = Array.from({ length: BATCH }, (_, i) => message(`b${w}-${seq}-${i}`, n + i));
      say([`send batch ${key}`, ...docs.map((d) => `send insert ${d._id}`)]);
      await messages.insertMany(docs);
      say([...docs.map((d) => `ack insert ${d._id}`), `ack batch ${key}`]);
    } else {
      const doc = message(`m${w}-${seq}`, n);
      say([`send insert ${doc._id}`]);
      await messages.insertOne(doc);
      say([`ack insert ${doc._id}`]);
    }
    acks++;
  }
}

await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w))).catch((e: unknown) => {
  // Exiting on the error would leave FerretDB running; the test tells this death from its own kill.
  process.stderr.write(`crash-writer: ${e instanceof Error ? e.stack : String(e)}\n`);
  killGroup();
});
