import { z } from 'zod';

export const whatsappWebSettingsSchema = z.object({
  /** The browser whatsapp-web.js drives (Debian: /usr/bin/chromium); puppeteer never downloads one. */
  chromiumPath: z.string().min(1),
  /** `<DATA_DIR>/whatsapp-web`: the linked device's browser profile, kept across restarts. */
  sessionDir: z.string().min(1),
  /** Replies to one chat are at least this far apart (a burst of replies to one person looks like a bot). */
  perChatIntervalMs: z.number().int().min(0).default(1_000),
  /** Replies across all chats are at least this far apart: about 4 a second at most. */
  globalIntervalMs: z.number().int().min(0).default(250),
  /** A reply that finds the session not ready waits this long for it before the delivery queue retries later. */
  readyWaitMs: z.number().int().min(0).default(10_000),
  /** Reconnects after a disconnect or a failed start: the first after this long, doubling up to `reconnectMaxMs`. */
  reconnectBaseMs: z.number().int().positive().default(5_000),
  reconnectMaxMs: z
    .number()
    .int()
    .positive()
    .default(5 * 60_000),
  /** After a logout the library loads a new QR by itself; if none arrives within this long, the client is rebuilt. */
  logoutGraceMs: z.number().int().positive().default(60_000),
  /** After `ready`, unread messages of up to this many chats, this many per chat, this recent, are caught up. */
  catchUpChats: z.number().int().min(0).default(50),
  catchUpPerChat: z.number().int().min(0).default(20),
  catchUpMaxAgeMs: z
    .number()
    .int()
    .positive()
    .default(3 * 24 * 3600_000),
});
export type WhatsAppWebSettings = z.infer<typeof whatsappWebSettingsSchema>;
export type WhatsAppWebSettingsInput = z.input<typeof whatsappWebSettingsSchema>;
