import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { loadConfig } from '../gateway/config';
import { type RunningGateway, startGateway } from '../gateway/server';
import { createLogger } from '../shared/logger';
import { fmt, percentile } from './support';

/**
 * What the gateway benchmarks share: a gateway in this process on a given store, managers signed in over the API
 * with their sockets, signed Telegram webhooks from customers who write in Ukrainian or English, and figures
 * printed with their goals.
 */

export const WEBHOOK_SECRET = 'bench-secret';
export const PASSWORD = 'bench-password-1';

/** A gateway in this process with the Telegram channel taking webhooks (its Bot API points nowhere: no replies go out). */
export async function startBenchGateway(uri: string): Promise<RunningGateway> {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'silent',
    MONGODB_URI: uri,
    JWT_SECRET: 'bench-jwt-secret-that-is-long-enough-0123456789',
    TELEGRAM_BOT_TOKEN: '123456:BENCH-token',
    TELEGRAM_MODE: 'webhook',
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
  });
  return startGateway(config, createLogger('silent'));
}

/** `POST /api/auth/login` → the bearer token. */
export async function signIn(url: string, email: string, password = PASSWORD): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login of ${email}: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** A manager's socket, connected (each its own engine.io connection, as each browser tab is). */
export async function connectSocket(url: string, token: string): Promise<Socket> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/** A clock that reads the same in every process of the machine (epoch milliseconds, sub-millisecond). */
export const wallNow = (): number => performance.timeOrigin + performance.now();

export interface TelegramUser {
  id: number;
  first_name: string;
  username: string;
  language_code: 'uk' | 'en';
}

const ukrainian: [string, string][] = [
  ['Олена', 'Добрий день! Чи є у вас торт «Київський» на суботу?'],
  ['Тарас', 'Замовлення №1042 досі не прийшло, підкажіть, будь ласка'],
  ['Марія', 'Скільки коштує доставка до Львова Новою поштою?'],
  ['Андрій', 'Можна оплатити карткою при отриманні?'],
  ['Ірина', 'Хочу повернути товар, він не підійшов за розміром'],
  ['Богдан', 'Ви працюєте у неділю?'],
  ['Світлана', 'Чи можна змінити адресу доставки в замовленні?'],
  ['Остап', 'Дякую, все отримав, але бракує однієї коробки'],
  ['Христина', 'Підкажіть, будь ласка, чи є знижки для постійних клієнтів?'],
  ['Юрій', 'Коли буде в наявності чорний колір?'],
  ['Оксана', 'Передзвоніть мені, будь ласка, після шостої вечора'],
  ['Василь', 'Чи є кросівки 39 розміру?'],
  ['Наталія', 'Хочу записатися на консультацію на четвер'],
  ['Дмитро', 'Скільки часу йде доставка до Харкова?'],
  ['Софія', 'Чи можна оплатити частинами?'],
  ['Максим', 'Посилка прийшла пошкоджена, що робити?'],
  ['Галина', 'Надішліть, будь ласка, рахунок для бухгалтерії'],
  ['Петро', 'Чи працює ваш магазин на Подолі?'],
  ['Ольга', 'Добрий вечір, потрібна консультація щодо розміру'],
  ['Роман', 'Коли повернуть гроші за скасоване замовлення?'],
];
const english: [string, string][] = [
  ['Ann', 'Hi! Do you ship to Poland?'],
  ['James', 'My order #3310 arrived damaged, what can I do?'],
  ['Emily', 'Is the blue jacket still available in size M?'],
  ['Oliver', 'Can I pick up my order from your store today?'],
  ['Sophie', 'I was charged twice for order #2954'],
  ['Daniel', 'What are your opening hours on Saturday?'],
  ['Grace', 'Could you send me the invoice for my last purchase?'],
  ['Lucas', 'Do you offer gift wrapping?'],
  ['Chloe', 'Hello, I need to cancel my order, please'],
  ['Henry', 'How long does delivery to Kyiv usually take?'],
  ['Mia', 'Is there a discount for a second item?'],
  ['Jack', 'The tracking number does not work, can you check?'],
  ['Lily', 'Can I change the colour after ordering?'],
  ['Noah', 'Do you have this in stock in your Lviv shop?'],
  ['Ella', 'Please call me back after 6 pm'],
  ['Leo', 'Where is my refund for order #4120?'],
  ['Ava', 'Can I pay by bank transfer?'],
  ['Ethan', 'Is delivery free over 1000 UAH?'],
  ['Zoe', 'I would like to book a fitting on Thursday'],
  ['Adam', 'Good morning, is the sale still on?'],
];

