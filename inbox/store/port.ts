import type { BotFlows } from '../../shared/bot-api';
import type { Channel } from '../../shared/channels';
import type { Attachment, Choice, InboundContact, Template } from '../../shared/messages';
import type {
  AgentRecord,
  AlertRecord,
  AlertType,
  BotFlowsRecord,
  BotSessionRecord,
  BotUnmatchedRecord,
  CampaignRecipientRecord,
  CampaignRecord,
  ContactActivityRecord,
  ContactRecord,
  ContactSpanRecord,
  ConversationRecord,
  ConversationStatus,
  DueKind,
  DueTimes,
  FunnelDimension,
  FunnelTallyRecord,
  LeadRecord,
  LossReasonRecord,
  MessageRecord,
  MessageStatus,
  OutboxEntry,
  Outcome,
  PipelineStageRecord,
  ResponseRecord,
  Role,
  RollupEntry,
  SavedReplyRecord,
  SavedViewRecord,
  Sender,
  StageMoveRecord,
  TaskAlertStep,
  TaskRecord,
  TriggerFiringRecord,
  TriggerRecord,
} from './records';

/**
 * The inbox's store, as the domain speaks of it: one interface per concept, each operation named for what it does
 * and guarded where a decision was made on an earlier read, so that two processes (or a redelivery after a crash)
 * acting on the same thing land one write and the other finds nothing to do. Operations that may find nothing to
 * do say so (null, false) instead of throwing. Records are plain (./records.ts).
 *
 * One implementation, for MongoDB (./mongo/): the embedded FerretDB speaks the same protocol, and what it cannot do
 * is named there, at this seam, and nowhere else.
 */
export interface InboxStore {
  contacts: ContactStore;
  conversations: ConversationStore;
  waits: WaitStore;
  messages: MessageStore;
  outbox: OutboxStore;
  agents: AgentStore;
  alerts: AlertStore;
  responses: ResponseStore;
  rollups: RollupStore;
  checkpoints: CheckpointStore;
  lossReasons: LossReasonStore;
  savedReplies: SavedReplyStore;
  pipeline: PipelineStore;
  funnelTallies: FunnelTallyStore;
  activity: ActivityStore;
  savedViews: SavedViewStore;
  campaigns: CampaignStore;
  bot: BotStore;
  tasks: TaskStore;
  triggers: TriggerStore;
  firings: TriggerFiringStore;
  renewals: RenewalStore;
  quietCustomers: QuietCustomerStore;
}

/** A keyset position in a list ordered by (time, id). */
export interface Position {
  at: Date;
  id: string;
}

export interface ContactStore {
  /** The customer behind a platform identity, with what the platform says of them now; created on first sight. */
  recordSeen(id: string, channel: Channel, contact: InboundContact): Promise<{ contact: ContactRecord; created: boolean }>;
  get(id: string): Promise<ContactRecord | null>;
  getMany(ids: readonly string[]): Promise<ContactRecord[]>;
  /** The contacts with one of these exact emails or phones, at most `limit`. */
  idsByIdentity(emails: readonly string[], phones: readonly string[], limit: number): Promise<string[]>;
  /**
   * Whether replies can reach them (subscribed, unsubscribed, blocked). A contact not seen before is recorded with
   * `name`; a known one keeps theirs (the event may carry no real name).
   */
  setReachable(id: string, channel: Channel, contact: { externalId: string; name: string }, reachable: boolean): Promise<void>;
  /** What the customer told the bot, on their card: the name they gave, their phone (E.164), what they need. */
  fillCard(id: string, card: { name?: string; phone?: string; need?: string }): Promise<void>;
}

/** A new customer's conversation, opened with their first message applied, the wait started and an assignee. */
export interface NewConversation extends DueTimes {
  id: string;
  channel: Channel;
  contactId: string;
  contactName: string;
  contactReachable: boolean;
  assigneeId: string | null;
  /** False for a machine's mail: nobody waits on it (no first message, no wait). */
  waiting: boolean;
  at: Date;
  preview: string;
  messageId: string;
  firstResponseDueAt: Date | null;
  /** The chatbot takes it: `pending`, with no wait (the caller gives no due times) and no assignee. */
  heldByBot?: boolean;
}

/** What a customer's message changes in a conversation that already took other messages. */
export interface CustomerTurn {
  messageId: string;
  at: Date;
  preview: string;
  /** A machine's mail (a bounce, an auto-reply): it leaves the status as it is (and starts no wait). */
  automated?: boolean;
  /** Whether the bot held the conversation when this process last saw it: only which guarded write is tried first. */
  heldByBotLikely?: boolean;
}

/** The follow-up of a customer turn that found no wait running, a first message not yet noted, or the case closed. */
export interface TurnFollowUp {
  /** Starts the wait (only if none runs meanwhile), with its due times. */
  wait?: DueTimes & { since: Date; firstResponseDueAt?: Date | null };
  firstInboundAt?: Date;
  /** The case was resolved: it is open again, its outcome and escalation chain cleared. */
  reopen: boolean;
  /**
   * It was snoozed while the customer already waited: the escalation paused by the snooze runs again from now
   * (only if nothing set it meanwhile).
   */
  resumeEscalation?: Date | null;
}

