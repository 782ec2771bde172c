/**
 * The managers' pages at scale: 100,000 conversations and 1,000,000 messages (with their 100,000 contacts) loaded
 * straight into the store with insertMany, shaped as the gateway stores them (inbox/store/mongo/models.ts), then the
 * inbox's first page (unfiltered, and filtered as the API allows: status, channel, an assignee, the unassigned
 * queue, an agent's own view) and a conversation's first page of messages, timed over HTTP.
 *
 *   node --import tsx bench/inbox-pages.ts             # alone
 *   BENCH_SCALE=0.1 …                                  # a tenth of the documents (10,000 conversations, 100,000 messages)
 *   BENCH_PAGE_SAMPLES=7 …                             # samples per request (3 when the first took over a second)
 *   MONGODB_URI=mongodb://127.0.0.1:27017 …            # a real MongoDB (a scratch database)
 *
 * The gateway is started first, so its indexes exist while the documents go in, as they would in production. The
 * loaded conversations carry no pending due time (escalation, first-response alerts), so the automations' pass
 * has nothing to act on and the timings are the pages' alone.
 */
import { MongoClient, ObjectId } from 'mongodb';
import { decodeCursor, encodeCursor } from '../inbox/cursor';
import { contactIdFor, conversationIdFor, inboundMessageIdFor } from '../inbox/store/ids';
import type { Channel } from '../shared/channels';
import { dur, machineLoad, median, num, PASSWORD, runWhenMain, signIn, startBenchGateway, table } from './kit';
import { benchStore } from './support';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const CONVERSATIONS = Math.round(100_000 * SCALE);
const MESSAGES = Math.max(CONVERSATIONS, Math.round(1_000_000 * SCALE));
/** One regular customer with a long history: the worst case of a conversation's first page. */
const LONGEST = Math.max(60, Math.round(2_000 * SCALE));
const AGENTS = 20;
const SAMPLES = Number(process.env.BENCH_PAGE_SAMPLES ?? 7);
const BATCH = 1000;
const DAY = 24 * 3600_000;

let seed = 20240601;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
function weighted<T>(entries: readonly [T, number][]): T {
  let u = random() * entries.reduce((n, [, w]) => n + w, 0);
  for (const [value, w] of entries) {
    u -= w;
    if (u < 0) return value;
  }
  return (entries.at(-1) as [T, number])[0];
}

const channelMix: [Channel, number][] = [
  ['telegram', 35],
  ['whatsapp', 25],
  ['instagram', 15],
  ['viber', 10],
  ['email', 10],
  ['api', 5],
];
const statusMix: [string, number][] = [
  ['resolved', 67],
  ['open', 25],
  ['pending', 5],
  ['snoozed', 3],
];
const names = ['Олена', 'Тарас', 'Марія', 'Андрій', 'Ірина', 'Богдан', 'Світлана', 'Ann', 'James', 'Emily', 'Oliver', 'Sophie', 'Daniel'];
const surnames = ['Коваленко', 'Шевченко', 'Бондар', 'Мельник', 'Smith', 'Taylor', 'Brown', 'Wilson'];
const inbound = [
  'Добрий день! Чи є в наявності кросівки 39 розміру?',
  'Скільки коштує доставка до Львова Новою поштою?',
  'Замовлення №1042 досі не прийшло, підкажіть, будь ласка',
  'Чи можна оплатити частинами або карткою при отриманні?',
  'Hello, is the order still on its way? The tracking number does not work.',
  'The parcel arrived damaged, what should I do now?',
  'Could you send the invoice to our accounting department, please?',
  'Дякую!',
  'Передзвоніть мені, будь ласка, після шостої вечора.',
];
const outbound = [
  'Доброго дня! Так, є в наявності, можемо відправити сьогодні.',
  'Доставка до Львова — 80 грн, 1–2 дні.',
  'Перевірили: посилка у відділенні, номер ТТН надіслали вам на пошту.',
  'Hi! Your parcel is in the depot and will arrive tomorrow.',
  'We are sorry about that: please send a photo and we will replace it.',
  'Дякуємо, замовлення оформлено. Очікуйте дзвінка менеджера.',
];

