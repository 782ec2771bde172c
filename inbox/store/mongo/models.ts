import mongoose, { type Connection, type InferSchemaType, Schema } from 'mongoose';
import { channelNames } from '../../../shared/channels';
import { funnelChangeSchema, funnelTallySchema, leadInPlaySchema } from './funnel-models';

/**
 * The stored shapes. Every index names the query it serves. Only the store's implementation (this folder) touches
 * these models; the domain gets plain records through the port (../port.ts).
 */

const contactSchema = new Schema(
  {
    channel: { type: String, enum: channelNames, required: true },
    externalId: { type: String, required: true },
    name: { type: String, required: true },
    username: String,
    email: String,
    phone: String,
    language: String,
    /** false once the customer unsubscribed or blocked the bot: replies cannot reach them. */
    reachable: { type: Boolean, default: true },
    /** What the customer told the bot: the name and phone they gave (shown over the platform's), and what they need. */
    givenName: { type: String, default: undefined },
    givenPhone: { type: String, default: undefined },
    need: { type: String, default: undefined },
  },
  { timestamps: true },
);
// Ingest: find the contact behind a platform identity (one per channel); unique so concurrent first
// messages from a new customer create one contact.
contactSchema.index({ channel: 1, externalId: 1 }, { unique: true });
// The managers' search by a customer's exact email or phone (GET /api/conversations?q=).
contactSchema.index({ email: 1 }, { sparse: true });
contactSchema.index({ phone: 1 }, { sparse: true });

const conversationSchema = new Schema(
  {
    channel: { type: String, enum: channelNames, required: true },
    contactId: { type: Schema.Types.ObjectId, required: true },
    contactName: { type: String, required: true },
    status: { type: String, enum: ['open', 'pending', 'snoozed', 'resolved'], default: 'open' },
    assigneeId: { type: Schema.Types.ObjectId, default: null },
    lastMessageAt: { type: Date, required: true },
    lastMessagePreview: { type: String, default: '' },
    /** The first customer message no agent has answered yet; null while nobody waits. */
    awaitingReplySince: { type: Date, default: null },
    firstInboundAt: { type: Date, default: null },
    /** The customer's latest message: messaging windows (WhatsApp, Instagram) count from here. */
    lastInboundAt: { type: Date, default: null },
    /** Mirrors the contact: false once they unsubscribed or blocked the bot. */
    contactReachable: { type: Boolean, default: true },
    firstResponseAt: { type: Date, default: null },
    firstResponderId: { type: Schema.Types.ObjectId, default: null },
    unreadCount: { type: Number, default: 0 },
    /**
     * The latest inbound messages whose effects (unread count, preview, the wait) this conversation took, so a
     * redelivery that finishes what a crashed first delivery began never applies one twice.
     */
    appliedInbound: { type: [Schema.Types.ObjectId], default: [] },
    escalationStep: { type: Number, default: 0 },
    triedAgentIds: { type: [Schema.Types.ObjectId], default: [] },
    /** When the current wait passes to the next manager (or to the shared queue); null: no escalation pending. */
    escalationDueAt: { type: Date, default: null },
    /** Pending first-response alerts; each is cleared once raised, or when the wait ends. */
    slaWarnAt: { type: Date, default: null },
    slaBreachAt: { type: Date, default: null },
    /** The first-response target of this conversation (business hours applied), kept for reports. */
    firstResponseDueAt: { type: Date, default: null },
    /** While snoozed: when it opens again by itself. */
    snoozedUntil: { type: Date, default: null },
    outcome: { type: String, enum: ['won', 'lost', null], default: null },
    /** Closed as lost: the reason's label as it read then (kept when admins rename it), its id, the manager's note. */
    lossReason: { type: String, default: null },
    lossReasonId: { type: Schema.Types.ObjectId, default: null },
    lossNote: { type: String, default: null },
    resolvedAt: { type: Date, default: null },
    /** The chatbot talks with the customer (bot/): `pending`, no wait, nobody assigned, until it hands off. */
    heldByBot: { type: Boolean, default: false },
  },
  { timestamps: true },
);
// Ingest: the one conversation of a contact, reopened when they write again; unique so concurrent first
// messages open exactly one conversation.
conversationSchema.index({ contactId: 1 }, { unique: true });
// Inbox listing: by status, newest activity first (cursor on lastMessageAt, _id).
conversationSchema.index({ status: 1, lastMessageAt: -1, _id: -1 });
// An agent's own list and the unassigned queue (assigneeId null), and the same of one status.
conversationSchema.index({ assigneeId: 1, lastMessageAt: -1, _id: -1 });
conversationSchema.index({ assigneeId: 1, status: 1, lastMessageAt: -1, _id: -1 });
// Supervisors' whole inbox, newest activity first, and one channel of it.
conversationSchema.index({ lastMessageAt: -1, _id: -1 });
conversationSchema.index({ channel: 1, lastMessageAt: -1, _id: -1 });
// The list by channel and status at once (the managers' app's two filters).
conversationSchema.index({ channel: 1, status: 1, lastMessageAt: -1, _id: -1 });
// The customers waiting now on one channel: the waiting-conversations gauge (a count per channel, from the index
// alone on MongoDB) and the report's ageing of one channel.
conversationSchema.index({ channel: 1, awaitingReplySince: 1 });
// The managers' waiting queue, longest wait first (GET /api/conversations?sort=waiting), with the list's filters;
// the first one also serves the customers waiting now of every channel (the response-time report's ageing).
conversationSchema.index({ awaitingReplySince: 1, _id: 1 });
conversationSchema.index({ status: 1, awaitingReplySince: 1, _id: 1 });
conversationSchema.index({ assigneeId: 1, status: 1, awaitingReplySince: 1, _id: 1 });
conversationSchema.index({ channel: 1, status: 1, awaitingReplySince: 1, _id: 1 });
// The automations' pass: what fell due, earliest first, by index, so it reads what is due rather than what is open.
conversationSchema.index({ escalationDueAt: 1, _id: 1 });
conversationSchema.index({ slaWarnAt: 1, _id: 1 });
conversationSchema.index({ slaBreachAt: 1, _id: 1 });
conversationSchema.index({ snoozedUntil: 1, _id: 1 });
// The response-time export: leads by the time of their first message.
conversationSchema.index({ firstInboundAt: 1 });
// The volume figures of one channel: its leads by the time of their first message.
conversationSchema.index({ channel: 1, firstInboundAt: 1 });
// The inactivity triggers' sweep: conversations by when their customer last wrote, then id.
conversationSchema.index({ lastInboundAt: 1, _id: 1 });
// The response-time report's unanswered leads: no first response yet, the first message in the range; and the same
// of one channel.
conversationSchema.index({ firstResponseAt: 1, firstInboundAt: 1 });
conversationSchema.index({ channel: 1, firstResponseAt: 1, firstInboundAt: 1 });