export interface ConversationFilter {
  status?: ConversationStatus;
  channel?: Channel;
  /** One assignee's (null: the unassigned queue). */
  assigneeId?: string | null;
  /** An agent's view: their own and the unassigned queue. */
  visibleTo?: string;
  /** Part of the contact's name or of the last message (case aside), or one of these contacts. */
  search?: { text: string; contactIds: string[] };
  /** `recent`: newest activity first. `longest-waiting`: only those waiting for a reply, longest wait first. */
  order?: 'recent' | 'longest-waiting';
  /** The page after this position (the activity time, or the wait's start, and the id). */
  after?: Position;
  /** Only these conversations (the pipeline's filters: a stage, an outcome, a loss reason). */
  ids?: readonly string[];
}

/** A status change decided by a manager. */
export interface StatusChange {
  status: ConversationStatus;
  /** Resolving: when, and how the lead ended. Its wait and due times end with it. */
  resolution?: { at: Date; outcome: Outcome | null; lost?: { reasonId: string; label: string; note: string | null } };
  /** Reopening a resolved case: its resolution is cleared. */
  clearResolution: boolean;
}

/** A lead nobody has answered yet, as the response-time report reads it. */
export type UnansweredLead = Pick<ConversationRecord, 'id' | 'channel' | 'assigneeId' | 'firstInboundAt' | 'firstResponseDueAt'>;
/** A customer waiting right now, as the response-time report reads it. */
export type WaitingCustomer = Pick<ConversationRecord, 'id' | 'channel' | 'assigneeId' | 'awaitingReplySince'>;

/** A lead as the volume figures read it: when it came, on which channel, and whose it is. */
export type LeadArrival = Pick<ConversationRecord, 'id' | 'channel' | 'assigneeId' | 'firstInboundAt'>;

export interface ConversationStore {
  get(id: string): Promise<ConversationRecord | null>;
  getMany(ids: readonly string[]): Promise<ConversationRecord[]>;
  /** Null when the conversation exists already (another message of the same customer opened it). */
  open(c: NewConversation): Promise<ConversationRecord | null>;
  /**
   * Applies a customer's message once: null when the conversation does not exist or took this message already.
   * Returns the conversation as it was before.
   */
  takeCustomerTurn(id: string, turn: CustomerTurn): Promise<ConversationRecord | null>;
  /** Null when a racing message started the wait first (then nothing else of the follow-up is applied either). */
  followUpTurn(id: string, change: TurnFollowUp): Promise<ConversationRecord | null>;
  /** Gives an unassigned conversation to `agentId`; null when someone has it already. */
  assignIfUnassigned(id: string, agentId: string): Promise<ConversationRecord | null>;
  /** Null when it already said so. */
  setContactReachable(id: string, reachable: boolean): Promise<ConversationRecord | null>;
  /**
   * Ends the customer's wait, its escalation chain and due times; returns the conversation as it was, or null when
   * nobody was waiting (so of two replies at once, one measures the wait).
   */
  endWait(id: string): Promise<ConversationRecord | null>;
  /** Records the first response; false when there was one already. */
  recordFirstResponse(id: string, at: Date, agentId: string): Promise<boolean>;
  /** An agent's message: newest activity, preview, everything read; `open` again if `reopen`. */
  noteReply(id: string, at: Date, preview: string, reopen: boolean): Promise<ConversationRecord | null>;
  /** Newest activity first, `limit` of them. */
  list(filter: ConversationFilter, limit: number): Promise<ConversationRecord[]>;
  /** A manual (re)assignment: the chain restarts from the new assignee, with `escalationDueAt`. */
  assign(id: string, assigneeId: string | null, escalationDueAt: Date | null): Promise<ConversationRecord | null>;
  changeStatus(id: string, change: StatusChange): Promise<ConversationRecord | null>;
  markRead(id: string): Promise<ConversationRecord | null>;
  /**
   * Snoozed until `until`: its escalation pauses (the wait itself goes on, for the figures). Null when it does not
   * exist or is resolved.
   */
  snooze(id: string, until: Date): Promise<ConversationRecord | null>;
  /**
   * Open again, if it is still snoozed as `snoozedUntil` says (null: however it is snoozed); a customer who still
   * waits gets the escalation back, due at `escalationDueAt`. Null when it was no longer so snoozed.
   */
  wake(id: string, snoozedUntil: Date | null, escalationDueAt: Date | null): Promise<ConversationRecord | null>;
  /** The leads whose first message is in [from, to) that nobody has answered. */
  unansweredLeads(from: Date, to: Date, channel?: Channel): Promise<UnansweredLead[]>;
  waitingNow(channel?: Channel): Promise<WaitingCustomer[]>;
  countWaiting(channel: Channel): Promise<number>;
  /** The ids of the conversations whose first customer message is in [from, to). */
  leadIdsBetween(from: Date, to: Date, channel?: Channel): Promise<string[]>;
  /** The conversations whose first customer message is in [from, to), as the volume figures read them. */
  leadsBetween(from: Date, to: Date, channel?: Channel): Promise<LeadArrival[]>;
  /** How many open conversations a manager has. */
  countOpenOf(assigneeId: string): Promise<number>;
  /**
   * The bot lets go of it (a hand-off, or a manager taking over): `open`, and with `wait` the customer waits from
   * then, with its due times. Null when the bot no longer held it.
   */
  releaseFromBot(
    id: string,
    wait: (DueTimes & { since: Date; firstResponseDueAt?: Date | null }) | null,
  ): Promise<ConversationRecord | null>;
}

