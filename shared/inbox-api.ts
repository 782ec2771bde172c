import { z } from 'zod';
import { channelNames } from './channels';
import { campaignViewSchema } from './customers-api';
import { attachmentSchema, choiceSchema, templateSchema } from './messages';
import { leadUpdatedEvent } from './pipeline-api';
import { taskEvents } from './tasks-api';

/**
 * The managers' API as both ends see it: the bodies of the REST routes and the Socket.io events, as zod schemas.
 * The gateway types what it sends with them; the managers' app parses what it receives with them.
 */

const isoTime = z.string();
const id = z.string();

export const roleSchema = z.enum(['agent', 'supervisor', 'admin']);
export const agentViewSchema = z.object({
  id,
  name: z.string(),
  email: z.string(),
  role: roleSchema,
  online: z.boolean(),
  // An addition to the contract: a deactivated manager cannot sign in.
  active: z.boolean().default(true),
});
export type AgentView = z.infer<typeof agentViewSchema>;

export const conversationStatusSchema = z.enum(['open', 'pending', 'snoozed', 'resolved']);
export type ConversationStatusView = z.infer<typeof conversationStatusSchema>;

export const conversationViewSchema = z.object({
  id,
  channel: z.enum(channelNames),
  status: conversationStatusSchema,
  contact: z.object({ id, name: z.string(), reachable: z.boolean() }),
  assigneeId: id.nullable(),
  lastMessageAt: isoTime,
  lastMessagePreview: z.string(),
  awaitingReplySince: isoTime.nullable(),
  lastInboundAt: isoTime.nullable(),
  firstResponseAt: isoTime.nullable(),
  firstResponseDueAt: isoTime.nullable(),
  escalationStep: z.number(),
  escalationDueAt: isoTime.nullable(),
  unreadCount: z.number(),
  outcome: z.enum(['won', 'lost']).nullable(),
  /** Closed as lost: the reason's label as it read then, the reason on the admins' list, the manager's note. */
  lossReason: z.string().nullable(),
  lossReasonId: id.nullable().optional(),
  lossNote: z.string().nullable().optional(),
  /** While snoozed: when it opens again by itself. */
  snoozedUntil: isoTime.nullable().optional(),
  createdAt: isoTime,
  /** The chatbot talks with the customer (`pending`): nobody waits on it until it hands off or a manager takes over. */
  heldByBot: z.boolean().optional(),
});
export type ConversationView = z.infer<typeof conversationViewSchema>;

export const contactCardSchema = z.object({
  id,
  channel: z.enum(channelNames),
  /** The customer's id on the platform: a Telegram user id, a phone, an IGSID, an email address. */
  externalId: z.string(),
  name: z.string(),
  username: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  language: z.string().nullable(),
  /** What the customer told the chatbot they need. */
  need: z.string().nullable().optional(),
  reachable: z.boolean(),
  /** When the customer's subscription or contract renews (PATCH /api/contacts/:id); null when none is kept. */
  renewalAt: isoTime.nullable().optional(),
  /** Where the lead came from: a deep link's payload, a site form's name. */
  source: z.string().nullable(),
  createdAt: isoTime,
  /**
   * The same customer on other channels: contacts with this one's email or phone, with their conversations the
   * manager asking may open (at most 10).
   */
  elsewhere: z.array(
    z.object({
      conversationId: id,
      channel: z.enum(channelNames),
      externalId: z.string(),
      name: z.string(),
      status: conversationStatusSchema,
      lastMessageAt: isoTime.nullable(),
    }),
  ),
});
export type ContactCardView = z.infer<typeof contactCardSchema>;

export const messageStatusSchema = z.enum(['received', 'queued', 'sent', 'delivered', 'read', 'failed']);
export type MessageStatusView = z.infer<typeof messageStatusSchema>;

