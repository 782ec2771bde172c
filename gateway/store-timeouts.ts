import mongoose, { type Connection, type ConnectOptions } from 'mongoose';
import type { Logger } from '../shared/logger';

/**
 * How long the gateway waits on the store, in one place. A platform that gets no answer (or a 5xx) redelivers, so
 * when the store does not answer a webhook must get a prompt 503 rather than hang: these numbers bound every wait
 * and say how fast an outage is noticed and left behind.
 *
 * When the store stops answering (a network partition, a frozen or overloaded server):
 * - a webhook waits on it `webhookDeadlineMs`, a manager's read `apiReadDeadlineMs`, then gets 503
 *   STORE.UNAVAILABLE with Retry-After (what was sent to the store goes on in the background; a redelivered message
 *   is stored once, so one that still lands later is harmless);
 * - the driver's monitor notices within `heartbeatMs + connectMs` (its `hello` goes unanswered), marks the server
 *   unknown and cuts the connections in use: every command in flight fails at once (503 as well);
 * - from then on a command fails after `serverSelectionMs` (no buffering: `bufferCommands: false` below);
 * - when the store answers again, the monitor sees it within `heartbeatMs` and commands go through again; nothing
 *   needs a restart.
 */
export const storeTimeouts = {
  /**
   * A command waits this long for a store it can use (driver default 30 s). Once the store is known to be down, a
   * webhook or a manager's request fails after this much, under the webhook deadline; a store back within it (a
   * reconnect, a quick restart) is simply waited for.
   */
  serverSelectionMs: 1_000,
  /**
   * The monitor checks the store this often (driver default 10 s, which is how long an outage went unnoticed).
   * One `hello` a second per process costs nothing; mongoose advises against going below 1 s.
   */
  heartbeatMs: 1_000,
  /**
   * The monitor's `hello` and a new connection's TCP/TLS connect and handshake get this long per round trip
   * (driver default 30 s). `hello` is answered without touching any data, on MongoDB and on FerretDB alike, so
   * 1.5 s of silence is an outage, not load; it is generous for TLS across a WAN. A `hello` that times out makes
   * the driver cut the connections in use, so this bounds how long a command hangs on a silent store.
   */
  connectMs: 1_500,
  /**
   * A connection that stays silent this long is cut: the backstop for one connection stalling while the monitor
   * still gets answers. Longer than any single command the gateway sends at scale (FerretDB at 100,000 documents
   * takes about 5 s for a guarded update; reports read through cursors in batches), so it never cuts real work.
   */
  socketMs: 30_000,
  /**
   * A webhook waits this long on the store before it gets 503: under the 2 s the platforms are promised, with room
   * for the HTTP round trip on a busy machine.
   */
  webhookDeadlineMs: 1_500,
  /**
   * A manager's read (GET under /api) waits this long: the inbox's lists and histories are index reads of a page,
   * milliseconds at scale. Writes get no such deadline, nor do the response-time reports, which take seconds at
   * scale on the embedded store (see readDeadline); the driver still fails both soon after the store goes silent.
   */
  apiReadDeadlineMs: 2_000,
  /**
   * Past its deadline a request keeps waiting only while the store is plainly at work: it answered some command
   * within the last `busyQuietMs` (100 copies of one update queue behind each other for the same customer, each
   * answered in milliseconds). A store that answers nothing for this long is not answering. Shorter than the
   * deadlines, so a store that went silent when (or before) a request came is never taken for a busy one.
   */
  busyQuietMs: 500,
  /** Even a store at work does not keep a request open longer than this (platforms count a delivery failed). */
  requestMaxMs: 10_000,
  /** `/healthz` waits at most this long for the store's ping: load balancers and probes get an answer within 1 s. */
  healthDeadlineMs: 800,
  /** `Retry-After` (seconds) on a 503: about when the monitor will have seen a store that came back. */
  retryAfterSeconds: 5,
  /** At start, the store is waited for this long (it may be starting beside the gateway) before giving up. */
  startupWaitMs: 10_000,
} as const;

/**
 * The mongoose connection's settings. Not set, on purpose:
 * - `timeoutMS` (one deadline per operation): a no-op since driver 7.8 (it desynchronised connection pools, a CVE);
 *   the per-stage timeouts above replace it, as the driver's release notes advise;
 * - `maxTimeMS`: it bounds execution on the server, which a store that does not answer never starts;
 * - `waitQueueTimeoutMS`: commands waiting for a pooled connection are failed at once when the pool is cleared
 *   on an outage; without one, waiting is a matter of load, which the webhook deadline already bounds.
 */
export const storeConnectionOptions: ConnectOptions = {
  serverSelectionTimeoutMS: storeTimeouts.serverSelectionMs,
  heartbeatFrequencyMS: storeTimeouts.heartbeatMs,
  connectTimeoutMS: storeTimeouts.connectMs,
  socketTimeoutMS: storeTimeouts.socketMs,
  // Mongoose queues every command while it considers the connection down (from the first failed heartbeat) for
  // bufferTimeoutMS, 10 s by default, and only then fails it: that was the hang. Without buffering, commands go
  // straight to the driver, which fails them within serverSelectionMs and resumes by itself once the store is back.
  bufferCommands: false,
};