/**
 * The customers' waits as the automations act on them. Every write is guarded by the state it was decided on
 * (the due time, the escalation step, the wait's start): null or false when someone acted first.
 */
export interface WaitStore {
  /** The conversations whose `kind` due time is at or before `now`, earliest first. */
  dueBefore(kind: DueKind, now: Date, limit: number): Promise<ConversationRecord[]>;
  /** The escalation step decided on `c`: the wait passes to `to`, the next step due at `nextDueAt`. */
  handOver(c: ConversationRecord, to: string, nextDueAt: Date | null): Promise<ConversationRecord | null>;
  /** The chain decided on `c` ends: the conversation goes to the shared queue. */
  toQueue(c: ConversationRecord): Promise<ConversationRecord | null>;
  /** Moves (or clears, with null) one due time, if it is still the one `c` had. */
  reschedule(c: ConversationRecord, kind: DueKind, to: Date | null): Promise<boolean>;
}

export interface NewInbound {
  id: string;
  conversationId: string;
  channel: Channel;
  sender: Sender;
  text: string;
  attachments: Attachment[];
  externalId: string;
  platformAt: Date | null;
  source: string | null;
  /** The platform payload as JSON text. */
  raw: string | null;
  receivedAt: Date;
  automated?: boolean;
  subject?: string;
  quoted?: string;
  /** The id of the offered choice the customer pressed. */
  choice?: string;
}

export interface NewOutbound {
  id?: string;
  conversationId: string;
  channel: Channel;
  sender: Sender;
  text: string;
  template: Template | null;
  /** Files sent with it (uploads in the blob store); none when absent. */
  attachments?: Attachment[];
  /** Answers offered to tap; none when absent. */
  choices?: Choice[];
  /** What makes it idempotent: the same key stores one message. */
  dedupeKey: string;
  createdAt: Date;
  /** Campaign mail: the one-click unsubscribe URL its List-Unsubscribe header carries (RFC 8058). */
  listUnsubscribe?: string;
  /** Delivery: the recipient and their window as of now, and when the first attempt may start at the latest. */
  to: string;
  lastInboundAt: Date | null;
  firstAttemptBy: Date;
  /**
   * Handed to delivery in the insert itself (due at this time): for a message with nothing to record between its
   * insert and its hand-over, so a crash right after the insert leaves it due rather than never handed over.
   */
  handedOverAt?: Date;
}

/** A manager's internal note on a conversation: stored with the history, never queued for delivery. */
export interface NewNote {
  id: string;
  conversationId: string;
  channel: Channel;
  sender: Sender;
  text: string;
  createdAt: Date;
}

export type EditOutcome = { edited: MessageRecord } | { unchanged: string } | { missing: true };

export interface MessageStore {
  /**
   * Stores a customer's message, pending until its conversation took it. Null when it is stored and done already
   * (a redelivery); `resumed` when a redelivery finds it still pending (the first delivery's process died).
   */
  recordInbound(m: NewInbound): Promise<{ message: MessageRecord; resumed: boolean } | null>;
  /** Its conversation took it. */
  markApplied(id: string): Promise<void>;
  /** Null when a message of that key exists already. */
  recordOutbound(m: NewOutbound): Promise<MessageRecord | null>;
  recordNote(n: NewNote): Promise<MessageRecord>;
  /** The customer's edit, unless a later edit is stored already. */
  applyEdit(id: string, edit: { text: string; attachments: Attachment[]; editedAt: Date }): Promise<EditOutcome>;
  /** A platform receipt for the outbound message with that platform id, if its status is one of `from`. */
  applyReceipt(
    channel: Channel,
    externalId: string,
    from: readonly MessageStatus[],
    status: MessageStatus,
    error?: string,
  ): Promise<MessageRecord | null>;
  /** Where the lead came from: the source (a deep link's payload, a form's name) of the conversation's first messages. */
  leadSource(conversationId: string): Promise<string | null>;
  get(id: string): Promise<MessageRecord | null>;
  /** The statuses of these messages (a campaign's progress reads its sends' delivery). */
  statusesOf(ids: readonly string[]): Promise<Map<string, MessageStatus>>;
  /** A conversation's history, oldest first, after `after`. */
  history(conversationId: string, after: Position | undefined, limit: number): Promise<MessageRecord[]>;
}

