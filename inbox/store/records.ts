import type { BotFlows } from '../../shared/bot-api';
import type { Channel } from '../../shared/channels';
import type { Attachment, Choice, Template } from '../../shared/messages';

/**
 * What the store hands the domain and takes from it: plain objects, ids as 24-hex strings, times as Dates. No
 * driver type (ObjectId, a mongoose document) crosses the port (./port.ts).
 */

export type Role = 'agent' | 'supervisor' | 'admin';
export type ConversationStatus = 'open' | 'pending' | 'snoozed' | 'resolved';
export type MessageStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
export type AlertType =
  | 'escalated'
  | 'sla_warning'
  | 'sla_breach'
  | 'delivery_failed'
  | 'task_reminder'
  | 'task_overdue'
  | 'task_overdue_escalated';
export type ResponseKind = 'first' | 'reply';
export type Outcome = 'won' | 'lost';

export interface ContactRecord {
  id: string;
  channel: Channel;
  externalId: string;
  name: string;
  username: string | null;
  email: string | null;
  phone: string | null;
  language: string | null;
  /** false once the customer unsubscribed or blocked the bot: replies cannot reach them. */
  reachable: boolean;
  createdAt: Date | null;
  /** What the customer told the bot: the name and phone they gave (shown over the platform's), and what they need. */
  givenName?: string | null;
  givenPhone?: string | null;
  need?: string | null;
}

/** The pending due times a waiting conversation carries; each null when nothing is pending. */
export interface DueTimes {
  escalationDueAt: Date | null;
  slaWarnAt: Date | null;
  slaBreachAt: Date | null;
}
/** The due times a conversation carries, in the order the automations act on them when several fall due together. */
export const dueKinds = ['snoozedUntil', 'slaWarnAt', 'slaBreachAt', 'escalationDueAt'] as const;
export type DueKind = (typeof dueKinds)[number];

export interface ConversationRecord extends DueTimes {
  id: string;
  channel: Channel;
  contactId: string;
  contactName: string;
  contactReachable: boolean;
  status: ConversationStatus;
  assigneeId: string | null;
  lastMessageAt: Date;
  lastMessagePreview: string;
  /** The first customer message no agent has answered yet; null while nobody waits. */
  awaitingReplySince: Date | null;
  firstInboundAt: Date | null;
  /** The customer's latest message: messaging windows (WhatsApp, Instagram) count from here. */
  lastInboundAt: Date | null;
  firstResponseAt: Date | null;
  firstResponderId: string | null;
  unreadCount: number;
  /** The latest inbound messages whose effects this conversation took (a redelivery never applies one twice). */
  appliedInbound: string[];
  escalationStep: number;
  triedAgentIds: string[];
  /** The first-response target of this conversation (business hours applied), kept for reports. */
  firstResponseDueAt: Date | null;
  /** While snoozed: when it opens again by itself (a due time, found by index like the others). */
  snoozedUntil: Date | null;
  outcome: Outcome | null;
  /** Closed as lost: the reason's label as it read then, the reason itself, and the manager's own words. */
  lossReason: string | null;
  lossReasonId: string | null;
  lossNote: string | null;
  resolvedAt: Date | null;
  createdAt: Date;
  /** The chatbot talks with the customer: `pending`, nobody waits and nobody is assigned until it hands off. */
  heldByBot: boolean;
}

export interface Sender {
  type: 'contact' | 'agent' | 'bot' | 'system';
  id?: string;
  name?: string;
}

export interface MessageRecord {
  id: string;
  conversationId: string;
  channel: Channel;
  direction: 'in' | 'out';
  sender: Sender;
  text: string;
  template: Template | null;
  attachments: Attachment[];
  /** The platform's id once known (inbound: always; outbound: after sending). */
  externalId: string | null;
  status: MessageStatus;
  error: string | null;
  createdAt: Date;
  editedAt: Date | null;
  /** Inbound, written by a machine (an auto-reply, a bounce, list mail): shown, but never a wait to answer. */
  automated?: boolean;
  /** Outbound: how many times a manager sent it again after it failed. */
  retries?: number;
  /** Inbound email: the subject, and the quoted previous message below the new part. */
  subject?: string;
  quoted?: string;
  /** A manager's internal note: never delivered, never an answer, seen only by managers. */
  note?: boolean;
  /** Outbound: the answers offered to tap (buttons where the platform has them, numbered lines where not). */
  choices?: Choice[];
  /** Inbound: the id of the offered choice the customer pressed. */
  choice?: string;
}