/** The n-th of a stream of distinct customers, alternating Ukrainian and English, each with a first message. */
export function customer(n: number, idBase = 700_000_000): { user: TelegramUser; text: string } {
  const uk = n % 2 === 0;
  const pool = uk ? ukrainian : english;
  const [name, text] = pool[Math.floor(n / 2) % pool.length] as [string, string];
  return {
    user: { id: idBase + n, first_name: name, username: `${uk ? 'uk' : 'en'}_customer_${n}`, language_code: uk ? 'uk' : 'en' },
    text,
  };
}

export const followUps = [
  'Ще одне питання: чи можна забрати самовивозом?',
  'And one more thing: can you gift-wrap it?',
  'Дякую! Чекаю на відповідь',
  'Sorry, the order number is #5521',
];

let nextUpdateId = 1;

/**
 * Sends a customer's message as Telegram's webhook would (the secret header), and resolves with the HTTP status and
 * the milliseconds to the answer. `onSend` gets the message's external id (what `message:new` carries as
 * `message.externalId`) right before the request goes out.
 */
export async function postTelegram(
  url: string,
  user: TelegramUser,
  text: string,
  onSend?: (externalId: string) => void,
): Promise<{ status: number; ms: number; externalId: string }> {
  const id = nextUpdateId++;
  const externalId = `${user.id}:${id}`;
  const update = {
    update_id: id,
    message: {
      message_id: id,
      from: { ...user, is_bot: false },
      chat: { id: user.id, first_name: user.first_name, username: user.username, type: 'private' },
      date: Math.floor(Date.now() / 1000),
      text,
    },
  };
  const body = JSON.stringify(update);
  onSend?.(externalId);
  const started = performance.now();
  const res = await fetch(`${url}/webhooks/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
    body,
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started, externalId };
}

export { atRate, sleep } from './pace';

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

export const median = (values: readonly number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/** `12.3 ms` or `1.23 s`. */
export const dur = (ms: number): string =>
  !Number.isFinite(ms) ? '—' : ms < 1000 ? `${fmt(ms, ms < 10 ? 2 : 1)} ms` : `${fmt(ms / 1000, 2)} s`;
export const num = (n: number): string => Math.round(n).toLocaleString('en');
export const mib = (bytes: number): string => `${fmt(bytes / 2 ** 20, 1)} MiB`;

/** `✓ ≤ 150 ms` when the figure meets its goal, `✗ ≤ 150 ms` when it misses it. */
export function against(value: number, goal: number, label: string, atLeast = false): string {
  const met = Number.isFinite(value) && (atLeast ? value >= goal : value <= goal);
  return `${met ? '✓' : '✗'} goal ${atLeast ? '≥' : '≤'} ${label}`;
}

/** Prints rows as columns: the first left-aligned, the rest right-aligned, the last (a note) left-aligned. */
export function table(header: string[], rows: string[][], { noteColumn = false } = {}): void {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  for (const r of all) {
    const cells = r.map((cell, c) => {
      const last = c === r.length - 1;
      if (c === 0 || (noteColumn && last)) return last ? cell : cell.padEnd(widths[c] ?? 0);
      return cell.padStart(widths[c] ?? 0);
    });
    console.log(cells.join('  ').trimEnd());
  }
}

/** The process's open file descriptors, and its soft limit of them (Linux). */
export function fileDescriptors(): { open: number; limit: string } {
  try {
    const open = readdirSync('/proc/self/fd').length;
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const limit = line?.split(/\s{2,}/)[1] ?? 'unknown';
    return { open, limit };
  } catch {
    return { open: Number.NaN, limit: 'unknown' };
  }
}

/** Runs `main` when the file is the one node was started with (`node --import tsx bench/<file>.ts`). */
export function runWhenMain(moduleUrl: string, main: () => Promise<void>): void {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

export type { RunningGateway, Socket };

/** `load 3.2 / 2 cores`: what else the machine was doing (1-minute load average), printed beside the figures. */
export function machineLoad(): string {
  return `load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores`;
}