const messageSchema = new Schema(
  {
    conversationId: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, enum: channelNames, required: true },
    direction: { type: String, enum: ['in', 'out'], required: true },
    sender: {
      type: { type: String, enum: ['contact', 'agent', 'bot', 'system'], required: true },
      id: { type: String, default: null },
      name: { type: String, default: null },
    },
    text: { type: String, default: '' },
    /** A template reply (name, language, params) instead of free text. */
    template: { type: Schema.Types.Mixed, default: null },
    attachments: { type: [Schema.Types.Mixed], default: [] },
    /** The platform's id of this message once known (inbound: always; outbound: after sending). */
    externalId: { type: String, default: null },
    /** `${channel}:${externalId}` for inbound, `out:${id}` for outbound: what makes redelivery harmless. */
    dedupeKey: { type: String, required: true },
    status: { type: String, enum: ['received', 'queued', 'sent', 'delivered', 'read', 'failed'], required: true },
    error: { type: String, default: null },
    /** Outbound: delivery attempts started (see inbox/outbox/). */
    attempts: { type: Number, default: 0 },
    /**
     * Outbound and queued: when the next attempt may start (found by index); while an attempt runs, when its lease
     * ends. Null once sent or failed.
     */
    nextAttemptAt: { type: Date, default: null },
    /** When the reply was handed to delivery; null while its conversation is still being updated. */
    queuedAt: { type: Date, default: null },
    /** Set while an attempt runs; still set when the process running it died. */
    sendingSince: { type: Date, default: null },
    /** Attempts whose outcome is unknown (no answer in time, or the process died mid-send). */
    uncertainAttempts: { type: Number, default: 0 },
    /** Outbound: how many times a manager sent it again after it failed; absent until then. */
    retries: { type: Number, default: undefined },
    /** Campaign mail: the one-click unsubscribe URL of its List-Unsubscribe header (RFC 8058); absent otherwise. */
    listUnsubscribe: { type: String, default: undefined },
    /** Outbound: the contact's platform id and when they last wrote, as of the reply, so delivery reads nothing else. */
    to: { type: String, default: null },
    lastInboundAt: { type: Date, default: null },
    platformAt: { type: Date, default: null },
    editedAt: { type: Date, default: null },
    source: { type: String, default: null },
    /** Inbound, written by a machine (auto-reply, bounce, list mail): shown, but never a wait to answer. */
    automated: { type: Boolean, default: undefined },
    /** Inbound email: the subject, and the quoted previous message below the new part. */
    subject: { type: String, default: undefined },
    quoted: { type: String, default: undefined },
    /** A manager's internal note: never queued for delivery, never an answer, shown to managers only. */
    note: { type: Boolean, default: undefined },
    /** Outbound: the answers offered to tap ({id, title, description?}); absent when none. */
    choices: { type: [Schema.Types.Mixed], default: undefined },
    /** Inbound: the id of the offered choice the customer pressed. */
    choice: { type: String, default: undefined },
    /**
     * Inbound: true from the message's insert until its conversation took its effects. A redelivery that finds it
     * still true finishes the job (the first delivery's process died in between); absent means done.
     */
    pending: { type: Boolean, default: undefined },
    /** The platform payload as JSON text (safe for keys with `.`/`$`, exact for 64-bit integers). */
    raw: { type: String, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: true } },
);
// Redelivery of the same platform message stores nothing new.
messageSchema.index({ dedupeKey: 1 }, { unique: true });
// A conversation's history, oldest first with a cursor.
messageSchema.index({ conversationId: 1, createdAt: 1, _id: 1 });
// Receipts (delivered/read/failed) find the outbound message by the platform id.
messageSchema.index({ channel: 1, externalId: 1 });
// The outbox: the queued replies due first; also the outbound-queue gauge's count of queued replies.
messageSchema.index({ status: 1, nextAttemptAt: 1 });