/** The replies queued for delivery (inbox/outbox/). */
export interface OutboxStore {
  /** The reply is handed to delivery: due now. */
  handOver(id: string, now: Date): Promise<void>;
  /** Claims the reply due first for one attempt, its lease running to `leaseUntil`; as it was before the claim. */
  claimNext(now: Date, leaseUntil: Date): Promise<OutboxEntry | null>;
  /** Claims this reply if it is due (not sent, and no other attempt holds it), as `claimNext` would; null otherwise. */
  claim(id: string, now: Date, leaseUntil: Date): Promise<OutboxEntry | null>;
  /**
   * Stores a reply handed over and claimed for one attempt in the same insert (its lease running to `leaseUntil`
   * from `handedOverAt`), returned as `claim` returns a reply: as it was before the claim. Null when its key is
   * stored already. A process that dies before sending leaves it to be taken up once the lease ends.
   */
  insertClaimed(m: NewOutbound & { handedOverAt: Date }, leaseUntil: Date): Promise<OutboxEntry | null>;
  /** Extends the lease of a running attempt, while it still holds the reply. */
  renewLease(id: string, attempt: number, until: Date): Promise<void>;
  /**
   * Sent, with the platform's id: the message as this write left it, from the reply as its attempt claimed it (no
   * other write touches a reply while it is queued); null when it was settled already.
   */
  markSent(claimed: OutboxEntry, externalId: string | null): Promise<MessageRecord | null>;
  /** A failed attempt, while it still holds the reply: the next one at `retryAt`. */
  retryLater(id: string, attempt: number, next: { retryAt: Date; uncertainAttempts: number; error: string }): Promise<void>;
  /** Failed for good; null when it was settled already. */
  markFailed(id: string, reason: string): Promise<MessageRecord | null>;
  /**
   * A reply that failed for good is queued again, due now, with a fresh count of attempts; null when it is not a
   * failed reply of that conversation (any more).
   */
  requeueFailed(id: string, conversationId: string, now: Date): Promise<MessageRecord | null>;
  /** Queued replies with no due time (queued by older builds): due now. */
  adoptQueued(now: Date): Promise<number>;
  countQueued(): Promise<number>;
}
export interface AgentStore {
  /** Null when the email is taken. */
  create(agent: Omit<AgentRecord, 'id'>): Promise<AgentRecord | null>;
  get(id: string): Promise<AgentRecord | null>;
  byEmail(email: string): Promise<AgentRecord | null>;
  /** Everyone, by name. */
  list(): Promise<AgentRecord[]>;
  hasRole(role: Role): Promise<boolean>;
  idsWithRole(roles: readonly Role[]): Promise<string[]>;
  names(ids: readonly string[]): Promise<Map<string, string>>;
  /**
   * Changes a manager's role or whether they are active, only while they still have the role and state `was` they
   * were read with; null when they changed meanwhile (or do not exist).
   */
  update(
    id: string,
    was: Pick<AgentRecord, 'role' | 'active'>,
    change: Partial<Pick<AgentRecord, 'role' | 'active'>>,
  ): Promise<AgentRecord | null>;
  /** How many admins are active (accounts without the flag count as active). */
  countActiveAdmins(): Promise<number>;
  /** Round-robin: of these agents (role `agent`), the one assigned longest ago takes the turn; null when none. */
  takeTurn(candidateIds: readonly string[], at: Date): Promise<string | null>;
}

export interface NewAlert {
  type: AlertType;
  conversationId: string | null;
  channel: Channel | null;
  agentId: string | null;
  messageId: string | null;
  taskId?: string | null;
  detail: string | null;
  /** Same key, same alert. */
  key: string;
  createdAt: Date;
}

export interface AlertStore {
  /** Null when an alert of that key was raised already. */
  raise(alert: NewAlert): Promise<AlertRecord | null>;
  /** Newest first. */
  recent(query: { since?: Date; agentId?: string; limit: number }): Promise<AlertRecord[]>;
  /** Raised in (after, upTo], oldest first. */
  between(after: Date, upTo: Date, limit: number): Promise<AlertRecord[]>;
}

/** What response-time figures take of a response. */
export type ResponseFact = Pick<ResponseRecord, 'channel' | 'agentId' | 'kind' | 'durationMs' | 'withinTarget' | 'respondedAt'>;

export interface ResponseStore {
  /** Idempotent by the answering message. */
  record(r: ResponseRecord): Promise<void>;
  /** The responses made in [from, to). */
  factsBetween(from: Date, to: Date): Promise<ResponseFact[]>;
  oldestAt(): Promise<Date | null>;
  conversationIdsBetween(from: Date, to: Date, channel?: Channel): Promise<string[]>;
  ofConversations(ids: readonly string[]): Promise<ResponseRecord[]>;
}

