import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { loadConfig } from '../../gateway/config';
import { type GatewayOptions, type RunningGateway, startGateway } from '../../gateway/server';
import type { Clock } from '../../inbox/ports';
import type { Agent, Role } from '../../inbox/views';
import { createLogger } from '../../shared/logger';
import { FakeTelegram } from './fake-telegram';

export const TELEGRAM_TOKEN = '123456:TEST-token_abc';
export const TELEGRAM_SECRET = 'test-webhook-secret_42';
export const API_KEY = 'site-form-key-0123456789';

export function storeUri(database: string): string {
  const base = process.env.TEST_STORE_URI;
  if (!base) throw new Error('TEST_STORE_URI is not set: run the suites through jest (global setup starts the store)');
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

export interface HttpReply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestManager {
  agent: Agent;
  token: string;
  password: string;
}

/** Records every event a socket receives, so tests capture first and assert afterwards. */
export class SocketRecorder {
  readonly events: { event: string; payload: any; at: number }[] = [];
  constructor(readonly socket: Socket) {
    socket.onAny((event: string, payload: unknown) => this.events.push({ event, payload, at: Date.now() }));
  }

  of(event: string): any[] {
    return this.events.filter((e) => e.event === event).map((e) => e.payload);
  }

  async waitFor(event: string, predicate: (payload: any) => boolean = () => true, timeoutMs = 10_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hit = this.events.find((e) => e.event === event && predicate(e.payload));
      if (hit) return hit.payload;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no ${event} event matching within ${timeoutMs} ms; got: ${this.events.map((e) => e.event).join(', ')}`);
  }

  emit<T = any>(event: string, payload: unknown): Promise<T> {
    return this.socket.timeout(10_000).emitWithAck(event, payload) as Promise<T>;
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * A whole gateway on a free port, over a database of its own in the test store, with a fake Telegram Bot API and
 * the API channel on. Everything is real: HTTP, socket.io, the store, the job queue.
 */
export class TestGateway {
  private sockets: SocketRecorder[] = [];

  private constructor(
    readonly gateway: RunningGateway,
    readonly telegram: FakeTelegram,
    readonly database: string,
    readonly dataDir: string,
  ) {}

  /**
   * `database`: run over the database of another TestGateway (a second gateway process on the same store, or a
   * restart after `stop()`); the first one to be closed drops it.
   */
  static async start(
    options: {
      env?: Record<string, string>;
      clock?: Clock;
      database?: string;
      whatsappWeb?: GatewayOptions['whatsappWeb'];
      email?: GatewayOptions['email'];
      dataDir?: string;
    } = {},
  ): Promise<TestGateway> {
    const telegram = await new FakeTelegram().start();
    const database = options.database ?? `t_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'inbox-gw-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      MONGODB_URI: storeUri(database),
      DATA_DIR: dataDir,
      JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789',
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      TELEGRAM_API_ROOT: telegram.url,
      API_CHANNEL_KEY: API_KEY,
      JOBS_POLL_INTERVAL: '200ms',
      // Hundreds of managers are made and signed in across the suites: at OWASP's cost each takes 0.8 s of a core.
      PASSWORD_SCRYPT_N: '4096',
      ...options.env,
    });
    const gateway = await startGateway(config, createLogger(config.LOG_LEVEL), {
      clock: options.clock,
      whatsappWeb: options.whatsappWeb,
      email: options.email,
    });
    return new TestGateway(gateway, telegram, database, dataDir);
  }

  get url(): string {
    return this.gateway.url;
  }

  get inbox() {
    return this.gateway.inbox;
  }

  async request<T = any>(
    method: string,
    route: string,
    options: { token?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpReply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${this.url}${route}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // plain text answer
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  postTelegram(update: unknown, secret: string = TELEGRAM_SECRET): Promise<HttpReply> {
    return this.request('POST', '/webhooks/telegram', {
      json: update,
      headers: { 'x-telegram-bot-api-secret-token': secret },
    });
  }

  postApi(body: unknown, key: string = API_KEY): Promise<HttpReply> {
    return this.request('POST', '/webhooks/api', { json: body, headers: { authorization: `Bearer ${key}` } });
  }

  /** Creates a manager and signs them in through the real login route. */
  async manager(role: Role, name: string, email = `${role}.${randomUUID().slice(0, 8)}@shop.example`): Promise<TestManager> {
    const password = `pass-${randomUUID()}`;
    await this.inbox.agents.create({ name, email, password, role });
    const login = await this.request('POST', '/api/auth/login', { json: { email, password } });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
    return { agent: login.body.agent, token: login.body.token, password };
  }

  /** A manager signed in with a live inbox socket open (online, so the assignment and the escalation see them). */
  async online(role: Role, name: string): Promise<TestManager & { socket: SocketRecorder }> {
    const manager = await this.manager(role, name);
    return { ...manager, socket: await this.connect(manager.token) };
  }

  async connect(token: string | undefined): Promise<SocketRecorder> {
    const socket = connectSocket(this.url, {
      auth: token === undefined ? {} : { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    const recorder = new SocketRecorder(socket);
    this.sockets.push(recorder);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(err));
    });
    return recorder;
  }

  /** Raw store access for assertions on what was really written. */
  async collection(name: string) {
    const connection = await mongoose.createConnection(storeUri(this.database)).asPromise();
    this.connections.push(connection);
    if (!connection.db) throw new Error('no db');
    return connection.db.collection(name);
  }
  private connections: mongoose.Connection[] = [];

  get automations() {
    return this.gateway.automations;
  }

  /** Stops this gateway and leaves its database in place (for a restart or another gateway on it). */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.close();
    await this.gateway.close();
    await this.telegram.stop();
    for (const c of this.connections) await c.close();
    this.connections = [];
  }

  async close(): Promise<void> {
    await this.stop();
    const connection = await mongoose.createConnection(storeUri(this.database)).asPromise();
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last as T;
    await sleep(25);
  }
  throw new Error(`condition not met within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}