const agentSchema = new Schema(
  {
    name: { type: String, required: true },
    email: { type: String, required: true, lowercase: true, trim: true },
    passwordHash: { type: String, required: true },
    role: { type: String, enum: ['agent', 'supervisor', 'admin'], required: true },
    active: { type: Boolean, default: true },
    /** Round-robin: the online agent assigned longest ago gets the next new conversation. */
    lastAssignedAt: { type: Date, default: () => new Date(0) },
  },
  { timestamps: true },
);
// Login by email; unique so two agents never share one.
agentSchema.index({ email: 1 }, { unique: true });
// Round-robin pick among the online agents.
agentSchema.index({ role: 1, lastAssignedAt: 1 });
// The last-admin rule counts the active admins.
agentSchema.index({ role: 1, active: 1 });

const alertSchema = new Schema(
  {
    type: {
      type: String,
      enum: ['escalated', 'sla_warning', 'sla_breach', 'delivery_failed', 'task_reminder', 'task_overdue', 'task_overdue_escalated'],
      required: true,
    },
    /** Absent on a task's alert when the task is on no conversation. */
    conversationId: { type: Schema.Types.ObjectId, default: null },
    channel: { type: String, enum: [...channelNames, null], default: null },
    agentId: { type: Schema.Types.ObjectId, default: null },
    messageId: { type: Schema.Types.ObjectId, default: null },
    /** A task's alerts: the task. */
    taskId: { type: Schema.Types.ObjectId, default: null },
    detail: { type: String, default: null },
    /** Makes an alert idempotent: the same event raised twice (a retried job, two processes) is stored once. */
    key: { type: String, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);
// `GET /api/alerts?since=`, and an agent's own.
alertSchema.index({ createdAt: -1 });
alertSchema.index({ agentId: 1, createdAt: -1 });
alertSchema.index({ key: 1 }, { unique: true });

/**
 * One row each time an agent answers a waiting customer: the facts response-time figures are computed from,
 * recorded at the moment of the reply rather than reconstructed from the message history later.
 */
const responseSchema = new Schema({
  conversationId: { type: Schema.Types.ObjectId, required: true },
  channel: { type: String, enum: channelNames, required: true },
  agentId: { type: Schema.Types.ObjectId, required: true },
  kind: { type: String, enum: ['first', 'reply'], required: true },
  waitingSince: { type: Date, required: true },
  respondedAt: { type: Date, required: true },
  durationMs: { type: Number, required: true },
  messageId: { type: Schema.Types.ObjectId, required: true },
  /** First responses only: answered by the conversation's first-response target (business hours applied). */
  withinTarget: { type: Boolean, default: null },
});
// The export, the rollup and the figures' ragged edges: the responses of a time range.
responseSchema.index({ respondedAt: 1, channel: 1 });
// One response per answering message, so a retried write cannot count twice.
responseSchema.index({ messageId: 1 }, { unique: true });
// The per-conversation export: a conversation's responses.
responseSchema.index({ conversationId: 1, respondedAt: 1 });

/** One channel's, one agent's and one kind's responses of an hour (see inbox/response-rollups.ts). */
const rollupEntrySchema = new Schema(
  {
    channel: { type: String, enum: channelNames, required: true },
    agentId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: ['first', 'reply'], required: true },
    /**
     * The durations in milliseconds, ascending: the little-endian bytes of a Float64Array, one BSON binary value
     * (./figures.ts, `storedMs`). Documents rolled up before held a plain array, still read as it is.
     */
    ms: { type: Buffer, required: true },
    /** First responses made by their target (the others in `ms` missed it); 0 for replies. */
    met: { type: Number, default: 0 },
  },
  { _id: false },
);

/**
 * The response-time figures of one UTC hour, rolled up from `responses` by the rollup job: one document per hour
 * that had responses. A range reads its whole hours by `_id` (the primary key is the only index it needs).
 */
const responseRollupSchema = new Schema(
  {
    /** The start of the UTC hour. */
    _id: { type: Date, required: true },
    /** The responses rolled into it: a replace never puts back an older reading, which has fewer. */
    n: { type: Number, required: true },
    entries: { type: [rollupEntrySchema], default: [] },
  },
  { versionKey: false },
);

/** Why leads are lost, kept by admins (labels in their language); deactivated rather than deleted. */
const lossReasonSchema = new Schema(
  {
    label: { type: String, required: true },
    active: { type: Boolean, default: true },
    order: { type: Number, required: true },
  },
  { timestamps: true },
);
// The list in its order (GET /api/loss-reasons), its end (where a new reason goes), and whether there is any yet.
lossReasonSchema.index({ order: 1 });
/** The managers' canned answers: the team's, and each manager's own. */
const savedReplySchema = new Schema(
  {
    scope: { type: String, enum: ['team', 'personal'], required: true },
    ownerId: { type: Schema.Types.ObjectId, default: null },
    /**
     * `team`, or the owner's id: one string field, so the unique shortcut per owner never rests on how a null
     * owner is indexed.
     */
    owner: { type: String, required: true },
    shortcut: { type: String, required: true },
    title: { type: String, required: true },
    text: { type: String, required: true },
  },
  { timestamps: true },
);
// One shortcut per owner (unique: two managers adding the same one at once store one), and the list a manager sees
// (the team's and their own, by shortcut).
savedReplySchema.index({ owner: 1, shortcut: 1 }, { unique: true });

/** The sales pipeline's stages, kept by admins (labels in their language); deactivated rather than deleted. */
const pipelineStageSchema = new Schema(
  {
    _id: { type: String, required: true },
    label: { type: String, required: true },
    kind: { type: String, enum: ['open', 'won', 'lost'], required: true },
    order: { type: Number, required: true },
    requires: { type: [String], default: [] },
    active: { type: Boolean, default: true },
  },
  { timestamps: true },
);
// The stages in their order (GET /api/pipeline/stages), its end (where a new stage goes), and whether there is any.
pipelineStageSchema.index({ order: 1 });

const pathStepSchema = new Schema(
  { stageId: { type: String, required: true }, kind: { type: String, required: true }, at: { type: Date, required: true } },
  { _id: false },
);

/**
 * A lead: one cycle of a conversation through the pipeline. Its id is derived from the conversation and the cycle,
 * so creating it twice (two processes, a repair after a crash) stores one.
 */
const leadSchema = new Schema(
  {
    _id: { type: String, required: true },
    conversationId: { type: Schema.Types.ObjectId, required: true },
    cycle: { type: Number, required: true },
    channel: { type: String, enum: channelNames, required: true },
    contactId: { type: Schema.Types.ObjectId, required: true },
    source: { type: String, default: null },
    assigneeId: { type: Schema.Types.ObjectId, default: null },
    stageId: { type: String, required: true },
    stageKind: { type: String, enum: ['open', 'won', 'lost'], required: true },
    stageSince: { type: Date, required: true },
    /** In play: at an open stage and not resolved (what the board and the ageing read). */
    open: { type: Boolean, required: true },
    amount: { type: Number, default: null },
    lossReasonId: { type: Schema.Types.ObjectId, default: null },
    contactedAt: { type: Date, default: null },
    createdAt: { type: Date, required: true },
    endedAt: { type: Date, default: null },
    current: { type: Boolean, default: true },
    /** How many moves it made: the guard of the next one. */
    moves: { type: Number, required: true },
    /** Grows with every change to what the in-play view keeps of it (leads_in_play): the newer entry wins there. */
    rev: { type: Number, default: 0 },
    path: { type: [pathStepSchema], default: [] },
    /** Its last move until it is stored in stage_moves: a process dying in between leaves it here to settle. */
    pendingMove: { type: Schema.Types.Mixed, default: null },
    /** Set with its first answer until the funnel's hour of its entry is marked changed (markContacted). */
    contactPending: { type: Boolean, default: undefined },
  },
  { versionKey: false },
);
// A conversation's newest cycle (sort cycle -1), and one lead per cycle.
leadSchema.index({ conversationId: 1, cycle: 1 }, { unique: true });
// The board's columns, longest in the stage first: every lead in play, one channel's, one manager's, or both; their
// counts; and the ageing of every lead in play (of one channel).
leadSchema.index({ open: 1, stageId: 1, stageSince: 1 });
leadSchema.index({ open: 1, channel: 1, stageId: 1, stageSince: 1 });
leadSchema.index({ open: 1, assigneeId: 1, stageId: 1, stageSince: 1 });
leadSchema.index({ open: 1, channel: 1, assigneeId: 1, stageId: 1, stageSince: 1 });
// The conversation list's pipeline filters: the current leads at a stage; at a kind of stage, and lost for a reason.
leadSchema.index({ current: 1, stageId: 1 });
leadSchema.index({ current: 1, stageKind: 1, lossReasonId: 1 });
// The repair pass: leads whose last move may not be stored in stage_moves yet.
leadSchema.index({ 'pendingMove.seq': 1 });
// The repair pass: leads answered whose entry's hour may not be marked for the funnel yet.
leadSchema.index({ contactPending: 1 }, { sparse: true });

/** Every move of every lead: what the funnel and the losses are counted from. */
const stageMoveSchema = new Schema(
  {
    /** `${leadId}:${seq}`: stored once however often it is written. */
    _id: { type: String, required: true },
    leadId: { type: String, required: true },
    conversationId: { type: Schema.Types.ObjectId, required: true },
    seq: { type: Number, required: true },
    channel: { type: String, enum: channelNames, required: true },
    source: { type: String, default: null },
    assigneeId: { type: Schema.Types.ObjectId, default: null },
    byAgentId: { type: Schema.Types.ObjectId, default: null },
    from: { type: String, default: null },
    to: { type: String, required: true },
    toKind: { type: String, enum: ['open', 'won', 'lost'], required: true },
    at: { type: Date, required: true },
    msInFrom: { type: Number, default: null },
    amount: { type: Number, default: null },
    lossReasonId: { type: Schema.Types.ObjectId, default: null },
    lossReason: { type: String, default: null },
    /** When the move was stored: `at`, or later when a repair stored what a stopped process left on the lead. */
    storedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
// A lead's moves, in order (GET /api/conversations/:id/lead).
stageMoveSchema.index({ leadId: 1, seq: 1 });
// The funnel: the moves of a range, and of one channel's range; the losses: the moves into lost stages of a range.
stageMoveSchema.index({ at: 1 });
stageMoveSchema.index({ channel: 1, at: 1 });
stageMoveSchema.index({ toKind: 1, at: 1 });
// The triggers' catch-up: the moves stored since it last looked (TriggerFirings.catchUpMoves).
stageMoveSchema.index({ storedAt: 1 });
/** One customer's interactions of one Kyiv day: enough to say who was active at any past moment (inbox/customers/). */
const contactActivitySchema = new Schema(
  {
    contactId: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, enum: channelNames, required: true },
    /** `YYYY-MM-DD`, the Kyiv calendar day. */
    day: { type: String, required: true },
    firstAt: { type: Date, required: true },
    lastAt: { type: Date, required: true },
  },
  { versionKey: false },
);
// One record per customer and day: a message recorded twice (a redelivery) lands on the same one; also a
// customer's days, newest first.
contactActivitySchema.index({ contactId: 1, day: 1 }, { unique: true });
// Who was active in a window (the churn figures): the days it spans, of every channel or of one.
contactActivitySchema.index({ day: 1 });
contactActivitySchema.index({ channel: 1, day: 1 });

/** One customer's first and latest interaction: `_id` is the contact's id. */
const contactSpanSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, enum: channelNames, required: true },
    firstAt: { type: Date, required: true },
    lastAt: { type: Date, required: true },
  },
  { versionKey: false },
);
// New customers of a period (the churn figures' C3), of every channel or of one.
contactSpanSchema.index({ firstAt: 1 });
contactSpanSchema.index({ channel: 1, firstAt: 1 });
// Inactive customers, newest-silent first with a cursor (GET /api/contacts/inactive), of every channel or of one.
contactSpanSchema.index({ lastAt: -1, _id: -1 });
contactSpanSchema.index({ channel: 1, lastAt: -1, _id: -1 });