export interface RollupStore {
  /** The hour's figures from `n` responses, unless a reading of more responses is stored already. */
  replaceHour(hour: Date, n: number, entries: readonly RollupEntry[]): Promise<void>;
  /** The entries of the whole hours in [from, to). */
  hours(from: Date, to: Date): Promise<RollupEntry[]>;
}

export interface CheckpointStore {
  get(id: string): Promise<Date | null>;
  /** False when it exists already. */
  create(id: string, at: Date): Promise<boolean>;
  /** Forward to `to`, never back; created if needed. */
  advance(id: string, to: Date): Promise<void>;
  /** From `from` to `to`; false when it was no longer at `from`. */
  move(id: string, from: Date, to: Date): Promise<boolean>;
}

export interface LossReasonStore {
  /** Every reason, active or not, by `order`. */
  list(): Promise<LossReasonRecord[]>;
  get(id: string): Promise<LossReasonRecord | null>;
  /** Added at the end of the list. */
  add(label: string): Promise<LossReasonRecord>;
  /** Null when there is no such reason. */
  change(id: string, change: Partial<Pick<LossReasonRecord, 'label' | 'order' | 'active'>>): Promise<LossReasonRecord | null>;
  /** The first list, stored only while there is none; ids fixed by the caller, so two processes store it once. */
  seedIfEmpty(seeds: readonly { id: string; label: string }[]): Promise<void>;
}

/** What a saved reply says; its scope and owner never change. */
export type SavedReplyContent = Pick<SavedReplyRecord, 'shortcut' | 'title' | 'text'>;

export interface SavedReplyStore {
  /** Null when its owner (the team, or that manager) has a saved reply of that shortcut already. */
  create(reply: Omit<SavedReplyRecord, 'id' | 'createdAt' | 'updatedAt'>, at: Date): Promise<SavedReplyRecord | null>;
  get(id: string): Promise<SavedReplyRecord | null>;
  /** The team's and this manager's own, by shortcut; with `search`, those whose shortcut, title or text contain it (case aside). */
  visibleTo(agentId: string, search?: string): Promise<SavedReplyRecord[]>;
  /** `missing` when it is gone; `taken` when its owner has another one of the new shortcut. */
  update(id: string, change: Partial<SavedReplyContent>, at: Date): Promise<SavedReplyRecord | 'missing' | 'taken'>;
  /** False when it was gone already. */
  remove(id: string): Promise<boolean>;
}

/** Which leads a board column or a conversation-list filter reads. */
export interface LeadFilter {
  channel?: Channel;
  /** One manager's (null: the unassigned). */
  assigneeId?: string | null;
}

/** A lead's move as the guarded write takes it: the move, and what it changes on the lead besides its stage. */
export interface LeadMove {
  move: StageMoveRecord;
  /** Set when the move carries it (an amount typed with the move). */
  amount?: number | null;
  contactedAt?: Date;
}

/**
 * The sales pipeline: its stages, the leads (one per conversation cycle, `leads`) and every move (`stage_moves`).
 * A move is decided on the lead as read: the write is guarded by how many moves it had, so of two moves decided on
 * one reading one lands.
 */
export interface PipelineStore {
  /** Every stage, active or not, by `order`. */
  stages(): Promise<PipelineStageRecord[]>;
  stage(id: string): Promise<PipelineStageRecord | null>;
  /** Added at the end of the list. */
  addStage(stage: Omit<PipelineStageRecord, 'id' | 'order'> & { id: string }): Promise<PipelineStageRecord>;
  /** Null when there is no such stage. */
  changeStage(
    id: string,
    change: Partial<Pick<PipelineStageRecord, 'label' | 'order' | 'requires' | 'active'>>,
  ): Promise<PipelineStageRecord | null>;
  /** The first stages, stored only while there are none; ids fixed, so two processes store them once. */
  seedStagesIfEmpty(seeds: readonly Omit<PipelineStageRecord, 'active'>[]): Promise<void>;

