import type { Connection } from 'mongoose';
import type { Capabilities } from '../shared/channel-adapter';
import type { Channel } from '../shared/channels';
import type { Logger } from '../shared/logger';
import type { ChannelSender } from '../shared/messages';
import { Agents } from './agents';
import { Alerts } from './alerts';
import { Assignment } from './assignment';
import { Conversations } from './conversations';
import { Delivery } from './delivery';
import { InboxEvents } from './events';
import { Ingest } from './ingest';
import { KeyedLock } from './keyed-lock';
import { type Clock, type DeliveryQueue, type Presence, systemClock } from './ports';
import { Replies } from './replies';
import { ResponseTimes } from './response-times';
import { createModels, ensureIndexes } from './store/models';

export interface InboxDeps {
  connection: Connection;
  presence: Presence;
  queue: DeliveryQueue;
  senders: ReadonlyMap<Channel, ChannelSender>;
  capabilities: ReadonlyMap<Channel, Capabilities>;
  slaTargets: Readonly<Record<Channel, number>>;
  log: Logger;
  clock?: Clock;
}

/** Wires the inbox's use cases over one store connection. */
export async function createInbox(deps: InboxDeps) {
  const models = createModels(deps.connection);
  await ensureIndexes(models);
  const clock = deps.clock ?? systemClock;
  const events = new InboxEvents();
  const lock = new KeyedLock();
  const assignment = new Assignment(models, deps.presence, lock);
  const alerts = new Alerts(models, events);
  const conversations = new Conversations(models, events, clock, lock);
  return {
    models,
    events,
    assignment,
    alerts,
    conversations,
    agents: new Agents(models, deps.presence),
    ingest: new Ingest(models, events, assignment, deps.log, clock, lock),
    replies: new Replies(models, conversations, events, deps.queue, deps.capabilities, clock, lock),
    delivery: new Delivery(models, deps.senders, alerts, events, deps.log),
    responseTimes: new ResponseTimes(models, deps.slaTargets, clock),
  };
}
export type Inbox = Awaited<ReturnType<typeof createInbox>>;
