import { z } from 'zod';

/**
 * Outbound pacing. Viber publishes one hard limit for `send_message`: at most 100 messages to one user within an
 * hour without a reply from them; the count starts again when the user writes (status 12 "Too many requests"
 * otherwise; creators.viber.com/docs/bots-api/resources/messaging/send-message). It publishes no per-second cap,
 * so the global values are our own: well above what a team of managers types, low enough that a burst (a queue
 * draining after an outage) is spread out instead of hitting undisclosed limits all at once.
 */
export const viberRateLimitsSchema = z.object({
  /** Messages to one user per hour without a reply from them (Viber's published limit). */
  perUserPerHour: z.number().int().positive().default(100),
  /** Gap between two messages to the same user; one at a time per user also keeps replies in order. */
  perUserMinTimeMs: z.number().int().nonnegative().default(200),
  /** Requests to the Viber API per second, all users together. */
  globalPerSecond: z.number().int().positive().default(50),
  /** Requests to the Viber API in flight at once. */
  globalConcurrency: z.number().int().positive().default(10),
});
export type ViberRateLimits = z.infer<typeof viberRateLimitsSchema>;

export const viberSettingsSchema = z.object({
  /** The bot's authentication token: sent as X-Viber-Auth-Token, and the HMAC key of every callback signature. */
  authToken: z.string().min(1),
  /** Shown as the sender of every message (Viber's `sender.name`, at most 28 characters). */
  botName: z.string().trim().min(1).max(28),
  /** REST API base, e.g. https://chatapi.viber.com/pa; a trailing slash is dropped. */
  apiUrl: z.url().transform((u) => u.replace(/\/+$/, '')),
  /** Where Viber should deliver callbacks, registered with set_webhook at start. */
  webhookUrl: z.url().optional(),
  /** Answered to `conversation_started` for users not yet subscribed (Viber's one allowed welcome message). */
  welcomeText: z.string().trim().min(1).max(7000).optional(),
  limits: viberRateLimitsSchema.default(viberRateLimitsSchema.parse({})),
  /** Timeout of one Viber API request. */
  requestTimeoutMs: z.number().int().positive().default(10_000),
  /** First pause before set_webhook is tried again; doubles up to five minutes. */
  registrationRetryMs: z.number().int().positive().default(1000),
});
export type ViberSettings = z.infer<typeof viberSettingsSchema>;
export type ViberSettingsInput = z.input<typeof viberSettingsSchema>;