export const messageViewSchema = z.object({
  id,
  conversationId: id,
  channel: z.enum(channelNames),
  direction: z.enum(['in', 'out']),
  sender: z.object({ type: z.enum(['contact', 'agent', 'bot', 'system']), id: z.string().optional(), name: z.string().optional() }),
  text: z.string(),
  template: templateSchema.optional(),
  attachments: z.array(attachmentSchema),
  externalId: z.string().nullable(),
  status: messageStatusSchema,
  error: z.string().nullable(),
  createdAt: isoTime,
  editedAt: isoTime.nullable(),
  /** Written by a machine (an auto-reply, a bounce, list mail): nobody waits for an answer to it. */
  automated: z.boolean().optional(),
  /** Email: the subject, and the quoted previous message below the new part (folded). */
  subject: z.string().optional(),
  quoted: z.string().optional(),
  /** A manager's internal note: seen by managers only, never sent to the customer. */
  note: z.boolean().optional(),
  /** Outbound: the answers offered to tap (the bot's menu). */
  choices: z.array(choiceSchema).optional(),
  /** Inbound: the id of the offered choice the customer pressed. */
  choice: z.string().optional(),
});
export type MessageView = z.infer<typeof messageViewSchema>;

export const alertViewSchema = z.object({
  id,
  type: z.enum(['escalated', 'sla_warning', 'sla_breach', 'delivery_failed', 'task_reminder', 'task_overdue', 'task_overdue_escalated']),
  /** Absent only on a task's alert when the task is on no conversation. */
  conversationId: id.optional(),
  channel: z.enum(channelNames).optional(),
  /** A task's alerts: the task. */
  taskId: z.string().optional(),
  agentId: z.string().optional(),
  messageId: z.string().optional(),
  detail: z.string().optional(),
  createdAt: isoTime,
});
export type AlertView = z.infer<typeof alertViewSchema>;

export const sessionStateSchema = z.enum([
  'starting',
  'qr',
  'authenticated',
  'ready',
  'disconnected',
  'auth_failure',
  'logged_out',
  'stopped',
]);
export const sessionViewSchema = z.object({
  channel: z.enum(channelNames),
  state: sessionStateSchema,
  qr: z.string().nullable(),
  qrDataUrl: z.string().nullable(),
  account: z.string().nullable(),
  reason: z.string().nullable(),
  reconnectAt: isoTime.nullable(),
  updatedAt: isoTime,
});
export type SessionViewBody = z.infer<typeof sessionViewSchema>;

const statsSchema = z.object({
  count: z.number(),
  avgMs: z.number().nullable(),
  p50Ms: z.number().nullable(),
  p90Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  maxMs: z.number().nullable(),
});
export const responseTimesRowSchema = z.object({
  key: z.string(),
  firstResponse: statsSchema,
  reply: statsSchema,
  leads: z.number(),
  unanswered: z.number(),
  unansweredPastTarget: z.number(),
  unansweredShare: z.number().nullable(),
  slaMet: z.number(),
  slaBreached: z.number(),
  ageing: z.record(z.string(), z.number()),
});
export type ResponseTimesRowView = z.infer<typeof responseTimesRowSchema>;
/** GET /api/metrics/volume-by-hour: a row's leads by the Kyiv hour of day of their first message (24 counts). */
export const volumeRowSchema = z.object({ key: z.string(), leads: z.number(), byHour: z.array(z.number()).length(24) });
export type VolumeRowView = z.infer<typeof volumeRowSchema>;
/** GET /api/metrics/workload: the open conversations of each manager. */
export const workloadSchema = z.object({ agentId: z.string(), open: z.number() });
/** PATCH /api/agents/:id (admins): a manager's new role, or whether they may sign in. */
export const agentChangeBody = z
  .object({ role: roleSchema.optional(), active: z.boolean().optional() })
  .strict()
  .refine((c) => c.role !== undefined || c.active !== undefined, { message: 'give "role", "active" or both' });

/** A keyset page: `nextCursor` is passed back as `cursor` for the page after it. */
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

