import type { Connection } from 'mongoose';
import type { Capabilities } from '../shared/channel-adapter';
import type { Channel } from '../shared/channels';
import type { Logger } from '../shared/logger';
import type { ChannelSender } from '../shared/messages';
import { Agents } from './agents';
import { Alerts } from './alerts';
import { Assignment } from './assignment';
import { Checkpoints } from './checkpoints';
import { Contacts } from './contacts';
import { Conversations } from './conversations';
import { InboxEvents } from './events';
import { Ingest } from './ingest';
import { LossReasons } from './loss-reasons';
import { Notes } from './notes';
import { Delivery } from './outbox/delivery';
import { type DeliveryRetryPolicy, defaultRetryPolicy } from './outbox/policy';
import { ReplyRetries } from './outbox/retry';
import { type Clock, type Deadlines, noDeadlines, type Presence, type ReplyFiles, systemClock } from './ports';
import { Replies } from './replies';
import { ResponseRollups } from './response-rollups';
import { ResponseTimes } from './response-times';
import { SavedReplies } from './saved-replies';
import { Snoozes } from './snoozes';
import { createMongoStore } from './store/mongo';
import { defaultTaskTimings, type TaskTimings } from './tasks/chain';
import { Tasks } from './tasks/tasks';
import { Team } from './team';
import { TriggerFirings } from './triggers/firings';
import { Renewals } from './triggers/renewals';
import { Triggers } from './triggers/triggers';
import { VolumeFigures } from './volume';
import { Waits } from './waits';

export interface InboxDeps {
  connection: Connection;
  presence: Presence;
  /** How replies are retried (DELIVERY_MAX_RETRIES, DELIVERY_RETRY_BASE). */
  retryPolicy?: DeliveryRetryPolicy;
  senders: ReadonlyMap<Channel, ChannelSender>;
  capabilities: ReadonlyMap<Channel, Capabilities>;
  slaTargets: Readonly<Record<Channel, number>>;
  log: Logger;
  clock?: Clock;
  /** Due times of waits (escalation, first-response targets); none without automations. */
  deadlines?: Deadlines;
  /** Files managers upload to send with replies; without it replies carry text only. */
  replyFiles?: ReplyFiles;
  /** When a task's reminder and its escalation to the supervisors come (TASK_REMINDER_BEFORE, TASK_OVERDUE_ESCALATE_AFTER). */
  taskTimings?: TaskTimings;
}

/** Wires the inbox's use cases over one store connection. */
export async function createInbox(deps: InboxDeps) {
  const { store, models } = await createMongoStore(deps.connection);
  const clock = deps.clock ?? systemClock;
  const events = new InboxEvents();
  const assignment = new Assignment(store, deps.presence);
  const deadlines = deps.deadlines ?? noDeadlines;
  const checkpoints = new Checkpoints(store);
  const rollups = new ResponseRollups(store, checkpoints, deps.slaTargets);
  const alerts = new Alerts(store, events, clock);
  const conversations = new Conversations(store, events, clock, deadlines);
  const agents = new Agents(store, deps.presence);
  const delivery = new Delivery(store, deps.senders, deps.capabilities, alerts, events, deps.log, deps.retryPolicy ?? defaultRetryPolicy);
  const lossReasons = new LossReasons(store);
  await lossReasons.seed();
  const replies = new Replies(store, conversations, events, delivery, deps.capabilities, clock, deps.replyFiles);
  const tasks = new Tasks(store, events, clock, deps.taskTimings ?? defaultTaskTimings);
  return {
    store,
    /** The stored documents themselves: for benchmarks and tests that seed a history in bulk; the domain never uses them. */
    models,
    events,
    assignment,
    alerts,
    conversations,
    contacts: new Contacts(store, conversations),
    agents,
    team: new Team(store, agents, events),
    ingest: new Ingest(store, events, assignment, deps.log, clock, deadlines),
    replies,
    delivery,
    responseTimes: new ResponseTimes(store, deps.slaTargets, clock, rollups),
    volume: new VolumeFigures(store, clock),
    rollups,
    checkpoints,
    waits: new Waits(store, events),
    snoozes: new Snoozes(store, conversations, events, clock, deadlines),
    retries: new ReplyRetries(store, conversations, events, delivery),
    lossReasons,
    notes: new Notes(store, conversations, events, clock),
    savedReplies: new SavedReplies(store, clock),
    tasks,
    triggers: new Triggers(store, clock),
    triggerFirings: new TriggerFirings(store, tasks, replies, clock),
    renewals: new Renewals(store),
    clock,
  };
}
export type Inbox = Awaited<ReturnType<typeof createInbox>>;