  /** The conversation's newest cycle's lead. */
  latestLead(conversationId: string): Promise<LeadRecord | null>;
  getLeads(ids: readonly string[]): Promise<LeadRecord[]>;
  /** Stores a new lead with its entry move pending; null when that cycle's lead exists already. */
  createLead(lead: LeadRecord): Promise<LeadRecord | null>;
  /** The move decided on `was`: null when the lead moved meanwhile. */
  moveLead(was: LeadRecord, change: LeadMove): Promise<LeadRecord | null>;
  /**
   * Stores the lead's last move (once, by its id, noting when: `storedAt`), marks the funnel's hours it changes
   * (those of the lead's path) and clears `pendingMove`.
   */
  settleMove(lead: Pick<LeadRecord, 'id' | 'path'>, move: StageMoveRecord, storedAt: Date): Promise<void>;
  /** Ends a lead that is still in play (resolved without an outcome); null when it had ended already. */
  endLead(id: string, at: Date): Promise<LeadRecord | null>;
  /** A lead ended where it stood is in play again (its conversation reopened by a manager); null when it was not so. */
  resumeLead(id: string, endedAt: Date): Promise<LeadRecord | null>;
  /** A newer cycle began: this lead is no longer its conversation's current one. */
  supersede(id: string): Promise<void>;
  /** A manager answered it first at `at`; null when it was contacted already. */
  markContacted(id: string, at: Date): Promise<LeadRecord | null>;
  /** A new amount for the lead as read; null when it moved meanwhile. */
  setAmount(was: LeadRecord, amount: number | null): Promise<LeadRecord | null>;
  /** Follows the conversation's assignee; null when it said so already. */
  setAssignee(id: string, assigneeId: string | null): Promise<LeadRecord | null>;
  /** A lead's moves, oldest first. */
  movesOf(leadId: string): Promise<StageMoveRecord[]>;
  /** Leads in play at a stage, longest in it first, `limit` of them. */
  inStage(stageId: string, filter: LeadFilter, limit: number): Promise<LeadRecord[]>;
  countInStage(stageId: string, filter: LeadFilter): Promise<number>;
  /** Every lead in play (of one channel), from the in-play view kept beside the leads: what the ageing is read from. */
  inPlay(channel?: Channel): Promise<readonly Pick<LeadRecord, 'id' | 'channel' | 'source' | 'assigneeId' | 'stageId' | 'stageSince'>[]>;
  /** The moves made in [from, to), of one channel or of those into a kind of stage. */
  movesBetween(from: Date, to: Date, only?: { channel?: Channel; toKind?: StageMoveRecord['toKind'] }): Promise<StageMoveRecord[]>;
  /** The moves stored in [from, to), whenever they were made: a move its process left on the lead is stored late. */
  movesStoredBetween(from: Date, to: Date): Promise<StageMoveRecord[]>;
  /**
   * The conversations whose current lead is at `stageId`, or at a stage of `kind` (lost: with `lossReasonId`), at
   * most `limit`.
   */
  conversationIdsAt(
    where: { stageId: string } | { kind: StageMoveRecord['toKind']; lossReasonId?: string },
    limit: number,
  ): Promise<string[]>;
  /** Leads whose last move may not be in `stage_moves` yet. */
  pendingMoves(limit: number): Promise<LeadRecord[]>;
  /** Marks for the funnel the entry hours of leads whose first answer's mark a stopped process left undone; how many. */
  settleContacted(limit: number): Promise<number>;
  /**
   * Puts every lead's entry in the in-play view (what `inPlay` reads) in step with the lead, for leads a stopped
   * process may have left out of step; returns how many were mended.
   */
  reconcileInPlay(): Promise<number>;
  /** When the moves after `after` were made, oldest first, `limit` of them. */
  moveTimes(after: Date, limit: number): Promise<Date[]>;
}

/**
 * The funnel's counts kept per UTC hour and day (inbox/pipeline/funnel-tallies.ts). Any change to the moves of an
 * hour, or to what became of them (a later move of their lead, its first answer), marks the hour and its day
 * changed, after the change is stored; a tally is only read for an hour or day not marked since it was counted.
 */
export interface FunnelTallyStore {
  /** The hours (or days) in [from, to) marked changed and not counted since. */
  changedBetween(unit: FunnelTallyRecord['unit'], from: Date, to: Date): Promise<Date[]>;
  /** The oldest marked hours (or days), with the mark's version to count them under. */
  changed(unit: FunnelTallyRecord['unit'], limit: number): Promise<{ start: Date; version: number }[]>;
  /** The tallies of one grouping for the hours (or days) starting in [from, to). */
  tallies(unit: FunnelTallyRecord['unit'], dimension: FunnelDimension, from: Date, to: Date): Promise<FunnelTallyRecord[]>;
  /**
   * Stores the hour's (or day's) tallies, one per grouping, and clears its mark if it is still at `version` (a change
   * meanwhile leaves it marked).
   */
  saveTallies(unit: FunnelTallyRecord['unit'], start: Date, version: number, tallies: readonly FunnelTallyRecord[]): Promise<void>;
  /** Marks these hours (and their days) changed: tallies found counted under another order of the stages, old moves. */
  markChanged(hours: readonly Date[]): Promise<void>;
}

/**
 * The customers' interactions over time (inbox/customers/): a record per customer and Kyiv day, and each customer's
 * whole span. Writes are idempotent (earliest and latest kept), so a message recorded twice changes nothing.
 */
