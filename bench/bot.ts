/**
 * The chatbot's answer, end to end: a site chat's message POSTed to /webhooks/api → stored → the bot's turn → its
 * answer queued → delivered to the site's callback (the API channel's platform send). Customers write at 100
 * messages a second — new ones (the greeting and the menu) and returning ones (a pick from the menu by its number);
 * each answer is timed from its webhook's send to its arrival at the callback.
 *
 *   node --import tsx bench/bot.ts                  # alone
 *   BENCH_BOT=600 BENCH_BOT_RATE=100 …              # messages and rate (the defaults)
 *   MONGODB_URI=mongodb://127.0.0.1:27017 …         # a real MongoDB (scratch databases)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../gateway/config';
import { startGateway } from '../gateway/server';
import { createLogger } from '../shared/logger';
import { against, atRate, dur, machineLoad, runWhenMain, sleep, summarize, table } from './kit';
import { benchStore, cpuNow } from './support';

const MESSAGES = Number(process.env.BENCH_BOT ?? 600);
const RATE = Number(process.env.BENCH_BOT_RATE ?? 100);
const WARM_UP = 40;
const GOAL_P99_MS = 50;
const KEY = 'bench-api-channel-key-0123456789';

const questions = ['Добрий день!', 'Hello, is anyone there?', 'Привіт, підкажіть, будь ласка', 'Hi! I have a question'];

export async function runBotBench(): Promise<void> {
  const store = await benchStore('bench_bot');
  // The site's callback: when each answer arrived, by the customer and the answer's place among theirs.
  const arrived = new Map<string, number>();
  const seen = new Map<string, number>();
  const callback = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const { contactExternalId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { contactExternalId: string };
      const n = (seen.get(contactExternalId) ?? 0) + 1;
      seen.set(contactExternalId, n);
      arrived.set(`${contactExternalId}#${n}`, at);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'silent',
    MONGODB_URI: store.uri,
    JWT_SECRET: 'bench-jwt-secret-that-is-long-enough-0123456789',
    API_CHANNEL_KEY: KEY,
    API_CHANNEL_CALLBACK_URL: `http://127.0.0.1:${(callback.address() as AddressInfo).port}/replies`,
  });
  const gateway = await startGateway(config, createLogger('silent'));
  await gateway.bot.flows.switch(true);

  const sent = new Map<string, number>();
  let posted = 0;
  /** The i-th message: even ones from a new customer, odd ones the same customer picking "2" from the menu. */
  const post = async (i: number, run: string) => {
    const customer = `${run}-visitor-${Math.floor(i / 2)}`;
    const text = i % 2 === 0 ? (questions[(i / 2) % questions.length] ?? 'Привіт') : '2';
    const key = `${customer}#${(i % 2) + 1}`;
    if (i % 2 === 1) while (!arrived.has(`${customer}#1`)) await sleep(2);
    sent.set(key, performance.now());
    const res = await fetch(`${gateway.url}/webhooks/api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ externalMessageId: `${run}-${i}`, contact: { externalId: customer, name: 'Відвідувач' }, text }),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    posted++;
    return key;
  };

  await atRate(WARM_UP, RATE, (i) => post(i, 'warm'));
  const cpuBefore = cpuNow(store.pid);
  const keys = await atRate(MESSAGES, RATE, (i) => post(i, 'run'));
  const deadline = Date.now() + 30_000;
  while (keys.some((k) => !arrived.has(k)) && Date.now() < deadline) await sleep(20);
  const cpuAfter = cpuNow(store.pid);
  const latencies = keys.filter((k) => arrived.has(k)).map((k) => (arrived.get(k) ?? 0) - (sent.get(k) ?? 0));
  const greetings = summarize(
    keys.filter((k) => k.endsWith('#1') && arrived.has(k)).map((k) => (arrived.get(k) ?? 0) - (sent.get(k) ?? 0)),
  );
  const picks = summarize(keys.filter((k) => k.endsWith('#2') && arrived.has(k)).map((k) => (arrived.get(k) ?? 0) - (sent.get(k) ?? 0)));
  const all = summarize(latencies);

  console.log(`store: ${store.kind}; ${MESSAGES} messages at ${RATE}/s after ${WARM_UP} to warm up; ${machineLoad()}`);
  table(
    ['answer (webhook → platform send)', 'n', 'p50', 'p99', 'max', ''],
    [
      ['greeting, new customer', String(greetings.n), dur(greetings.p50), dur(greetings.p99), dur(greetings.max), ''],
      ['menu pick "2", returning', String(picks.n), dur(picks.p50), dur(picks.p99), dur(picks.max), ''],
      ['every answer', String(all.n), dur(all.p50), dur(all.p99), dur(all.max), against(all.p99, GOAL_P99_MS, `${GOAL_P99_MS} ms p99`)],
    ],
    { noteColumn: true },
  );
  // Where the time goes: this process (the gateway, and the bench's own customers and callback) and the store.
  const perAnswer = (a: number, b: number) => `${((b - a) / MESSAGES).toFixed(1)} ms`;
  const storeCpu = cpuBefore.store !== null && cpuAfter.store !== null ? `, the store ${perAnswer(cpuBefore.store, cpuAfter.store)}` : '';
  console.log(`CPU per answer: the gateway with the bench's clients ${perAnswer(cpuBefore.self, cpuAfter.self)}${storeCpu}`);
  if (all.n < keys.length) console.log(`✗ ${keys.length - all.n} of ${keys.length} answers never arrived (posted ${posted})`);
  await gateway.close();
  await new Promise((resolve) => callback.close(resolve));
  await store.stop();
}

runWhenMain(import.meta.url, runBotBench);
