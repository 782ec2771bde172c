import { MongoBackend } from '@agendajs/mongo-backend';
import { Agenda } from 'agenda';
import type { Db } from 'mongodb';

/**
 * The Agenda that each process of the shared-queue suite runs (test/store-semantics.test.ts and its second process,
 * test/support/agenda-worker.ts): the same settings on both sides, so that they compete for the queue on equal terms.
 */
export function queueAgenda(db: Db): Agenda {
  return new Agenda({
    backend: new MongoBackend({ mongo: db, collection: 'jobs' }),
    processEvery: 100,
    // Few jobs locked at a time, so the other process gets its share of the queue instead of one taking it all.
    defaultConcurrency: 2,
    defaultLockLimit: 2,
    defaultLockLifetime: 60_000,
  });
}
