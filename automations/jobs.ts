import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { MongoBackend } from '@agendajs/mongo-backend';
import { Agenda, InMemoryNotificationChannel } from 'agenda';
import type { Connection } from 'mongoose';
import type { Logger } from '../shared/logger';

export interface JobsOptions {
  connection: Connection;
  /** How often each process polls for due jobs (jobs created in this process start at once regardless). */
  pollIntervalMs: number;
  log: Logger;
}

/** One Agenda over the inbox's own database connection. */
export function createAgenda({ connection, pollIntervalMs, log }: JobsOptions): Agenda {
  const db = connection.db;
  if (!db) throw new Error('the store connection is not open');
  const agenda = new Agenda({
    // Each process's name is on the jobs it locks, so that on stop it can hand back exactly its own (drainJobs).
    name: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    backend: new MongoBackend({ mongo: db as never, collection: 'jobs' }),
    processEvery: pollIntervalMs,
    // A job saved in this process is picked up at once instead of at the next poll.
    notificationChannel: new InMemoryNotificationChannel(),
    defaultLockLifetime: 5 * 60_000,
  });
  agenda.on('error', (err: unknown) => log.error({ err }, 'job queue error'));
  trackLocking(agenda);
  return agenda;
}

/** The locking of jobs ahead of their run, stoppable and awaited on stop (drainJobs). */
interface Locking {
  stopped: boolean;
  inFlight: number;
  idle: (() => void)[];
}
const locking = new WeakMap<Agenda, Locking>();

/**
 * Every lock the job queue takes goes through its repository's `getNextJobToRun`: counted here, so that a stop can
 * refuse new ones and wait for those already sent, instead of unlocking while one of them is still on its way.
 */
function trackLocking(agenda: Agenda): void {
  const state: Locking = { stopped: false, inFlight: 0, idle: [] };
  locking.set(agenda, state);
  const repository = agenda.db;
  const next = repository.getNextJobToRun.bind(repository);
  repository.getNextJobToRun = async (...args) => {
    if (state.stopped) return undefined;
    state.inFlight += 1;
    try {
      return await next(...args);
    } finally {
      state.inFlight -= 1;
      if (state.inFlight === 0) for (const done of state.idle.splice(0)) done();
    }
  };
}

/**
 * Lets the running jobs finish (up to `timeoutMs`), then unlocks the jobs this process had locked ahead of their next
 * run. Agenda's own drain leaves those locked, so another process would run them only once the lock's lifetime ran
 * out: escalations, campaigns and the bot's repair would stall for minutes after every rolling restart. When the
 * drain times out, a job may still be running here, so nothing is unlocked: its lock keeps another process off it.
 */
export async function drainJobs(agenda: Agenda, connection: Connection, timeoutMs: number): Promise<void> {
  const state = locking.get(agenda);
  if (state) state.stopped = true;
  const { timedOut } = await agenda.drain(timeoutMs);
  if (timedOut || !agenda.attrs.name) return;
  // A lock sent before the stop may still be on its way: it lands before the unlock, not after.
  if (state && state.inFlight > 0) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => state.idle.push(resolve)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }
  await connection.db
    ?.collection('jobs')
    .updateMany({ lastModifiedBy: agenda.attrs.name, lockedAt: { $ne: null } }, { $unset: { lockedAt: true } });
}