export interface ActivityStore {
  /** One customer message at `at`, on its Kyiv day `day`. */
  record(interaction: { contactId: string; channel: Channel; day: string; at: Date }): Promise<void>;
  /** The customers who interacted at least once in [from, to), the Kyiv days `fromDay`…`toDay` bounding the read. */
  countActive(range: { from: Date; to: Date; fromDay: string; toDay: string }, channel?: Channel): Promise<number>;
  /** The customers whose first interaction ever is in [from, to). */
  countFirstBetween(from: Date, to: Date, channel?: Channel): Promise<number>;
  /** The customers silent since before `before` (latest interaction earlier), newest-silent first, after `after`. */
  silentSince(before: Date, limit: number, channel?: Channel, after?: Position): Promise<ContactSpanRecord[]>;
  /**
   * History from before interactions were kept: each customer's first and latest message as their conversation
   * recorded them, by conversation id after `afterId`, `limit` of them.
   */
  conversationHistory(
    afterId: string | null,
    limit: number,
  ): Promise<{ id: string; contactId: string; channel: Channel; firstAt: Date | null; lastAt: Date | null }[]>;
  /** The spans of these customers, by contact id. */
  spansOf(contactIds: readonly string[]): Promise<Map<string, ContactSpanRecord>>;
  /** Days of one customer, newest first (their history of interactions). */
  daysOf(contactId: string, limit: number): Promise<ContactActivityRecord[]>;
}

export interface SavedViewStore {
  create(view: Omit<SavedViewRecord, 'id' | 'createdAt' | 'updatedAt'>, at: Date): Promise<SavedViewRecord>;
  get(id: string): Promise<SavedViewRecord | null>;
  /** The team's and this manager's own, by name. */
  visibleTo(agentId: string): Promise<SavedViewRecord[]>;
  update(id: string, change: Partial<Pick<SavedViewRecord, 'name' | 'filter'>>, at: Date): Promise<SavedViewRecord | null>;
  remove(id: string): Promise<boolean>;
}

export interface CampaignStore {
  create(campaign: Omit<CampaignRecord, 'id'>): Promise<CampaignRecord>;
  get(id: string): Promise<CampaignRecord | null>;
  /** Newest first. */
  list(limit: number): Promise<CampaignRecord[]>;
  /** Still `preparing` since before `before` (the process preparing them died). */
  preparingSince(before: Date, limit: number): Promise<CampaignRecord[]>;
  markSending(id: string): Promise<void>;
  /** Stored once per (campaign, contact): a recipient stored before is left as it is. */
  addRecipients(recipients: readonly Omit<CampaignRecipientRecord, 'id'>[]): Promise<void>;
  /** The latest due time of any pending recipient on the channel: a new campaign's pace starts after it. */
  latestDue(channel: Channel): Promise<Date | null>;
  /** Pending recipients due at or before `now`, earliest first. */
  due(now: Date, limit: number): Promise<CampaignRecipientRecord[]>;
  /** Holds a due recipient until `until`, if it is still due as `r` says; false when another pass took it. */
  hold(r: CampaignRecipientRecord, until: Date): Promise<boolean>;
  /** Sent or skipped, if the hold `heldUntil` is still this pass's. */
  settle(
    id: string,
    heldUntil: Date,
    outcome: Pick<CampaignRecipientRecord, 'status' | 'reason' | 'messageId' | 'sentAt'>,
  ): Promise<boolean>;
  recipientsOf(campaignId: string): Promise<CampaignRecipientRecord[]>;
  /** The campaigns that sent to this customer. */
  campaignIdsSentTo(contactId: string): Promise<string[]>;
  /** The customer asked for no more campaigns (one click in a campaign mail). */
  optOut(contactId: string, at: Date): Promise<void>;
  optedOut(contactIds: readonly string[]): Promise<Set<string>>;
}

/** The chatbot's flows, its talks with customers, and the questions it could not answer (bot/). */
export interface BotStore {
  /** Null until an admin saved flows. */
  flows(): Promise<BotFlowsRecord | null>;
  /** Saved as version `expected + 1` only while the stored version is `expected` (0: none yet); null when it was not. */
  saveFlows(flows: BotFlows, expected: number, at: Date): Promise<BotFlowsRecord | null>;
  session(conversationId: string): Promise<BotSessionRecord | null>;
  /**
   * A customer message to a conversation the bot holds, noted before the message is marked done: the talk is
   * started on the first one, and the message waits for its answer (found by `pendingBefore` if the answer is lost).
   * Returns the talk as the note left it.
   */
  expect(conversationId: string, channel: Channel, messageId: string, at: Date): Promise<BotSessionRecord>;
  /** The turn decided on `version` is saved, with the message it answered; false when another turn saved first. */
  advance(
    conversationId: string,
    version: number,
    change: Pick<BotSessionRecord, 'step' | 'unmatched' | 'offer'>,
    answeredId: string,
  ): Promise<boolean>;
  /** The message's answer is out: it waits no more (unless a later message is the one waiting). */
  answered(conversationId: string, messageId: string): Promise<void>;
  /** `advance` and `answered` together, in one write while no later message is the one waiting. */
  advanceAnswered(
    conversationId: string,
    version: number,
    change: Pick<BotSessionRecord, 'step' | 'unmatched' | 'offer'>,
    messageId: string,
  ): Promise<boolean>;
  /** The talk ended with a hand-off, once: null when it had ended already. */
  end(conversationId: string, at: Date, reason: string): Promise<BotSessionRecord | null>;
  /** Talks whose customer message has waited for an answer since before `before`, oldest first. */
  pendingBefore(before: Date, limit: number): Promise<BotSessionRecord[]>;
  /** Talks started in [from, to). */
  startedBetween(from: Date, to: Date, channel?: Channel): Promise<BotSessionRecord[]>;
  /** Idempotent by the message. */
  recordUnmatched(u: BotUnmatchedRecord): Promise<void>;
  unmatchedBetween(from: Date, to: Date, channel?: Channel): Promise<BotUnmatchedRecord[]>;
}