/** Opens the store connection, waiting up to `startupWaitMs` for a store that does not answer yet. */
export async function openStore(uri: string, log: Logger): Promise<Connection> {
  const giveUpAt = Date.now() + storeTimeouts.startupWaitMs;
  for (let attempt = 1; ; attempt++) {
    const connection = mongoose.createConnection(uri, storeConnectionOptions);
    try {
      await connection.asPromise();
      // Mongoose says so when the monitor loses the store (and when it finds it again): one line each way.
      let closing = false;
      connection.once('disconnecting', () => {
        closing = true;
      });
      connection.on('disconnected', () => {
        if (!closing) log.warn('the store is not answering; webhooks get 503 until it does');
      });
      connection.on('reconnected', () => log.info('the store answers again'));
      return connection;
    } catch (err) {
      await connection.close(true).catch(() => undefined);
      if (!isStoreUnavailable(err) || Date.now() >= giveUpAt) throw err;
      if (attempt === 1) {
        log.warn({ err: (err as Error).message }, `the store does not answer yet; waiting up to ${storeTimeouts.startupWaitMs / 1000} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Driver and mongoose errors that say the store could not be reached or did not answer in time. */
const unavailableNames = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoPoolClearedError',
  'PoolClearedOnNetworkError',
  'MongoPoolClosedError',
  'MongoWaitQueueTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoClientClosedError',
  'MongoServerClosedError',
]);
/**
 * Server error codes of a store that cannot serve right now: shutting down, stepping down or not primary (the driver
 * has already retried once), out of time.
 */
const unavailableCodes = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/** True for an error that means "the store is unavailable" (answer 503, try again later), never a bug of ours. */
export function isStoreUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    if (unavailableNames.has(e.name)) return true;
    const code = (e as { code?: unknown }).code;
    if (e.name.startsWith('Mongo') && typeof code === 'number' && unavailableCodes.has(code)) return true;
    // Only with buffering turned back on: "Operation `x.find()` buffering timed out after 10000ms".
    if (e.name === 'MongooseError' && /buffering timed out/.test(e.message)) return true;
    e = e.cause;
  }
  return false;
}

/**
 * Whether the store is at work, for requests that wait on it past their deadline (moreTime). "At work" is an answer
 * to any command within busyQuietMs. Other traffic (the job queue's polls, other requests) usually shows it, but
 * not always: a quiet gateway whose one webhook waits on a slow insert sends nothing else. So while any request
 * waits, a store that has been quiet for a while is pinged through the same pool; a busy store answers the ping in
 * milliseconds, a silent one does not, and one ping at a time is ever outstanding.
 */
export interface StoreActivity {
  /** When the store last answered a command (Date.now() time). */
  answeredAt(): number;
  /** A request begins to wait on the store; call the returned function when it stops waiting. */
  waiting(): () => void;
}

export interface WaitPolicy {
  /** The deadline, from the start of the wait. */
  deadlineMs: number;
  /** What the store is doing (watchStoreAnswers): past the deadline, waiting goes on while it is at work. */
  store?: StoreActivity;
}

/**
 * How much longer a wait that began at `since` may go on at `now`: until the deadline; after it, for as long as
 * the store keeps answering (see busyQuietMs), never past requestMaxMs. 0: give up now.
 */
export function moreTime(policy: WaitPolicy, since: number, now: number = Date.now()): number {
  const deadline = since + policy.deadlineMs;
  if (now < deadline) return deadline - now;
  const cap = since + Math.max(policy.deadlineMs, storeTimeouts.requestMaxMs);
  if (!policy.store || now >= cap) return 0;
  const quietFrom = policy.store.answeredAt() + storeTimeouts.busyQuietMs;
  if (quietFrom <= now) return 0;
  return Math.min(quietFrom, cap) - now;
}

/**
 * `work`, or `timedOut()` thrown once `more()` says to stop waiting (a number: that many ms). The work is not
 * stopped (a store command cannot be called back); how it ends after the deadline goes to `late` (its error, or
 * undefined), so a rejection then is never unhandled.
 */
export function withDeadline<T>(
  work: Promise<T>,
  more: number | (() => number),
  timedOut: () => Error,
  late?: (err: unknown) => void,
): Promise<T> {
  let first = true;
  const wait = (): number => {
    if (typeof more === 'function') return more();
    const ms = first ? more : 0;
    first = false;
    return ms;
  };
  let timer: NodeJS.Timeout | undefined;
  let expired = false;
  const deadline = new Promise<never>((_resolve, reject) => {
    const check = () => {
      const ms = wait();
      if (ms > 0) {
        timer = setTimeout(check, ms);
        return;
      }
      expired = true;
      reject(timedOut());
    };
    check();
  });
  work.then(
    () => {
      clearTimeout(timer);
      if (expired) late?.(undefined);
    },
    (err: unknown) => {
      clearTimeout(timer);
      if (expired) late?.(err);
    },
  );
  return Promise.race([work, deadline]);
}