/** Saved views: a named filter of the contacts or the conversations, the team's or one manager's. */
const savedViewSchema = new Schema(
  {
    name: { type: String, required: true },
    kind: { type: String, enum: ['contacts', 'conversations'], required: true },
    filter: { type: Schema.Types.Mixed, default: {} },
    /** `team`, or the owner's id. */
    owner: { type: String, required: true },
  },
  { timestamps: true, minimize: false },
);
// The views a manager sees (the team's and their own), by name.
savedViewSchema.index({ owner: 1, name: 1 });

/** Re-engagement campaigns (inbox/customers/campaigns.ts); their recipients are a collection of their own. */
const campaignSchema = new Schema(
  {
    name: { type: String, required: true },
    viewId: { type: Schema.Types.ObjectId, default: null },
    silentBefore: { type: Date, required: true },
    channel: { type: String, enum: [...channelNames, null], default: null },
    template: { type: Schema.Types.Mixed, default: null },
    text: { type: String, default: null },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, enum: ['preparing', 'sending'], required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
// The campaigns list, newest first.
campaignSchema.index({ createdAt: -1 });
// The sending job finishes the preparation a dead process left half-way.
campaignSchema.index({ status: 1, createdAt: 1 });

/** One customer of a campaign: `_id` derived from (campaign, contact), so a recipient is stored and sent once. */
const campaignRecipientSchema = new Schema(
  {
    campaignId: { type: Schema.Types.ObjectId, required: true },
    contactId: { type: Schema.Types.ObjectId, required: true },
    conversationId: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, enum: channelNames, required: true },
    status: { type: String, enum: ['pending', 'sent', 'skipped'], required: true },
    reason: { type: String, default: null },
    /** When it may be sent (paced per channel); while a send runs, when its hold ends; null once settled. */
    dueAt: { type: Date, default: null },
    messageId: { type: Schema.Types.ObjectId, default: null },
    sentAt: { type: Date, default: null },
  },
  { versionKey: false },
);
// One recipient per campaign and customer, however often the preparation runs.
campaignRecipientSchema.index({ campaignId: 1, contactId: 1 }, { unique: true });
// The sending job: what fell due, earliest first.
campaignRecipientSchema.index({ dueAt: 1, _id: 1 });
// A new campaign's pace on a channel starts after what is already due there.
campaignRecipientSchema.index({ channel: 1, dueAt: -1 });
// Live progress when a customer who was sent to writes back.
campaignRecipientSchema.index({ contactId: 1, status: 1 });

/** Customers who asked for no more campaigns: `_id` is the contact's id. */
const campaignOptOutSchema = new Schema(
  { _id: { type: Schema.Types.ObjectId, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
);
/** Managers' tasks (inbox/tasks/): each a due time, an assignee, and the alert chain that chases it. */
const taskSchema = new Schema(
  {
    title: { type: String, required: true },
    dueAt: { type: Date, required: true },
    assigneeId: { type: Schema.Types.ObjectId, required: true },
    conversationId: { type: Schema.Types.ObjectId, default: null },
    contactId: { type: Schema.Types.ObjectId, default: null },
    createdBy: { type: Schema.Types.ObjectId, default: null },
    triggerId: { type: Schema.Types.ObjectId, default: null },
    /** Always set (false while open), so every list has an equality on it and one index per scope serves both. */
    done: { type: Boolean, required: true },
    doneAt: { type: Date, default: null },
    /** The next alert of the chain and its due time; null once it ran out or the task is done. */
    alertStep: { type: String, enum: ['reminder', 'overdue', 'escalate', null], default: null },
    alertDueAt: { type: Date, default: null },
  },
  { timestamps: true },
);
// The lists (GET /api/tasks): a manager's, a conversation's, a contact's and everyone's, open or done, by due time
// with a keyset cursor; overdue is the open ones' range below now.
taskSchema.index({ assigneeId: 1, done: 1, dueAt: 1, _id: 1 });
taskSchema.index({ conversationId: 1, done: 1, dueAt: 1, _id: 1 });
taskSchema.index({ contactId: 1, done: 1, dueAt: 1, _id: 1 });
taskSchema.index({ done: 1, dueAt: 1, _id: 1 });
// The automations' pass: the tasks whose next alert fell due, earliest first.
taskSchema.index({ alertDueAt: 1, _id: 1 });

/** Admins' triggers (inbox/triggers/): on a stage change, a loss, a quiet customer or a renewal, do something. */
const triggerSchema = new Schema(
  {
    name: { type: String, required: true },
    active: { type: Boolean, required: true },
    on: { type: Schema.Types.Mixed, required: true },
    action: { type: Schema.Types.Mixed, required: true },
    createdBy: { type: Schema.Types.ObjectId, default: null },
    /** The timed triggers' sweep position: everything up to (at, id) was looked at. */
    sweepAt: { type: Date, default: null },
    sweepId: { type: String, default: null },
  },
  { timestamps: true, minimize: false },
);
// The triggers of one kind that listen (a lead's move, the sweeps), and of one kind at all (a renewal moved).
triggerSchema.index({ 'on.kind': 1, active: 1 });

/**
 * Each time a trigger fired: recorded (pending) before its action runs, finished after, so a crash in between is
 * finished by the automations' pass. The id derives from the firing's key (the trigger and what it is about).
 */
const triggerFiringSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    triggerId: { type: Schema.Types.ObjectId, required: true },
    key: { type: String, required: true },
    conversationId: { type: Schema.Types.ObjectId, default: null },
    contactId: { type: Schema.Types.ObjectId, default: null },
    state: { type: String, enum: ['pending', 'done', 'skipped'], required: true },
    retryAt: { type: Date, default: null },
    attempts: { type: Number, default: 0 },
    taskId: { type: Schema.Types.ObjectId, default: null },
    messageId: { type: Schema.Types.ObjectId, default: null },
    reason: { type: String, default: null },
    firedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
// The pass that finishes what a crash left: the pending firings whose lease ended, earliest first.
triggerFiringSchema.index({ state: 1, retryAt: 1 });
// A trigger's firings, newest first (GET /api/triggers/:id/firings).
triggerFiringSchema.index({ triggerId: 1, firedAt: -1 });

/** A customer's renewal date, one document per contact (its id), so the contacts the ingest writes stay as they are. */
const renewalSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    renewalAt: { type: Date, required: true },
  },
  { versionKey: false, timestamps: { createdAt: false, updatedAt: true } },
);
// The renewal triggers' sweep: renewals by date, then contact.
renewalSchema.index({ renewalAt: 1, _id: 1 });

/** Where a background job got to (the rollup's last hour, the alert digest's last alert): one document per job. */
const checkpointSchema = new Schema({
  _id: { type: String, required: true },
  at: { type: Date, required: true },
});

/** The chatbot's flows: one document (`_id` "flows"), versioned. */
const botFlowsSchema = new Schema(
  {
    _id: { type: String, required: true },
    flows: { type: Schema.Types.Mixed, required: true },
    version: { type: Number, required: true },
  },
  { timestamps: true, versionKey: false },
);

/** The chatbot's talk with one conversation's customer, keyed by the conversation (one talk per conversation). */
const botSessionSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, enum: channelNames, required: true },
    step: { type: String, enum: ['new', 'menu', 'name', 'phone', 'need'], default: 'new' },
    unmatched: { type: Number, default: 0 },
    offer: { type: [Schema.Types.Mixed], default: [] },
    answered: { type: [Schema.Types.ObjectId], default: [] },
    pendingInboundId: { type: Schema.Types.ObjectId, default: null },
    /** A customer message waits for the bot's answer since then; null when none does. */
    pendingSince: { type: Date, default: null },
    startedAt: { type: Date, required: true },
    lastInboundAt: { type: Date, required: true },
    handedOffAt: { type: Date, default: null },
    handOffReason: { type: String, default: null },
    version: { type: Number, default: 0 },
  },
  { versionKey: false },
);
// The bot's repair pass: talks whose customer message has waited for an answer too long, oldest first.
botSessionSchema.index({ pendingSince: 1 });
// The bot's figures: the talks it took in a range, of every channel or one.
botSessionSchema.index({ startedAt: 1, channel: 1 });

