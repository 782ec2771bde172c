import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { io } from 'socket.io-client';
import { loadConfig } from '../gateway/config';
import { startGateway } from '../gateway/server';
import { createLogger } from '../shared/logger';
import { benchStore, fmt, percentile } from './support';

/**
 * Ingest throughput and live latency: signed Telegram webhooks over loopback at rising offered rates, each message
 * timed from the moment its webhook is sent to the moment a supervisor's socket receives it. The store's own raw
 * insertOne rate is measured in the same run, so the gateway's cost per message can be read as a ratio.
 */
const SECRET = 'bench-secret';
const rates = (process.env.BENCH_RATES ?? '10,25,50,100,200').split(',').map(Number);
const secondsPerStep = Number(process.env.BENCH_STEP_SECONDS ?? 5);
const maxInFlight = 256;

async function rawInsertRate(uri: string, seconds: number, concurrency: number): Promise<number> {
  const client = await MongoClient.connect(uri);
  const collection = client.db().collection('raw_insert_probe');
  await collection.createIndex({ dedupeKey: 1 }, { unique: true });
  const deadline = Date.now() + seconds * 1000;
  let count = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      await collection.insertOne({
        dedupeKey: randomUUID(),
        conversationId: randomUUID(),
        channel: 'telegram',
        direction: 'in',
        text: 'Добрий день! Чи є в наявності кросівки 39 розміру?',
        createdAt: new Date(),
      });
      count++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const rate = count / ((Date.now() - started) / 1000);
  await client.db().dropCollection('raw_insert_probe');
  await client.close();
  return rate;
}

export async function runIngestBench(): Promise<void> {
  const store = await benchStore(`bench_ingest_${Date.now()}`);
  console.log(`store: ${store.kind}`);
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'silent',
    MONGODB_URI: store.uri,
    JWT_SECRET: 'bench-jwt-secret-that-is-long-enough-0123456789',
    TELEGRAM_BOT_TOKEN: '123456:BENCH-token',
    TELEGRAM_MODE: 'webhook',
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
  });
  const gateway = await startGateway(config, createLogger('silent'));
  try {
    await gateway.inbox.agents.create({ name: 'Bench', email: 'bench@shop.example', password: 'bench-password-1', role: 'supervisor' });
    const login = await fetch(`${gateway.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@shop.example', password: 'bench-password-1' }),
    });
    const { token } = (await login.json()) as { token: string };
    const socket = io(gateway.url, { auth: { token }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    socket.on('message:new', ({ message }: { message: { text: string } }) => {
      const started = sentAt.get(message.text);
      if (started !== undefined) latencies.push(performance.now() - started);
    });

    const insertRate = await rawInsertRate(store.uri, 5, 16);
    console.log(`store raw insertOne (16 concurrent, unique index): ${fmt(insertRate)} docs/s\n`);

    let updateId = 1;
    let userId = 10_000_000;
    const send = async (): Promise<boolean> => {
      const id = updateId++;
      // A new customer every tenth message, so conversations are both opened and continued.
      if (id % 10 === 1) userId++;
      const text = `bench ${id} — Добрий день, потрібна консультація`;
      const update = {
        update_id: id,
        message: {
          message_id: id,
          from: { id: userId, is_bot: false, first_name: 'Клієнт' },
          chat: { id: userId, first_name: 'Клієнт', type: 'private' },
          date: Math.floor(Date.now() / 1000),
          text,
        },
      };
      sentAt.set(text, performance.now());
      const res = await fetch(`${gateway.url}/webhooks/telegram`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify(update),
      });
      await res.arrayBuffer();
      return res.status === 200;
    };

    console.log('offered/s  acked/s  errors  shed  p50 ms  p99 ms  max ms');
    let best = 0;
    for (const rate of rates) {
      latencies.length = 0;
      sentAt.clear();
      let acked = 0;
      let errors = 0;
      let shed = 0;
      let inFlight = 0;
      const pending: Promise<void>[] = [];
      const total = rate * secondsPerStep;
      const started = performance.now();
      for (let i = 0; i < total; i++) {
        const due = started + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (inFlight >= maxInFlight) {
          shed++;
          continue;
        }
        inFlight++;
        pending.push(
          send()
            .then((ok) => {
              if (ok) acked++;
              else errors++;
            })
            .catch(() => {
              errors++;
            })
            .finally(() => {
              inFlight--;
            }),
        );
      }
      await Promise.all(pending);
      const elapsed = (performance.now() - started) / 1000;
      const deadline = Date.now() + 5000;
      while (latencies.length < acked && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const sorted = [...latencies].sort((a, b) => a - b);
      const ackedRate = acked / elapsed;
      best = Math.max(best, ackedRate);
      console.log(
        `${String(rate).padStart(9)}  ${fmt(ackedRate).padStart(7)}  ${String(errors).padStart(6)}  ${String(shed).padStart(4)}  ${fmt(percentile(sorted, 50)).padStart(6)}  ${fmt(percentile(sorted, 99)).padStart(6)}  ${fmt(sorted.at(-1) ?? Number.NaN).padStart(6)}`,
      );
    }
    console.log(`\nbest ingest throughput: ${fmt(best)} messages/s`);
    console.log(`raw insertOne rate:     ${fmt(insertRate)} docs/s`);
    console.log(
      `ratio ingest / raw insert: ${fmt(best / insertRate, 3)} (a message costs ~6 store round trips: contact, conversation twice, insert, two or three updates)`,
    );
    socket.close();
  } finally {
    await gateway.close();
    await store.stop();
  }
}