function externalIdOf(channel: Channel, n: number): string {
  switch (channel) {
    case 'telegram':
      return String(300_000_000 + n);
    case 'whatsapp':
      return `380${String(670_000_000 + n)}`;
    case 'instagram':
      return String(17_841_400_000_000_000 + n * 7919);
    case 'viber':
      return `${Buffer.from(`viber-user-${n}`).toString('base64')}`;
    case 'email':
      return `customer${n}@mail.example`;
    default:
      return `visitor-${n.toString(16)}`;
  }
}

type Doc = Record<string, unknown>;

interface Loaded {
  contacts: Doc[];
  conversations: Doc[];
  messages: Doc[];
}

/** One customer: their contact, their conversation and its messages, as ingest, replies and delivery leave them. */
function customerDocs(n: number, count: number, agents: readonly { id: ObjectId; name: string }[], now: number): Loaded {
  const channel = n === 0 ? 'telegram' : weighted(channelMix);
  const externalId = externalIdOf(channel, n);
  const name = `${pick(names)} ${pick(surnames)}`;
  const contactHex = contactIdFor(channel, externalId);
  const contactId = new ObjectId(contactHex);
  const conversationId = new ObjectId(conversationIdFor(contactHex));
  const status = weighted(statusMix);
  const lastAt = now - Math.floor(random() * 90 * DAY) - 60_000;
  const span = n === 0 ? 80 * DAY : Math.floor(random() * random() * 3 * DAY) + count * 30_000;
  const firstAt = lastAt - span;
  const agent = status !== 'resolved' && random() < 0.3 ? null : random() < 0.05 ? null : pick(agents);

  const messages: Doc[] = [];
  const appliedInbound: ObjectId[] = [];
  let firstResponseAt: Date | null = null;
  let lastInboundAt: Date | null = null;
  let waitingSince: Date | null = null;
  let unread = 0;
  for (let k = 0; k < count; k++) {
    const at = new Date(count === 1 ? lastAt : firstAt + Math.floor((span * k) / (count - 1)));
    // The customer writes first; the last word is the customer's in an open conversation a third of the time.
    const fromCustomer = k === 0 || (k === count - 1 ? status === 'open' && random() < 0.34 : random() < 0.55);
    if (fromCustomer) {
      const platformId = channel === 'telegram' ? `${externalId}:${k + 1}` : `${channel}-${n}-${k + 1}`;
      const dedupeKey = `${channel}:${platformId}`;
      const _id = new ObjectId(inboundMessageIdFor(dedupeKey));
      const text = pick(inbound);
      const photo = random() < 0.05;
      messages.push({
        _id,
        conversationId,
        channel,
        direction: 'in',
        sender: { type: 'contact', id: contactHex, name },
        text: photo ? '' : text,
        template: null,
        attachments: photo ? [{ kind: 'image', platformId: `AgACAgIAAxkBAAI${n}_${k}`, mimeType: 'image/jpeg', size: 84_213 }] : [],
        externalId: platformId,
        dedupeKey,
        status: 'received',
        error: null,
        attempts: 0,
        nextAttemptAt: null,
        queuedAt: null,
        sendingSince: null,
        uncertainAttempts: 0,
        to: null,
        lastInboundAt: null,
        platformAt: at,
        editedAt: null,
        source: k === 0 && random() < 0.2 ? 'promo' : null,
        raw: JSON.stringify({
          update_id: 800_000_000 + k,
          message: {
            message_id: k + 1,
            from: { id: externalId, first_name: name },
            chat: { id: externalId, type: 'private' },
            date: at.getTime() / 1000,
            text,
          },
        }),
        createdAt: at,
        updatedAt: at,
        __v: 0,
      });
      appliedInbound.push(_id);
      lastInboundAt = at;
      waitingSince ??= at;
      unread++;
    } else {
      const by = agent ?? pick(agents);
      const _id = new ObjectId(ObjectId.generate(Math.floor(at.getTime() / 1000)));
      messages.push({
        _id,
        conversationId,
        channel,
        direction: 'out',
        sender: { type: 'agent', id: by.id, name: by.name },
        text: pick(outbound),
        template: null,
        attachments: [],
        externalId: `${channel}-out-${_id}`,
        dedupeKey: `out:${_id}`,
        status: weighted([
          ['read', 6],
          ['delivered', 3],
          ['sent', 1],
        ]),
        error: null,
        attempts: 1,
        nextAttemptAt: null,
        queuedAt: at,
        sendingSince: null,
        uncertainAttempts: 0,
        to: externalId,
        lastInboundAt,
        platformAt: null,
        editedAt: null,
        source: null,
        raw: null,
        createdAt: at,
        updatedAt: new Date(at.getTime() + 1500),
        __v: 0,
      });
      firstResponseAt ??= at;
      waitingSince = null;
      unread = 0;
    }
  }
  const firstInboundAt = new Date(firstAt);
  const last = messages.at(-1) as Doc;
  const resolved = status === 'resolved';
  const outcome = resolved
    ? weighted<string | null>([
        ['won', 5],
        ['lost', 3],
        [null, 2],
      ])
    : null;
  const conversation: Doc = {
    _id: conversationId,
    channel,
    contactId,
    contactName: name,
    status,
    assigneeId: agent?.id ?? null,
    lastMessageAt: new Date(lastAt),
    lastMessagePreview: String(last.text || '[image]').slice(0, 200),
    awaitingReplySince: resolved ? null : waitingSince,
    firstInboundAt,
    lastInboundAt,
    contactReachable: true,
    firstResponseAt,
    firstResponderId: firstResponseAt ? (agent?.id ?? null) : null,
    unreadCount: resolved ? 0 : unread,
    appliedInbound: appliedInbound.slice(-20),
    // Due times cleared (the chain ran out, alerts raised), so the automations have nothing to act on.
    escalationStep: waitingSince && !resolved ? 3 : 0,
    triedAgentIds: agent ? [agent.id] : [],
    escalationDueAt: null,
    slaWarnAt: null,
    slaBreachAt: null,
    firstResponseDueAt: new Date(firstAt + 5 * 60_000),
    outcome,
    lossReason: outcome === 'lost' ? pick(['ціна', 'no reply from the customer', 'купили деінде', 'out of stock']) : null,
    resolvedAt: resolved ? new Date(lastAt + 10 * 60_000) : null,
    createdAt: firstInboundAt,
    updatedAt: new Date(lastAt),
    __v: 0,
  };
  const contact: Doc = {
    _id: contactId,
    channel,
    externalId,
    name,
    ...(channel === 'telegram' ? { username: `user${n}` } : {}),
    ...(channel === 'email' ? { email: externalId } : {}),
    ...(channel === 'whatsapp' ? { phone: `+${externalId}` } : {}),
    language: random() < 0.6 ? 'uk' : 'en',
    reachable: true,
    createdAt: firstInboundAt,
    updatedAt: firstInboundAt,
    __v: 0,
  };
  return { contacts: [contact], conversations: [conversation], messages };
}

