import { loadConfig } from '../gateway/config';
import { startGateway } from '../gateway/server';
import { createLogger } from '../shared/logger';
import { Dovecot } from '../test/support/dovecot';
import { composeMail, SUPPORT } from '../test/support/mail';
import { against, connectSocket, dur, machineLoad, PASSWORD, runWhenMain, signIn, sleep, summarize, table, wallNow } from './kit';
import { benchStore } from './support';

/**
 * Email in over IMAP: mails delivered one after another into a real Dovecot on loopback, each timed from the end of
 * its APPEND to the moment a supervisor's socket shows it, the gateway watching the mailbox with IDLE.
 *
 *   node --import tsx bench/email.ts                 # alone
 *   BENCH_EMAILS=100 …                              # how many mails (default 40)
 *
 * Goal (issue "Email"): new mail live in the inbox within 1 s of delivery, p50 and p99.
 */
const GOAL_MS = 1000;
const count = Number(process.env.BENCH_EMAILS ?? 40);

export async function runEmailBench(): Promise<void> {
  if (!Dovecot.available()) {
    console.log('dovecot is not installed (apt-get install dovecot-imapd): skipped');
    return;
  }
  const store = await benchStore(`bench_email_${Date.now()}`);
  const dovecot = await new Dovecot().start();
  console.log(`store: ${store.kind}; ${machineLoad()}`);
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'silent',
    MONGODB_URI: store.uri,
    JWT_SECRET: 'bench-jwt-secret-that-is-long-enough-0123456789',
    IMAP_URL: dovecot.url(),
    EMAIL_FROM: SUPPORT,
  });
  const gateway = await startGateway(config, createLogger('silent'));
  try {
    await gateway.inbox.agents.create({ name: 'Ірина', email: 'iryna@shop.example', password: PASSWORD, role: 'supervisor' });
    const socket = await connectSocket(gateway.url, await signIn(gateway.url, 'iryna@shop.example'));
    const seen = new Map<string, number>();
    socket.on('message:new', (e: { message: { externalId: string } }) => seen.set(e.message.externalId, wallNow()));
    // The watcher connects and enters IDLE in the background.
    await sleep(2000);
    const latencies: number[] = [];
    for (let i = 0; i < count; i++) {
      const id = `bench-${i}.${Date.now()}@example.com`;
      const raw = await composeMail({
        from: { name: i % 2 ? 'Mark Evans' : 'Олена Коваль', address: `customer${i}@example.com` },
        to: SUPPORT,
        subject: i % 2 ? `Order ${5500 + i}` : `Замовлення №${1040 + i}`,
        text: i % 2 ? 'Hello, where is my parcel?' : 'Добрий день! Де моя посилка?',
        messageId: `<${id}>`,
      });
      await dovecot.deliver(raw);
      const delivered = wallNow();
      const deadline = Date.now() + 10_000;
      while (!seen.has(id) && Date.now() < deadline) await sleep(2);
      latencies.push((seen.get(id) ?? Number.NaN) - delivered);
    }
    socket.close();
    const s = summarize(latencies.filter(Number.isFinite));
    table(
      ['mails', 'shown', 'p50', 'p99', 'max', 'goal'],
      [[String(count), String(s.n), dur(s.p50), dur(s.p99), dur(s.max), against(s.p99, GOAL_MS, dur(GOAL_MS))]],
      { noteColumn: true },
    );
  } finally {
    await gateway.close();
    await dovecot.destroy();
    await store.stop();
  }
}

runWhenMain(import.meta.url, runEmailBench);
