import { createHash } from 'node:crypto';
import { z } from 'zod';

export const telegramSettingsSchema = z.object({
  token: z.string().regex(/^\d+:[\w-]+$/),
  mode: z.enum(['webhook', 'polling']),
  apiRoot: z.url(),
  /** Checked against X-Telegram-Bot-Api-Secret-Token on every webhook call. */
  webhookSecret: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/)
    .optional(),
  /** Where Telegram should deliver updates, registered with setWebhook at start. */
  webhookUrl: z.url().optional(),
  /** Short in-process retries for 429/5xx before the delivery queue takes over. */
  inlineRetries: z.number().int().min(0).default(1),
});
export type TelegramSettings = z.infer<typeof telegramSettingsSchema>;

/** Without an explicit secret, one is derived from the token, so webhooks are never accepted unchecked. */
export const effectiveWebhookSecret = (s: Pick<TelegramSettings, 'token' | 'webhookSecret'>): string =>
  s.webhookSecret ?? createHash('sha256').update(`webhook:${s.token}`).digest('hex');