/** Which tasks a list shows: one scope (an assignee, a conversation, a contact, or everyone's) and a status. */
export interface TaskFilter {
  assigneeId?: string;
  conversationId?: string;
  contactId?: string;
  /** `overdue`: open and due before `now`. */
  status?: 'open' | 'done' | 'overdue';
  now: Date;
  /** The page after this position (the due time and the id). */
  after?: Position;
}

/** What a manager changes of a task; `doneAt` null reopens it. The alert chain is given anew with it. */
export interface TaskChange {
  title?: string;
  dueAt?: Date;
  assigneeId?: string;
  doneAt?: Date | null;
  alert?: { step: TaskAlertStep | null; dueAt: Date | null };
}

export interface TaskStore {
  /** Null when a task of that id exists already (a trigger's firing run again). */
  create(task: TaskRecord): Promise<TaskRecord | null>;
  get(id: string): Promise<TaskRecord | null>;
  /** By due time, earliest first, then id. */
  list(filter: TaskFilter, limit: number): Promise<TaskRecord[]>;
  /** Null when it is gone. */
  update(id: string, change: TaskChange, at: Date): Promise<TaskRecord | null>;
  remove(id: string): Promise<boolean>;
  /** The tasks whose next alert is due at or before `now`, earliest first (by index). */
  alertsDue(now: Date, limit: number): Promise<TaskRecord[]>;
  /** Moves the chain on from the step `t` was read with; false when someone moved it first (or it changed). */
  advanceAlert(t: TaskRecord, next: { step: TaskAlertStep | null; dueAt: Date | null }): Promise<boolean>;
}

export interface TriggerStore {
  create(trigger: Omit<TriggerRecord, 'id'>): Promise<TriggerRecord>;
  get(id: string): Promise<TriggerRecord | null>;
  /** Every trigger, oldest first. */
  list(): Promise<TriggerRecord[]>;
  /** The active triggers of one kind. */
  activeOf(kind: TriggerRecord['on']['kind']): Promise<TriggerRecord[]>;
  /** Every trigger of one kind, active or not. */
  ofKind(kind: TriggerRecord['on']['kind']): Promise<TriggerRecord[]>;
  update(
    id: string,
    change: Partial<Pick<TriggerRecord, 'name' | 'active' | 'on' | 'action' | 'sweep'>>,
    at: Date,
  ): Promise<TriggerRecord | null>;
  remove(id: string): Promise<boolean>;
  /** Moves the sweep position from `from` (as read) to `to`; false when another pass moved it first. */
  moveSweep(id: string, from: TriggerRecord['sweep'], to: NonNullable<TriggerRecord['sweep']>): Promise<boolean>;
}

export interface TriggerFiringStore {
  /** Records a firing, pending; null when that firing (same key) is recorded already. */
  record(firing: TriggerFiringRecord): Promise<TriggerFiringRecord | null>;
  get(id: string): Promise<TriggerFiringRecord | null>;
  /** Pending firings whose lease ended at or before `now`, earliest first. */
  unfinished(now: Date, limit: number): Promise<TriggerFiringRecord[]>;
  /** Takes a pending firing for one attempt, its lease to `until`; null when another process took it first. */
  claim(f: TriggerFiringRecord, until: Date): Promise<TriggerFiringRecord | null>;
  /** Done (or skipped, with why); false when it was finished already. */
  finish(
    id: string,
    outcome: { state: 'done' | 'skipped'; taskId?: string | null; messageId?: string | null; reason?: string | null },
    at: Date,
  ): Promise<boolean>;
  /** A trigger's firings, newest first. */
  ofTrigger(triggerId: string, limit: number): Promise<TriggerFiringRecord[]>;
}

/** A customer's renewal date (a subscription, a contract), kept beside the contact, one per contact. */
export interface RenewalStore {
  get(contactId: string): Promise<Date | null>;
  set(contactId: string, renewalAt: Date | null): Promise<void>;
  /** Renewals after the keyset position `after` and at or before `upTo`, by date then contact. */
  between(after: Position, upTo: Date, limit: number): Promise<{ contactId: string; renewalAt: Date }[]>;
}

/** When customers last wrote, as the inactivity triggers read it (the conversations' `lastInboundAt`, by index). */
export interface QuietCustomerStore {
  /** Conversations whose customer last wrote after the keyset position `after` and at or before `upTo`, oldest first. */
  quietSince(after: Position, upTo: Date, limit: number): Promise<{ conversationId: string; contactId: string; lastInboundAt: Date }[]>;
}
