import type { Connection } from 'mongoose';
import type { Capabilities } from '../shared/channel-adapter';
import type { Channel } from '../shared/channels';
import type { Logger } from '../shared/logger';
import type { ChannelSender } from '../shared/messages';
import { Agents } from './agents';
import { Alerts } from './alerts';
import { Assignment } from './assignment';
import { BotHolds } from './bot-holds';
import { StoredBotIntake } from './bot-intake';
import { Checkpoints } from './checkpoints';
import { Contacts } from './contacts';
import { Conversations } from './conversations';
import { backfillInteractions } from './customers/backfill';
import { Campaigns, type UnsubscribeLinks } from './customers/campaigns';
import { ChurnFigures } from './customers/figures';
import { InactiveContacts } from './customers/inactive';
import { SavedViews } from './customers/saved-views';
import { InboxEvents } from './events';
import { Ingest } from './ingest';
import { LossReasons } from './loss-reasons';
import { Notes } from './notes';
import { Delivery } from './outbox/delivery';
import { type DeliveryRetryPolicy, defaultRetryPolicy } from './outbox/policy';
import { ReplyRetries } from './outbox/retry';
import { PipelineFigures } from './pipeline/figures';
import { Pipeline } from './pipeline/leads';
import { PipelineStages } from './pipeline/stages';
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
  /** ACTIVE_CUSTOMER_WINDOW: a customer who wrote within this long before a moment is active at it (30 days by default). */
  activeCustomerWindowMs?: number;
  /** Signs the one-click unsubscribe links of campaign mail; without it campaign mail carries none. */
  unsubscribeLinks?: UnsubscribeLinks;
  /** When a task's reminder and its escalation to the supervisors come (TASK_REMINDER_BEFORE, TASK_OVERDUE_ESCALATE_AFTER). */
  taskTimings?: TaskTimings;
  /**
   * How long the live path has before a pass takes its work up as lost to a stopped process (TRIGGER_REPAIR_AFTER,
   * CAMPAIGN_REPAIR_AFTER): a trigger firing's action and the stage moves it reads back; a campaign recipient's send.
   */
  repairAfter?: { triggerFiringsMs?: number; campaignRecipientsMs?: number };
  /** The scrypt cost of new passwords (PASSWORD_SCRYPT_N); OWASP's 2^17 without it. */
  passwordScryptN?: number;
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
  const agents = new Agents(store, deps.presence, deps.passwordScryptN);
  const delivery = new Delivery(store, deps.senders, deps.capabilities, alerts, events, deps.log, deps.retryPolicy ?? defaultRetryPolicy);
  const botIntake = new StoredBotIntake(store);
  const lossReasons = new LossReasons(store);
  await lossReasons.seed();
  const stages = new PipelineStages(store);
  await stages.seed();
  const pipeline = new Pipeline(store, conversations, stages, events, clock, deps.log);
  pipeline.listen();
  const replies = new Replies(store, conversations, events, delivery, deps.capabilities, clock, deps.replyFiles);
  const savedViews = new SavedViews(store, clock);
  const campaigns = new Campaigns(store, events, replies, savedViews, clock, deps.unsubscribeLinks, deps.repairAfter?.campaignRecipientsMs);
  campaigns.listen();
  // In the background: a store with years of conversations is swept once, without holding the start up.
  const backfilled = backfillInteractions(store, clock).catch((err: unknown) => {
    deps.log.error({ err }, 'interactions from before they were kept could not be swept; the next start tries again');
    return 0;
  });
  const tasks = new Tasks(store, events, clock, deps.taskTimings ?? defaultTaskTimings);
  const triggers = new Triggers(store, clock);
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
    ingest: new Ingest(store, events, assignment, deps.log, clock, deadlines, botIntake),
    botIntake,
    botHolds: new BotHolds(store, conversations, assignment, events, clock),
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
    stages,
    pipeline,
    pipelineFigures: new PipelineFigures(store, clock),
    churn: new ChurnFigures(store, clock, deps.activeCustomerWindowMs ?? 30 * 24 * 60 * 60_000),
    inactiveContacts: new InactiveContacts(store, clock),
    savedViews,
    campaigns,
    /** The one-off sweep of interactions from the history stored before they were kept (done when it resolves). */
    backfilled,
    tasks,
    triggers,
    triggerFirings: new TriggerFirings(store, tasks, replies, clock, triggers.onMoves, deps.repairAfter?.triggerFiringsMs),
    renewals: new Renewals(store),
    clock,
  };
}
export type Inbox = Awaited<ReturnType<typeof createInbox>>;