/** Questions no bot answer matched, one per customer message (`_id` the message's). */
const botUnmatchedSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    conversationId: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, enum: channelNames, required: true },
    text: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
// The bot's figures: the unmatched questions of a range, of every channel or one.
botUnmatchedSchema.index({ at: 1, channel: 1 });

export function createModels(connection: Connection) {
  return {
    Contact: connection.model('Contact', contactSchema, 'contacts'),
    Conversation: connection.model('Conversation', conversationSchema, 'conversations'),
    Message: connection.model('Message', messageSchema, 'messages'),
    Agent: connection.model('Agent', agentSchema, 'agents'),
    Alert: connection.model('Alert', alertSchema, 'alerts'),
    Response: connection.model('Response', responseSchema, 'responses'),
    ResponseRollup: connection.model('ResponseRollup', responseRollupSchema, 'response_rollups'),
    Checkpoint: connection.model('Checkpoint', checkpointSchema, 'checkpoints'),
    LossReason: connection.model('LossReason', lossReasonSchema, 'loss_reasons'),
    SavedReply: connection.model('SavedReply', savedReplySchema, 'saved_replies'),
    PipelineStage: connection.model('PipelineStage', pipelineStageSchema, 'pipeline_stages'),
    Lead: connection.model('Lead', leadSchema, 'leads'),
    StageMove: connection.model('StageMove', stageMoveSchema, 'stage_moves'),
    ContactActivity: connection.model('ContactActivity', contactActivitySchema, 'contact_activity'),
    ContactSpan: connection.model('ContactSpan', contactSpanSchema, 'contact_spans'),
    SavedView: connection.model('SavedView', savedViewSchema, 'saved_views'),
    Campaign: connection.model('Campaign', campaignSchema, 'campaigns'),
    CampaignRecipient: connection.model('CampaignRecipient', campaignRecipientSchema, 'campaign_recipients'),
    CampaignOptOut: connection.model('CampaignOptOut', campaignOptOutSchema, 'campaign_opt_outs'),
    BotFlows: connection.model('BotFlows', botFlowsSchema, 'bot_flows'),
    BotSession: connection.model('BotSession', botSessionSchema, 'bot_sessions'),
    BotUnmatched: connection.model('BotUnmatched', botUnmatchedSchema, 'bot_unmatched'),
    Task: connection.model('Task', taskSchema, 'tasks'),
    Trigger: connection.model('Trigger', triggerSchema, 'triggers'),
    TriggerFiring: connection.model('TriggerFiring', triggerFiringSchema, 'trigger_firings'),
    Renewal: connection.model('Renewal', renewalSchema, 'renewals'),
    FunnelTally: connection.model('FunnelTally', funnelTallySchema, 'funnel_tallies'),
    FunnelChange: connection.model('FunnelChange', funnelChangeSchema, 'funnel_changes'),
    LeadInPlay: connection.model('LeadInPlay', leadInPlaySchema, 'leads_in_play'),
  };
}
export type Models = ReturnType<typeof createModels>;

