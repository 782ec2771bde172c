import type { AllowedQuery } from './query-index';

/**
 * The queries the suite sends that no declared index serves (test/support/query-index.ts has the rule), allowed for
 * now, each with its reason: the index check (test/support/global-teardown.ts) fails the run on any other, and, when
 * the whole suite ran, on an entry here that nothing matched any more, so the list only shrinks. `shape` is exactly
 * as the check's table prints it; `*` allows every query on a collection that is a test's own fixture.
 *
 * "to be served by an index: …" marks a gap in the app: the index named is what the owners of inbox/ are to
 * declare (inbox/store/mongo/models.ts), and the entry goes when they do.
 *
 * An entry is matched by collection and shape only, not by who sends it: an app query of the same shape as a test's
 * read-back below passes unseen, so keep the test entries to the shapes no app code sends.
 */

/** A test reading back, through a raw connection, the few documents it made itself. */
const readBack = (where: string) => `a test's read-back of its own few documents, not the app's (${where})`;

export const unindexedQueries: AllowedQuery[] = [
  // ---- gaps in the app ----

  // ---- the app, served well enough: the index there bounds all but a guard ----
  {
    collection: 'agents',
    shape: 'find {} sort {name: 1}',
    reason: 'Agents.list in inbox/agents.ts (GET /api/agents): the team is tens of documents, sorted in memory; {name: 1} would serve it',
  },
  {
    collection: 'messages',
    shape: 'findAndModify {channel, direction, externalId, status: {$in}}',
    reason:
      "Ingest.applyReceipt in inbox/ingest.ts: {channel: 1, externalId: 1} bounds the platform's id to its message; direction and " +
      'status are guards on that one document',
  },
  {
    collection: 'messages',
    shape: 'update {direction, nextAttemptAt, status}',
    reason:
      'Delivery.adoptQueued in inbox/outbox/delivery.ts, once at start: {status: 1, nextAttemptAt: 1} bounds status and ' +
      'nextAttemptAt (null); direction is a guard on those',
  },

  {
    collection: 'conversations',
    shape:
      'find {$and: [{status}, {channel}, {assigneeId}, {$or: [{contactName: /regex/}, {lastMessagePreview: /regex/}]}]} sort {lastMessageAt: -1, _id: -1}',
    reason:
      "Conversations.list's search (q) within one manager's conversations: {assigneeId: 1, status: 1, lastMessageAt: -1, _id: -1} " +
      "bounds them and gives the order; the channel and the search text are matched document by document among that manager's",
  },

  // ---- Agenda's own queries on its jobs collection (three recurring jobs) ----
  {
    collection: 'jobs',
    shape:
      'findAndModify {$or: [{lockedAt: {$eq}, nextRunAt: {$lte}}, {lockedAt: {$lte}}], disabled: {$ne}, name} sort {nextRunAt: 1, priority: -1}',
    reason:
      "Agenda's poll (@agendajs/mongo-backend getNextJobToRun): its findAndLockNextJobIndex {name, nextRunAt, priority, lockedAt, " +
      'disabled} bounds the name and gives the order; lockedAt: null is an equality outside that prefix, checked in the index keys',
  },
  {
    collection: 'jobs',
    shape: 'findAndModify {name, type}',
    reason:
      "Agenda's save of an every() job (@agendajs/mongo-backend saveJob, type 'single'): the name is bounded by findAndLockNextJobIndex",
  },
  {
    collection: 'jobs',
    shape: 'update {lastModifiedBy, lockedAt: {$ne}}',
    reason: "drainJobs in automations/jobs.ts, once per graceful stop: hands back the process's own locks among the few recurring jobs",
  },
  {
    collection: 'jobs',
    shape: 'find {} sort {nextRunAt: -1}',
    reason: "Agendash's job list at /admin/jobs (queryJobs, sorted by nextRunAt): an admin's page over the three recurring jobs",
  },
  {
    collection: 'jobs',
    shape: 'aggregate {nextRunAt: {$lt}}',
    reason: "Agendash's overview counts at /admin/jobs (overdue jobs): an admin's page over the three recurring jobs",
  },

  // ---- the tests' own reads, of what the managers' API does not show ----
  { collection: 'messages', shape: 'aggregate {text}', reason: readBack('countDocuments in store-outage.test.ts, round the tap') },
  {
    collection: 'messages',
    shape: 'find {externalId}',
    reason: readBack("whatsapp-webhook.test.ts, whatsapp-web-inbound.test.ts: the platform's body kept for replay"),
  },
  {
    collection: 'messages',
    shape: 'find {note}',
    reason:
      "store-semantics.test.ts's fixture: on purpose a query on a field without an index, to compare the store's answer with MongoDB's",
  },
];