// REST bodies the managers send.
export const loginBody = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(200) });
export const loginAnswer = z.object({ token: z.string(), agent: agentViewSchema });
export const agentIdSchema = z.string().regex(/^[a-f0-9]{24}$/i, 'must be an agent id');
export const assignBody = z.object({ agentId: agentIdSchema.nullable() });
/** Most files one reply carries (mail servers take about 25 MB in all; EMAIL_MAX_SIZE_MB limits each upload). */
export const MAX_REPLY_FILES = 10;
/** A file name as a manager's computer had it: no folders, no control characters, short enough for any mail client. */
export const fileNameSchema = z
  .string()
  .trim()
  .min(1, 'the file needs a name')
  .max(255, 'the file name is longer than 255 characters')
  .refine((name) => !/[/\\\p{Cc}]/u.test(name), 'the file name must not contain slashes or control characters');
/** A file uploaded with POST /api/conversations/:id/attachments, sent with the reply; `name` renames it for this reply. */
export const replyFileSchema = z
  .object({ id: z.string().regex(/^[a-f0-9]{64}$/, 'must be the id of an uploaded file'), name: fileNameSchema.optional() })
  .strict();
export const textReplyBody = z
  .object({
    text: z.string().trim().max(4096),
    attachments: z.array(replyFileSchema).max(MAX_REPLY_FILES, `at most ${MAX_REPLY_FILES} files go with one reply`).optional(),
  })
  .strict()
  .refine((v) => v.text.length > 0 || (v.attachments?.length ?? 0) > 0, { path: ['text'], message: 'text must not be empty' });
/** What an upload answers: the file as a message attachment, and the id a reply refers to it by. */
export const uploadedFileSchema = z.object({
  id: z.string(),
  kind: z.literal('file').or(z.literal('image')),
  name: z.string(),
  mimeType: z.string(),
  size: z.number().int().nonnegative(),
  url: z.string(),
});
export type UploadedFile = z.infer<typeof uploadedFileSchema>;
/** A connected channel as the page needs it before a manager types (GET /api/channels). */
export const channelViewSchema = z.object({
  channel: z.enum(channelNames),
  /** Replies go out at all (a receive-only channel refuses them up front). */
  replies: z.boolean(),
  sendsFiles: z.boolean(),
  /** How long after the customer's last message a free-text reply may go; null: no window. */
  replyWindowMs: z.number().int().positive().nullable(),
  /** Beyond that window, until this long after it, a human agent may still answer (Instagram); null: no such grace. */
  humanAgentWindowMs: z.number().int().positive().nullable(),
  /** Approved templates can be sent, also once the window has closed (WhatsApp). */
  templates: z.boolean(),
  /** The approved templates can be listed (GET /api/channels/:channel/templates). */
  templatesListed: z.boolean(),
});
export type ChannelView = z.infer<typeof channelViewSchema>;
export const channelsAnswer = z.object({ items: z.array(channelViewSchema) });
/** An approved template with `{{1}}`… `{{params}}` in its body (GET /api/channels/:channel/templates). */
export const approvedTemplateSchema = z.object({
  name: z.string(),
  language: z.string(),
  category: z.string(),
  body: z.string(),
  params: z.number().int().nonnegative(),
});
export const templatesAnswer = z.object({ items: z.array(approvedTemplateSchema) });
export type TemplatesAnswer = z.infer<typeof templatesAnswer>;
export const replyBody = z.union([textReplyBody, z.object({ template: templateSchema }).strict()]);
export const statusChangeBody = z
  .object({
    status: conversationStatusSchema,
    outcome: z.enum(['won', 'lost']).optional(),
    /** Closing as lost: one of the active reasons of GET /api/loss-reasons (required), and optionally the manager's words. */
    lossReasonId: z
      .string()
      .regex(/^[a-f0-9]{24}$/i, 'must be the id of a loss reason')
      .optional(),
    lossNote: z.string().trim().max(500).optional(),
    /** The contract's own field: the label of an active reason, as older clients send it (matched ignoring case). */
    lossReason: z.string().trim().min(1).max(500).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.outcome && v.status !== 'resolved') {
      ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'an outcome is given only when resolving' });
    }
    if (v.status === 'snoozed') {
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'snooze with POST /api/conversations/:id/snooze {until}' });
    }
  });
export type StatusChangeBody = z.infer<typeof statusChangeBody>;

/** POST /api/conversations/:id/snooze: until when (ISO-8601 with an offset), in the future. */
export const snoozeBody = z.object({ until: z.iso.datetime({ offset: true }) }).strict();
export type SnoozeBody = z.infer<typeof snoozeBody>;

