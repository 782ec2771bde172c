import { type ChildProcess, type SpawnOptionsWithoutStdio, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';
import type { Role } from '../../inbox/views';
import { FakeTelegram } from './fake-telegram';
import { API_KEY, type HttpReply, storeUri, TELEGRAM_SECRET, TELEGRAM_TOKEN, type TestManager } from './gateway';
import { WireTap } from './wire-tap';

const START_TIMEOUT_MS = 45_000;
const REQUEST_TIMEOUT_MS = 15_000;

/** `gateway/main.ts` in a child process, with only the environment given (and PATH, HOME, NODE_ENV=test). */
export function spawnGateway(env: Record<string, string>, options: Omit<SpawnOptionsWithoutStdio, 'env'> = {}) {
  return spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], {
    ...options,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', ...env },
  });
}

/** How a child process ended, with all it printed. */
export function exitOf(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

/** SIGKILL to a whole process group (a child started `detached` leads one), as when the machine dies. */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // the group is gone already
  }
}

/** `promise`, or a failure naming what did not happen (rather than a test that hangs until jest's timeout). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A port nobody listens on right now: the gateway does not say which one it took when given PORT=0. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * The real gateway (`gateway/main.ts`) in a child process of its own process group, talking to the store through a
 * WireTap, so a test can freeze it before a chosen store command and SIGKILL it there: nothing of the gateway runs
 * after the kill, not even a `finally`, exactly as when a machine dies. `restart()` starts a new one on the same
 * database, as a supervisor (systemd, Kubernetes) would.
 */
export class GatewayProcess {
  readonly telegram: FakeTelegram;
  readonly database = `crash_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  /** Every line the children printed, all runs together. */
  readonly output: string[] = [];
  url = '';
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly dataDir = mkdtempSync(path.join(tmpdir(), 'inbox-gw-proc-'));
  private readonly admin = { email: 'owner@shop.example', password: `owner-${randomUUID()}` };
  private adminToken: string | undefined;

  private constructor(
    readonly tap: WireTap,
    telegram: FakeTelegram,
    private readonly env: Record<string, string>,
  ) {
    this.telegram = telegram;
  }

  static async start(tap: WireTap, options: { env?: Record<string, string> } = {}): Promise<GatewayProcess> {
    const telegram = await new FakeTelegram().start();
    const gateway = new GatewayProcess(tap, telegram, options.env ?? {});
    await gateway.spawn();
    return gateway;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private async spawn(): Promise<void> {
    const port = await freePort();
    const child = spawnGateway(
      {
        PORT: String(port),
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
        MONGODB_URI: this.tap.uri(this.database),
        DATA_DIR: this.dataDir,
        JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789',
        ADMIN_EMAIL: this.admin.email,
        ADMIN_PASSWORD: this.admin.password,
        TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
        TELEGRAM_MODE: 'webhook',
        TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
        TELEGRAM_API_ROOT: this.telegram.url,
        API_CHANNEL_KEY: API_KEY,
        JOBS_POLL_INTERVAL: '200ms',
        PASSWORD_SCRYPT_N: '4096',
        ...this.env,
      },
      { cwd: process.cwd(), detached: true },
    );
    this.child = child;
    const run = this.output.length;
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        this.output.push(line);
        process.stderr.write(`[gateway ${child.pid}] ${line}\n`);
      });
    }
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the gateway exited during start (${child.exitCode ?? child.signalCode}): ${this.output.slice(run).join('\n')}`);
      }
      const status = await fetch(`${this.url}/healthz`).then(
        (res) => res.status,
        () => 0,
      );
      if (status === 200) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.kill();
    throw new Error(`the gateway did not answer /healthz within ${START_TIMEOUT_MS} ms: ${this.output.slice(run).join('\n')}`);
  }

  /** SIGKILL to the whole process group, and wait until it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    killGroup(child.pid);
    await this.exited;
  }

  /** Kills the running gateway (if it runs) and starts a new one over the same database, tap and Telegram. */
  async restart(): Promise<void> {
    await this.kill();
    await this.spawn();
  }

  async close(): Promise<void> {
    await this.kill();
    await this.telegram.stop();
    const direct = await new MongoClient(storeUri(this.database)).connect();
    await direct
      .db(this.database)
      .dropDatabase()
      .catch(() => undefined);
    await direct.close();
  }

  async request<T = any>(
    method: string,
    route: string,
    options: { token?: string; json?: unknown; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.json !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${this.url}${route}`, {
      method,
      headers,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
      // A gateway frozen by a hold never answers: the test gets an error to assert on instead of hanging.
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // plain text answer
    }
    return { status: res.status, body: body as T, headers: res.headers } satisfies HttpReply<T>;
  }

  /** A Telegram update as Telegram posts it, with the webhook's secret token. */
  postTelegram(update: unknown): Promise<HttpReply> {
    return this.request('POST', '/webhooks/telegram', { json: update, headers: { 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET } });
  }

  /** A manager created by the admin through `POST /api/agents` and signed in through the login route. */
  async manager(role: Role, name: string): Promise<TestManager> {
    this.adminToken ??= (await this.login(this.admin.email, this.admin.password)).token;
    const email = `${role}.${randomUUID().slice(0, 8)}@shop.example`;
    const password = `pass-${randomUUID()}`;
    const created = await this.request('POST', '/api/agents', { token: this.adminToken, json: { name, email, password, role } });
    if (created.status !== 201) throw new Error(`creating ${email} failed: ${created.status} ${JSON.stringify(created.body)}`);
    return { ...(await this.login(email, password)), password };
  }

  private async login(email: string, password: string): Promise<Omit<TestManager, 'password'>> {
    const login = await this.request('POST', '/api/auth/login', { json: { email, password } });
    if (login.status !== 200) throw new Error(`login of ${email} failed: ${login.status} ${JSON.stringify(login.body)}`);
    return { agent: login.body.agent, token: login.body.token };
  }
}

/** A request's answer, or `{status: 0}` when the gateway died before answering (what a platform sees as no 2xx). */
export function answerOrNothing(reply: Promise<HttpReply>): Promise<HttpReply | { status: 0 }> {
  return reply.catch(() => ({ status: 0 as const }));
}

/**
 * The life of a crash suite: each test gets a WireTap of its own in front of the store, and `start` a gateway process
 * behind it, which is killed and its database dropped after the test. Call it inside the describe.
 */
export function gatewayProcessPerTest(): {
  readonly tap: WireTap;
  start(options?: { env?: Record<string, string> }): Promise<GatewayProcess>;
} {
  let tap: WireTap | undefined;
  let gateway: GatewayProcess | undefined;
  beforeEach(async () => {
    tap = await WireTap.start(storeUri('test'));
  });
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
    await tap?.close();
  });
  return {
    get tap() {
      if (!tap) throw new Error('the tap starts before each test');
      return tap;
    },
    async start(options) {
      gateway = await GatewayProcess.start(this.tap, options);
      return gateway;
    },
  };
}
