import { z } from 'zod';
import { channelNames } from './channels';

/**
 * The one shape every channel turns its platform payloads into. Inbox code only ever sees these.
 */
export const attachmentSchema = z.object({
  /**
   * `unsupported`: the customer sent something the platform does not pass on to apps, or a type the gateway cannot
   * show (a poll, a new kind of message); `name` says what it was, so a manager knows to look in the app.
   */
  kind: z.enum(['image', 'video', 'audio', 'voice', 'file', 'sticker', 'location', 'contact', 'link', 'other', 'unsupported']),
  /** The platform's own reference (Telegram file_id, Meta media id, …) the inbox can resolve later. */
  platformId: z.string().optional(),
  url: z.string().optional(),
  mimeType: z.string().optional(),
  name: z.string().optional(),
  size: z.number().int().nonnegative().optional(),
  latitude: z.number().optional(),
  longitude: z.number().optional(),
  phone: z.string().optional(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

/**
 * The placeholder kept for a customer's message whose content cannot be shown: the message still reaches a manager
 * (and counts as the customer's turn), saying what it was.
 */
export const unsupportedContent = (what?: string): Attachment => ({
  kind: 'unsupported',
  name: what ? `unsupported message type: ${what}` : 'unsupported message type',
});

export const inboundContactSchema = z.object({
  /** Stable id of the customer on that platform (Telegram user id, phone, IGSID, …). */
  externalId: z.string().min(1),
  name: z.string().min(1),
  username: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  language: z.string().optional(),
});
export type InboundContact = z.infer<typeof inboundContactSchema>;

export const inboundMessageSchema = z.object({
  kind: z.literal('message'),
  channel: z.enum(channelNames),
  /** Unique per channel; redelivery of the same platform message carries the same key. */
  externalId: z.string().min(1),
  contact: inboundContactSchema,
  text: z.string(),
  attachments: z.array(attachmentSchema),
  /** When the platform says the customer sent it. */
  sentAt: z.date(),
  /** The platform payload as JSON text, so keys with `.` or `$` and 64-bit integers survive storage. */
  raw: z.string(),
  source: z.string().optional(),
  /**
   * Written by a machine, not the customer (an auto-reply, a bounce, list mail): stored and shown, but it neither
   * starts a wait (no SLA clock, no escalation), nor reopens the conversation, nor gets an auto-reply.
   */
  automated: z.boolean().optional(),
  /** Who wrote it when not the contact themself (a colleague answering the customer's email thread). */
  author: z.string().min(1).optional(),
  /** The subject line, where the platform has one (email). */
  subject: z.string().optional(),
  /** The quoted previous message and signature the customer's client added below `text` (email), folded on the page. */
  quoted: z.string().optional(),
  /**
   * The customer pressed one of the choices we offered (a Telegram inline button, a Viber keyboard button, a WhatsApp
   * reply button or list row, an Instagram quick reply): its `id`. `text` carries what the button said.
   */
  choice: z.string().min(1).max(64).optional(),
});
export type InboundMessage = z.infer<typeof inboundMessageSchema>;

/** A customer edited a message we already have. */
export const inboundEditSchema = z.object({
  kind: z.literal('edit'),
  channel: z.enum(channelNames),
  externalId: z.string().min(1),
  contact: inboundContactSchema,
  text: z.string(),
  attachments: z.array(attachmentSchema),
  editedAt: z.date(),
  raw: z.string(),
});
export type InboundEdit = z.infer<typeof inboundEditSchema>;

export const deliveryStatusSchema = z.enum(['sent', 'delivered', 'read', 'failed']);
/** The platform reports on a message we sent. */
export const inboundReceiptSchema = z.object({
  kind: z.literal('receipt'),
  channel: z.enum(channelNames),
  externalId: z.string().min(1),
  status: deliveryStatusSchema,
  at: z.date(),
  error: z.string().optional(),
});
export type InboundReceipt = z.infer<typeof inboundReceiptSchema>;

/** The customer subscribed, unsubscribed or blocked the bot: whether replies can reach them at all. */
export const inboundContactStateSchema = z.object({
  kind: z.literal('contact'),
  channel: z.enum(channelNames),
  contact: inboundContactSchema,
  reachable: z.boolean(),
  at: z.date(),
});
export type InboundContactState = z.infer<typeof inboundContactStateSchema>;

export type InboundEvent = InboundMessage | InboundEdit | InboundReceipt | InboundContactState;

/** A pre-approved message template (WhatsApp), the only thing allowed outside the customer-service window. */
export const templateSchema = z.object({
  name: z.string().trim().min(1).max(512),
  language: z.string().trim().min(2).max(15),
  params: z.array(z.string().max(1024)).max(20).default([]),
});
export type Template = z.infer<typeof templateSchema>;

/**
 * One of the answers a message offers the customer to tap. `id` comes back in `InboundMessage.choice` when pressed;
 * it fits every platform's payload (Telegram's callback_data is at most 64 bytes), so keep it short ASCII.
 * Platforms cut titles (WhatsApp buttons and Instagram quick replies: 20 characters), so keep them short too.
 */
export const choiceSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
  title: z.string().trim().min(1).max(80),
  /** A second line where the platform shows one (WhatsApp list rows). */
  description: z.string().trim().max(72).optional(),
});
export type Choice = z.infer<typeof choiceSchema>;

/** What the inbox asks a channel to deliver. */
export interface OutboundText {
  channel: z.infer<typeof inboundMessageSchema>['channel'];
  /** The contact's platform id. */
  to: string;
  text: string;
  /** Set instead of free text where the channel supports templates. */
  template?: Template;
  /** Our message id, usable as an idempotency key where the platform has one. */
  messageId: string;
  /** When the customer last wrote: channels with messaging windows choose how to send (e.g. a human-agent tag). */
  lastInboundAt: Date | null;
  /** Who wrote the reply: a manager (their name can sign it) or the bot (an automatic answer, marked as such). */
  sender?: { type: 'agent' | 'bot' | 'system'; name?: string };
  /** Campaign mail only: the one-click unsubscribe URL, sent as List-Unsubscribe with List-Unsubscribe-Post (RFC 8058). */
  listUnsubscribe?: string;
  /** Files the manager uploaded to go with the reply (blob ids in `platformId`), on channels whose capabilities say so. */
  attachments?: Attachment[];
  /**
   * Answers to tap, shown the platform's own way (inline keyboard, keyboard, reply buttons or a list, quick replies)
   * within its limits, and as numbered lines under the text where it has none (email, the API channel) or where they
   * exceed its limits.
   */
  choices?: Choice[];
}

export interface SendResult {
  externalId: string | null;
}

/** The port every channel implements for replies. */
export interface ChannelSender {
  send(message: OutboundText): Promise<SendResult>;
}

/**
 * A delivery failure as a value the queue can act on: retry later (maybe after the platform's `retry_after`),
 * or give up at once because retrying cannot help (blocked by the user, bad recipient).
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    /** The platform may have taken the message (it did not answer in time): another try may send it twice. */
    readonly maybeDelivered = false,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** The port every channel pushes inbound events into; it resolves only once the event is durably stored. */
export type InboundSink = (event: InboundEvent) => Promise<void>;