/** A queued reply as the outbox sees it: the message and its delivery state (inbox/outbox/). */
export interface OutboxEntry extends MessageRecord {
  /** Attempts started. */
  attempts: number;
  /** When the reply was handed to delivery; null while its conversation was still being updated. */
  queuedAt: Date | null;
  /** Set while an attempt runs; still set when the process running it died. */
  sendingSince: Date | null;
  /** Attempts whose outcome is unknown (no answer in time, or the process died mid-send). */
  uncertainAttempts: number;
  /** The contact's platform id and when they last wrote, as of the reply; null on replies queued by older builds. */
  to: string | null;
  lastInboundAt: Date | null;
  /** Campaign mail: the one-click unsubscribe URL of its List-Unsubscribe header. */
  listUnsubscribe?: string;
}

/** Why leads are lost, as admins keep the list: shown by `order`; an inactive one is kept for the leads closed with it. */
export interface LossReasonRecord {
  id: string;
  label: string;
  active: boolean;
  order: number;
}

export interface AgentRecord {
  id: string;
  name: string;
  email: string;
  role: Role;
  passwordHash: string;
  /** A deactivated manager keeps their history but cannot sign in, and their tokens stop. */
  active: boolean;
}

export interface AlertRecord {
  id: string;
  type: AlertType;
  /** Null for a task's alert when the task is on no conversation. */
  conversationId: string | null;
  channel: Channel | null;
  agentId: string | null;
  messageId: string | null;
  /** A task's alerts: the task. */
  taskId: string | null;
  detail: string | null;
  createdAt: Date;
}

/** One agent's answer to a waiting customer: what response-time figures are made of. */
export interface ResponseRecord {
  conversationId: string;
  channel: Channel;
  agentId: string;
  kind: ResponseKind;
  waitingSince: Date;
  respondedAt: Date;
  durationMs: number;
  /** The answering message: one response per message, so a retried write cannot count twice. */
  messageId: string;
  /** First responses only: answered by the conversation's first-response target. */
  withinTarget: boolean | null;
}

/** One channel's, one agent's and one kind's responses of a stretch of time (an hour, or a ragged edge of a range). */
export interface RollupEntry {
  channel: Channel;
  agentId: string;
  kind: ResponseKind;
  /** The durations in milliseconds, ascending. */
  ms: Float64Array;
  /** First responses made by the conversation's target (the others in `ms` missed it); 0 for replies. */
  met: number;
}

export type SavedReplyScope = 'team' | 'personal';