export const lossReasonViewSchema = z.object({ id, label: z.string(), active: z.boolean(), order: z.number() });
export type LossReasonView = z.infer<typeof lossReasonViewSchema>;
const lossReasonLabel = z.string().trim().min(1, 'the label must not be empty').max(100, 'the label is longer than 100 characters');
export const newLossReasonBody = z.object({ label: lossReasonLabel }).strict();
export const lossReasonChangeBody = z
  .object({
    label: lossReasonLabel.optional(),
    order: z.number().int().min(-1_000_000).max(1_000_000).optional(),
    active: z.boolean().optional(),
  })
  .strict()
  .refine((v) => v.label !== undefined || v.order !== undefined || v.active !== undefined, {
    message: 'give a label, an order or active',
  });

/** An internal note on a conversation (POST /api/conversations/:id/notes). */
export const noteBody = z.object({ text: z.string().trim().min(1, 'text must not be empty').max(4096) }).strict();

/** A saved reply's shortcut, typed after `/` in the reply box: letters of any script, digits, `-` and `_`. */
export const savedReplyShortcut = z
  .string()
  .trim()
  .transform((s) => s.replace(/^\//, '').toLowerCase())
  .pipe(
    z
      .string()
      .min(1, 'the shortcut must not be empty')
      .max(32, 'the shortcut is longer than 32 characters')
      .regex(/^[\p{L}\p{N}_-]+$/u, 'the shortcut may hold only letters, digits, - and _'),
  );
export const savedReplyScopeSchema = z.enum(['team', 'personal']);
export const savedReplyViewSchema = z.object({
  id,
  scope: savedReplyScopeSchema,
  ownerId: id.nullable(),
  shortcut: z.string(),
  title: z.string(),
  text: z.string(),
  /** Whether the manager asking may change or delete it. */
  editable: z.boolean(),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type SavedReplyView = z.infer<typeof savedReplyViewSchema>;
const savedReplyFields = {
  shortcut: savedReplyShortcut,
  title: z.string().trim().min(1, 'the title must not be empty').max(100),
  text: z.string().trim().min(1, 'the text must not be empty').max(4096),
};
export const newSavedReplyBody = z.object({ scope: savedReplyScopeSchema.default('personal'), ...savedReplyFields }).strict();
export type NewSavedReplyBody = z.input<typeof newSavedReplyBody>;
export const savedReplyChangeBody = z
  .object({
    shortcut: savedReplyFields.shortcut.optional(),
    title: savedReplyFields.title.optional(),
    text: savedReplyFields.text.optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'name at least one of shortcut, title, text' });
export type SavedReplyChangeBody = z.input<typeof savedReplyChangeBody>;
export const savedRepliesQuery = z.object({ q: z.string().trim().max(100).optional() });

export const errorAnswer = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

// Socket.io: what the server pushes, and what the client sends with its acknowledgement.
export const serverEvents = {
  'message:new': z.object({ conversation: conversationViewSchema, message: messageViewSchema }),
  'message:updated': z.object({ message: messageViewSchema, conversation: conversationViewSchema }),
  'conversation:updated': z.object({ conversation: conversationViewSchema }),
  alert: z.object({ alert: alertViewSchema }),
  'channel:session': sessionViewSchema,
  /** The sales pipeline: a conversation's lead moved or changed. */
  'lead:updated': leadUpdatedEvent,
  'campaign:updated': z.object({ campaign: campaignViewSchema }),
  ...taskEvents,
} as const;
export type ServerEventName = keyof typeof serverEvents;
export type ServerEventBody<E extends ServerEventName> = z.infer<(typeof serverEvents)[E]>;

export const clientEvents = {
  'message:send': z.looseObject({ conversationId: z.string().min(1) }),
  'conversation:assign': z.object({ conversationId: z.string().min(1), agentId: agentIdSchema.nullable() }),
  'conversation:read': z.object({ conversationId: z.string().min(1) }),
} as const;

export type AckBody<T = object> = ({ ok: true } & T) | { ok: false; error: { code: string; message: string } };