/** Messages per conversation: about ten on average, a few long ones, one regular customer's very long history. */
function messageCounts(): number[] {
  const counts = Array.from({ length: CONVERSATIONS }, () => 1 + Math.floor(-Math.log(1 - random()) * 8));
  counts[0] = LONGEST;
  let total = counts.reduce((a, b) => a + b, 0);
  while (total !== MESSAGES) {
    const i = 1 + Math.floor(random() * (CONVERSATIONS - 1));
    const c = counts[i] as number;
    if (total < MESSAGES) {
      counts[i] = c + 1;
      total++;
    } else if (c > 1) {
      counts[i] = c - 1;
      total--;
    }
  }
  return counts;
}

interface Timing {
  label: string;
  ms: number[];
  statuses: number[];
  items: number;
}

async function sample(
  label: string,
  url: string,
  token: string,
): Promise<Timing & { body: { items?: unknown[]; nextCursor?: string | null } }> {
  const ms: number[] = [];
  const statuses: number[] = [];
  let body: { items?: unknown[]; nextCursor?: string | null } = {};
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const json = (await res.json()) as typeof body;
    ms.push(performance.now() - started);
    statuses.push(res.status);
    if (res.status === 200) body = json;
    // A request that took over a second gets 3 samples, not 7.
    if (i === 2 && Math.max(...ms) > 1000) break;
  }
  return { label, ms, statuses, items: body.items?.length ?? 0, body };
}