/** A canned answer managers insert into the reply box by its shortcut. */
export interface SavedReplyRecord {
  id: string;
  scope: SavedReplyScope;
  /** The manager a personal reply belongs to; null for the team's. */
  ownerId: string | null;
  shortcut: string;
  title: string;
  text: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What a pipeline stage is: still in play, or where a lead ends (won, lost). */
export type StageKind = 'open' | 'won' | 'lost';
/** What a lead must carry before it may enter a stage: a deal amount, or the customer's phone. */
export type StageRequirement = 'amount' | 'phone';

/** A stage of the sales pipeline, as admins keep the list: shown by `order`; an inactive one keeps its leads. */
export interface PipelineStageRecord {
  id: string;
  label: string;
  kind: StageKind;
  order: number;
  requires: StageRequirement[];
  active: boolean;
}

/** One step of a lead's path, as the lead itself keeps it for the figures. */
export interface PathStep {
  stageId: string;
  kind: StageKind;
  at: Date;
}

/** A lead's move from one stage to another (`from` null: it entered the pipeline). */
export interface StageMoveRecord {
  /** `${leadId}:${seq}`: a move is stored once however often it is written. */
  id: string;
  leadId: string;
  conversationId: string;
  /** 1 for the entry into the pipeline, then one more for each move. */
  seq: number;
  channel: Channel;
  /** Where the lead came from (messages' source: a site form, an ad tag, a deep link's payload). */
  source: string | null;
  /** Whose the conversation was at the time of the move. */
  assigneeId: string | null;
  /** The manager who moved it; null when it moved by itself (the first reply, a resolution found later). */
  byAgentId: string | null;
  from: string | null;
  to: string;
  toKind: StageKind;
  at: Date;
  /** How long the lead was in `from`; null on the entry. */
  msInFrom: number | null;
  amount: number | null;
  lossReasonId: string | null;
  lossReason: string | null;
}

/**
 * A lead: one cycle of a conversation, from the customer's first message (or the message that reopened it after it
 * was resolved) until it is won, lost or resolved.
 */
export interface LeadRecord {
  id: string;
  conversationId: string;
  cycle: number;
  channel: Channel;
  contactId: string;
  source: string | null;
  /** Whose the conversation is (kept in step with it). */
  assigneeId: string | null;
  stageId: string;
  stageKind: StageKind;
  /** Since when it is in its stage: what ageing counts from. */
  stageSince: Date;
  amount: number | null;
  lossReasonId: string | null;
  /** When a manager first answered it; null while nobody has. */
  contactedAt: Date | null;
  createdAt: Date;
  /** Won, lost or resolved; null while the deal is in play. */
  endedAt: Date | null;
  /** False once the conversation started a newer cycle. */
  current: boolean;
  /** How many moves it made (its entry included): the guard of the next move. */
  moves: number;
  path: PathStep[];
  /** Its last move, kept on the lead until it is in `stage_moves` (so a process dying in between loses nothing). */
  pendingMove: StageMoveRecord | null;
}

/** How the funnel is grouped: by the move's channel, its lead's source, or the manager the lead was with. */
export type FunnelDimension = 'channel' | 'source' | 'agent';

/**
 * The entries into one stage counted together (inbox/pipeline/funnel-tally.ts): of one channel and one value of a
 * grouping (the channel itself, a source, a manager), each followed along its lead's path to now.
 */
/** What the funnel is counted per: UTC hours, their days, and the days' calendar months. */
export type FunnelUnit = 'hour' | 'day' | 'month';

export interface FunnelCell {
  channel: Channel;
  /** The grouping's value: the channel, the source (`none`), the manager's id (`unassigned`). */
  key: string;
  stageId: string;
  entered: number;
  toNext: number;
  toWon: number;
  /** Leads that entered the pipeline here, and how many of them nobody has answered yet. */
  leads: number;
  neverContacted: number;
  /** Time spent in the stage by the entries that have left it, in runs each ascending (one per hour or day added in). */
  ms: Float64Array[];
}

/** The cells of the moves of one UTC hour, day or month, for one grouping, counted under one order of the stages. */
export interface FunnelTallyRecord {
  unit: FunnelUnit;
  start: Date;
  dimension: FunnelDimension;
  /** The stages' ids, orders and kinds the cells were counted under (a reorder changes what "next" means). */
  stagesKey: string;
  cells: FunnelCell[];
}

/** One customer's interactions of one Kyiv day (inbox/customers/): when they first and last wrote that day. */
export interface ContactActivityRecord {
  contactId: string;
  channel: Channel;
  /** `YYYY-MM-DD`, the Kyiv calendar day of the interactions. */
  day: string;
  firstAt: Date;
  lastAt: Date;
}

/** One customer's whole span of interactions: their first message ever and their latest. */
export interface ContactSpanRecord {
  contactId: string;
  channel: Channel;
  firstAt: Date;
  lastAt: Date;
}

/** What a saved view narrows its list to; each key absent means "any". */
export interface SavedViewFilter {
  inactiveDays?: number;
  channel?: Channel;
  lossReasonId?: string;
  stageId?: string;
  outcome?: Outcome;
  status?: ConversationStatus;
  /** An agent's id, or `none` for the unassigned queue. */
  assigneeId?: string;
}

export type SavedViewKind = 'contacts' | 'conversations';

/** A named list managers come back to: the team's (`owner` `team`) or one manager's own (`owner` their id). */
export interface SavedViewRecord {
  id: string;
  name: string;
  kind: SavedViewKind;
  filter: SavedViewFilter;
  owner: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Why a campaign's recipient was not sent to. */
export type CampaignSkipReason = 'opted_out' | 'unreachable' | 'channel_unavailable' | 'templates_unsupported' | 'outside_window';

/** A re-engagement campaign: a segment's customers, each sent one message (a template, or text where allowed). */
export interface CampaignRecord {
  id: string;
  name: string;
  viewId: string | null;
  /** The segment: customers silent since before `silentBefore`, of `channel` if set. */
  silentBefore: Date;
  channel: Channel | null;
  template: Template | null;
  text: string | null;
  createdBy: string;
  /** `preparing` until every recipient is stored (a crash in between is finished by the sending job). */
  status: 'preparing' | 'sending';
  createdAt: Date;
}

/** One customer of a campaign: due at `dueAt` (paced per channel) until sent or skipped. */
export interface CampaignRecipientRecord {
  id: string;
  campaignId: string;
  contactId: string;
  conversationId: string;
  channel: Channel;
  status: 'pending' | 'sent' | 'skipped';
  reason: CampaignSkipReason | null;
  /** When it may be sent; while a send runs, when that send's hold ends; null once settled. */
  dueAt: Date | null;
  messageId: string | null;
  sentAt: Date | null;
}
/** The chatbot's flows as admins keep them: one document, versioned so an edit never overwrites a newer one. */
export interface BotFlowsRecord {
  flows: BotFlows;
  version: number;
  updatedAt: Date | null;
}

/** The chatbot's talk with one conversation's customer: where it stands, what it learned, how it ended. */
export interface BotSessionRecord {
  conversationId: string;
  channel: Channel;
  step: 'new' | 'menu' | 'name' | 'phone' | 'need';
  unmatched: number;
  offer: Choice[];
  /** The customer messages it answered (the latest few): a redelivered one is never answered twice. */
  answered: string[];
  /** A customer message noted at ingest that the bot has not answered yet, and since when. */
  pendingInboundId: string | null;
  pendingSince: Date | null;
  startedAt: Date;
  /** The customer's latest message: a talk silent for a day is one the bot handled. */
  lastInboundAt: Date;
  handedOffAt: Date | null;
  handOffReason: string | null;
  /** Bumped by every turn: a turn is saved only over the state it was decided on. */
  version: number;
}

/** A customer's question no answer matched, by the message it came in. */
export interface BotUnmatchedRecord {
  messageId: string;
  conversationId: string;
  channel: Channel;
  text: string;
  at: Date;
}

/** Where a task's alert chain stands: the next alert to raise (before due, at due, to the supervisors). */
export type TaskAlertStep = 'reminder' | 'overdue' | 'escalate';

/** A piece of work a manager is to do by a time, on a conversation or a contact, or on its own. */
export interface TaskRecord {
  id: string;
  title: string;
  dueAt: Date;
  assigneeId: string;
  conversationId: string | null;
  contactId: string | null;
  /** Null when a trigger made it. */
  createdBy: string | null;
  triggerId: string | null;
  createdAt: Date;
  updatedAt: Date;
  doneAt: Date | null;
  /** The chain's next alert and when it is due (found by index); both null once the chain ran out or it is done. */
  alertStep: TaskAlertStep | null;
  alertDueAt: Date | null;
}

export type TriggerOnRecord =
  | { kind: 'stage_changed'; toStageId?: string; fromStageId?: string }
  | { kind: 'lost'; lossReasonId?: string }
  | { kind: 'inactive'; days: number }
  | { kind: 'renewal'; daysBefore: number };
export type TriggerActionRecord =
  | { kind: 'create_task'; title: string; dueInMs: number; assignTo: string }
  | { kind: 'send_template'; template: Template; channel?: Channel };

/** A rule admins keep: on an event (a stage change, a loss, a quiet customer, a renewal coming), do something. */
export interface TriggerRecord {
  id: string;
  name: string;
  active: boolean;
  on: TriggerOnRecord;
  action: TriggerActionRecord;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  /**
   * The timed triggers' sweep position (inactive: the conversations' last customer message; renewal: the renewal
   * date): everything up to (at, id) was looked at.
   */
  sweep: { at: Date; id: string } | null;
}

export type FiringState = 'pending' | 'done' | 'skipped';

/** One time a trigger fired, recorded before its action runs (its id derives from what it is about). */
export interface TriggerFiringRecord {
  id: string;
  triggerId: string;
  /** What makes it once: the trigger and the lead move, the quiet stretch or the renewal date it is about. */
  key: string;
  conversationId: string | null;
  contactId: string | null;
  state: FiringState;
  /** While pending: when an unfinished one is taken up again (its action's lease ends). */
  retryAt: Date | null;
  attempts: number;
  taskId: string | null;
  messageId: string | null;
  reason: string | null;
  firedAt: Date;
  finishedAt: Date | null;
}
