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
    backend: new MongoBackend({ mongo: db as never, collection: 'jobs' }),
    processEvery: pollIntervalMs,
    // A job saved in this process is picked up at once instead of at the next poll.
    notificationChannel: new InMemoryNotificationChannel(),
    defaultLockLifetime: 5 * 60_000,
  });
  agenda.on('error', (err: unknown) => log.error({ err }, 'job queue error'));
  return agenda;
}