export async function runInboxPagesBench(): Promise<void> {
  if (!(SCALE > 0)) throw new Error('BENCH_SCALE must be a positive number');
  const store = await benchStore(`bench_pages_${Date.now()}`);
  const gateway = await startBenchGateway(store.uri);
  const client = await MongoClient.connect(store.uri);
  try {
    console.log(`store: ${store.kind}; ${machineLoad()}`);
    const db = client.db();
    const agents: { id: ObjectId; name: string; email: string }[] = [];
    for (let i = 0; i < AGENTS; i += 4) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(4, AGENTS - i) }, (_, k) =>
          gateway.inbox.agents.create({ name: `Agent ${i + k}`, email: `agent${i + k}@pages.example`, password: PASSWORD, role: 'agent' }),
        ),
      );
      for (const a of batch) agents.push({ id: new ObjectId(a.id), name: a.name, email: a.email });
    }
    await gateway.inbox.agents.create({ name: 'Supervisor', email: 'supervisor@pages.example', password: PASSWORD, role: 'supervisor' });

    const now = Date.now();
    const counts = messageCounts();
    const started = performance.now();
    const buffers: Loaded = { contacts: [], conversations: [], messages: [] };
    const inFlight: Promise<unknown>[] = [];
    const flush = async (name: keyof Loaded, force = false) => {
      while (buffers[name].length >= BATCH || (force && buffers[name].length > 0)) {
        const docs = buffers[name].splice(0, BATCH);
        inFlight.push(db.collection(name).insertMany(docs, { ordered: false }));
        // Two batches in flight: one encoding while the store writes the other.
        if (inFlight.length >= 2) await inFlight.shift();
      }
    };
    let typical: { id: string; count: number } | undefined;
    for (let n = 0; n < CONVERSATIONS; n++) {
      const docs = customerDocs(n, counts[n] as number, agents, now);
      const conversationId = (docs.conversations[0] as { _id: ObjectId })._id;
      if (!typical && counts[n] === 10) typical = { id: conversationId.toHexString(), count: 10 };
      buffers.contacts.push(...docs.contacts);
      buffers.conversations.push(...docs.conversations);
      buffers.messages.push(...docs.messages);
      await flush('contacts');
      await flush('conversations');
      await flush('messages');
      if ((n + 1) % Math.max(1, Math.round(CONVERSATIONS / 10)) === 0)
        process.stdout.write(`  loaded ${num(n + 1)} conversations (${dur(performance.now() - started)})\n`);
    }
    for (const name of ['contacts', 'conversations', 'messages'] as const) await flush(name, true);
    await Promise.all(inFlight);
    const loaded = performance.now() - started;
    const stored = {
      contacts: await db.collection('contacts').countDocuments({}),
      conversations: await db.collection('conversations').countDocuments({}),
      messages: await db.collection('messages').countDocuments({}),
    };
    console.log(
      `loaded ${num(stored.conversations)} conversations, ${num(stored.messages)} messages and ${num(stored.contacts)} contacts ` +
        `with insertMany × ${BATCH} in ${dur(loaded)} (the gateway's indexes in place); ${AGENTS} agents, one supervisor`,
    );

    const supervisor = await signIn(gateway.url, 'supervisor@pages.example');
    const agent = agents[0] as { id: ObjectId; email: string };
    const agentToken = await signIn(gateway.url, agent.email);
    const longest = conversationIdFor(contactIdFor('telegram', externalIdOf('telegram', 0)));
    const api = `${gateway.url}/api`;
    const count = async (filter: Doc) => num(await db.collection('conversations').countDocuments(filter));

    const rows: Timing[] = [];
    const notes: string[] = [];
    const conversations = db.collection('conversations');
    /**
     * A listing over HTTP; when it was not answered 200 (a read past its deadline gets 503), the same find the API
     * sends is also timed straight on the store, so the row says what it costs.
     */
    const list = async (label: string, query: string, token: string, filter: Doc) => {
      const timing = await sample(label, `${api}/conversations${query}`, token);
      rows.push(timing);
      if (timing.statuses.every((s) => s === 200)) return timing.body.nextCursor ?? null;
      const and = Object.entries(filter).map(([k, v]) => ({ [k]: v }));
      const find = () =>
        conversations
          .find(and.length ? { $and: and } : {})
          .sort({ lastMessageAt: -1, _id: -1 })
          .limit(51)
          .toArray();
      const ms: number[] = [];
      let docs: Doc[] = [];
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        docs = await find();
        ms.push(performance.now() - started);
      }
      rows.push({ label: '    the same find, straight on the store', ms, statuses: [200, 200, 200], items: Math.min(50, docs.length) });
      const last = docs[49] as { lastMessageAt: Date; _id: ObjectId } | undefined;
      return docs.length > 50 && last ? encodeCursor(last.lastMessageAt, last._id) : null;
    };
    const agentId = agent.id;
    const cursor = await list('GET /api/conversations (first page)', '', supervisor, {});
    if (cursor) {
      // The condition the API adds for a cursor, for the straight find.
      const { at, id } = decodeCursor(cursor);
      const after = { $or: [{ lastMessageAt: { $lt: at } }, { lastMessageAt: at, _id: { $lt: new ObjectId(id) } }] };
      await list('  its second page (cursor)', `?cursor=${encodeURIComponent(cursor)}`, supervisor, after);
    }
    await list(`  ?status=open (${await count({ status: 'open' })})`, '?status=open', supervisor, { status: 'open' });
    await list(`  ?channel=instagram (${await count({ channel: 'instagram' })})`, '?channel=instagram', supervisor, {
      channel: 'instagram',
    });
    await list(`  ?assigneeId=<an agent> (${await count({ assigneeId: agent.id })})`, `?assigneeId=${agentId}`, supervisor, {
      assigneeId: agent.id,
    });
    await list(`  ?assigneeId=none (${await count({ assigneeId: null })})`, '?assigneeId=none', supervisor, { assigneeId: null });
    await list(
      `  ?status=open&assigneeId=<an agent> (${await count({ status: 'open', assigneeId: agent.id })})`,
      `?status=open&assigneeId=${agentId}`,
      supervisor,
      { status: 'open', assigneeId: agent.id },
    );
    const own = { $or: [{ assigneeId: agent.id }, { assigneeId: null }] };
    await list(`  an agent's own view: theirs + unassigned (${await count(own)})`, '', agentToken, own);
    if (typical)
      rows.push(await sample(`GET …/:id/messages, ${typical.count} messages`, `${api}/conversations/${typical.id}/messages`, supervisor));
    const long = await sample(`GET …/:id/messages, first 50 of ${num(LONGEST)}`, `${api}/conversations/${longest}/messages`, supervisor);
    rows.push(long);
    if (long.body.nextCursor)
      rows.push(
        await sample(
          '  its second page (cursor)',
          `${api}/conversations/${longest}/messages?cursor=${encodeURIComponent(long.body.nextCursor)}`,
          supervisor,
        ),
      );

    console.log(`\nover HTTP, as a supervisor unless said; median and max of ${SAMPLES} samples (3 where one took over a second)`);
    table(
      ['request (matching conversations)', 'items', 'median', 'max', ''],
      rows.map((r) => {
        const bad = r.statuses.filter((s) => s !== 200);
        if (bad.length) notes.push(`${r.label.trim()}: ${bad.length} of ${r.statuses.length} answered ${[...new Set(bad)].join(', ')}`);
        return [
          r.label,
          String(r.items),
          dur(median(r.ms)),
          dur(Math.max(...r.ms)),
          bad.length ? `${bad.length}× HTTP ${[...new Set(bad)].join('/')}` : '',
        ];
      }),
      { noteColumn: true },
    );
    if (notes.length) console.log(`not 200 (a read past its 2 s deadline is answered 503): ${notes.join('; ')}`);
    console.log(machineLoad());
  } finally {
    await client
      .db()
      .dropDatabase()
      .catch(() => undefined);
    await client.close();
    await gateway.close();
    await store.stop();
  }
}

runWhenMain(import.meta.url, runInboxPagesBench);