export type ContactDoc = InferSchemaType<typeof contactSchema> & { _id: mongoose.Types.ObjectId };
export type ConversationDoc = InferSchemaType<typeof conversationSchema> & { _id: mongoose.Types.ObjectId };
export type MessageDoc = InferSchemaType<typeof messageSchema> & { _id: mongoose.Types.ObjectId };
export type AgentDoc = InferSchemaType<typeof agentSchema> & { _id: mongoose.Types.ObjectId };
export type AlertDoc = InferSchemaType<typeof alertSchema> & { _id: mongoose.Types.ObjectId };
export type LossReasonDoc = InferSchemaType<typeof lossReasonSchema> & { _id: mongoose.Types.ObjectId };
export type SavedReplyDoc = InferSchemaType<typeof savedReplySchema> & { _id: mongoose.Types.ObjectId };
export type PipelineStageDoc = InferSchemaType<typeof pipelineStageSchema>;
export type LeadDoc = InferSchemaType<typeof leadSchema>;
export type StageMoveDoc = InferSchemaType<typeof stageMoveSchema>;
export type ContactActivityDoc = InferSchemaType<typeof contactActivitySchema> & { _id: mongoose.Types.ObjectId };
export type ContactSpanDoc = InferSchemaType<typeof contactSpanSchema>;
export type SavedViewDoc = InferSchemaType<typeof savedViewSchema> & { _id: mongoose.Types.ObjectId };
export type CampaignDoc = InferSchemaType<typeof campaignSchema> & { _id: mongoose.Types.ObjectId };
export type CampaignRecipientDoc = InferSchemaType<typeof campaignRecipientSchema> & { _id: mongoose.Types.ObjectId };
export type TaskDoc = InferSchemaType<typeof taskSchema> & { _id: mongoose.Types.ObjectId };
export type TriggerDoc = InferSchemaType<typeof triggerSchema> & { _id: mongoose.Types.ObjectId };
export type TriggerFiringDoc = InferSchemaType<typeof triggerFiringSchema> & { _id: mongoose.Types.ObjectId };
export type ResponseDoc = InferSchemaType<typeof responseSchema> & { _id: mongoose.Types.ObjectId };
export type BotSessionDoc = InferSchemaType<typeof botSessionSchema>;
export type BotUnmatchedDoc = InferSchemaType<typeof botUnmatchedSchema>;

/*
 * FerretDB drops null-valued fields on upsert, so a field declared `default: null` may be absent from a stored
 * document: code compares with `== null`, and queries on `{field: null}` match both (as in MongoDB).
 */

/** Creates every index (once per start); unique indexes are what make concurrent ingest safe. */
export async function ensureIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models)) await model.init();
}

export const isDuplicateKey = (e: unknown): boolean => typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 11000;
