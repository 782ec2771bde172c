/**
 * The chatbot's answer, end to end: a site chat's message POSTed to /webhooks/api → stored → the bot's turn → its
 * answer queued → delivered to the site's callback (the API channel's platform send). Customers write at 100
 * messages a second — new ones (the greeting and the menu) and returning ones (a pick from the menu by its number);
 * each answer is timed from its webhook's send to its arrival at the callback. The customers and the callback run in
 * a process of their own (./bot-customers.ts), as the platforms do.
 *
 *   node --import tsx bench/bot.ts                  # alone
 *   BENCH_BOT=2000 BENCH_BOT_RATE=100 …             # messages and rate (the defaults)
 *   MONGODB_URI=mongodb://127.0.0.1:27017 …         # a real MongoDB (scratch databases)
 */
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../gateway/config';
import { startGateway } from '../gateway/server';
import { createLogger } from '../shared/logger';
import type { FromCustomers, ToCustomers } from './bot-customers';
import { BenchChild } from './child';
import { against, dur, machineLoad, runWhenMain, summarize, table } from './kit';
import { benchStore, cpuNow } from './support';

const MESSAGES = Number(process.env.BENCH_BOT ?? 2000);
const RATE = Number(process.env.BENCH_BOT_RATE ?? 100);
const WARM_UP = 40;
const GOAL_P99_MS = 50;
const KEY = 'bench-api-channel-key-0123456789';

export async function runBotBench(): Promise<void> {
  const store = await benchStore('bench_bot');
  // The customers and the site's callback, in a process of their own (./bot-customers.ts).
  const customers = new BenchChild<ToCustomers, FromCustomers>(fileURLToPath(new URL('./bot-customers.ts', import.meta.url)));
  const { callbackUrl } = await customers.ready;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'silent',
    MONGODB_URI: store.uri,
    JWT_SECRET: 'bench-jwt-secret-that-is-long-enough-0123456789',
    API_CHANNEL_KEY: KEY,
    API_CHANNEL_CALLBACK_URL: callbackUrl,
  });
  const gateway = await startGateway(config, createLogger('silent'));
  await gateway.bot.flows.switch(true);
  const run = (name: string, messages: number) =>
    customers.ask({ type: 'run', url: gateway.url, key: KEY, run: name, messages, rate: RATE }, 'ran');

  await run('warm', WARM_UP);
  const cpuBefore = cpuNow(store.pid);
  const { greetings: greetingMs, picks: pickMs, missing, posted, cpuMs } = await run('run', MESSAGES);
  const cpuAfter = cpuNow(store.pid);
  const greetings = summarize(greetingMs);
  const picks = summarize(pickMs);
  const all = summarize([...greetingMs, ...pickMs]);

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
  // Where the time goes: the gateway's process, the store's, and the customers' with the site's callback.
  const perAnswer = (ms: number) => `${(ms / MESSAGES).toFixed(1)} ms`;
  const storeCpu = cpuBefore.store !== null && cpuAfter.store !== null ? `, the store ${perAnswer(cpuAfter.store - cpuBefore.store)}` : '';
  console.log(
    `CPU per answer: the gateway ${perAnswer(cpuAfter.self - cpuBefore.self)}${storeCpu}, the customers and the site ${perAnswer(cpuMs)}`,
  );
  if (missing > 0) console.log(`✗ ${missing} of ${MESSAGES} answers never arrived (posted ${posted})`);
  await customers.close();
  await gateway.close();
  await store.stop();
}

runWhenMain(import.meta.url, runBotBench);
