import { z } from 'zod';

/** `imap[s]://user:pass@host[:port][/Mailbox]`: where the support mailbox is read. */
const imapUrlSchema = z
  .string()
  .regex(/^imaps?:\/\//)
  .transform((text, ctx) => {
    const url = new URL(text);
    const user = decodeURIComponent(url.username);
    if (!user || !url.password) {
      ctx.addIssue({ code: 'custom', message: 'must name the user and password: imaps://user:pass@host:993/INBOX' });
      return z.NEVER;
    }
    const secure = url.protocol === 'imaps:';
    return {
      host: url.hostname,
      port: url.port ? Number(url.port) : secure ? 993 : 143,
      secure,
      user,
      pass: decodeURIComponent(url.password),
      mailbox: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'INBOX',
    };
  });
export type ImapTarget = z.output<typeof imapUrlSchema>;

/** `Support <help@shop.example>` or a bare address. */
export const mailboxAddressSchema = z.string().transform((text, ctx) => {
  const match = /^\s*(?:"?([^"<]*?)"?\s*)?<([^<>\s]+@[^<>\s]+)>\s*$/.exec(text) ?? /^\s*()([^<>\s]+@[^<>\s]+)\s*$/.exec(text);
  const address = match?.[2];
  if (!address) {
    ctx.addIssue({ code: 'custom', message: 'must be an address such as "Support <help@shop.example>"' });
    return z.NEVER;
  }
  return { name: match?.[1]?.trim() || undefined, address: address.toLowerCase() };
});
export type MailboxAddress = z.output<typeof mailboxAddressSchema>;

export const emailSettingsSchema = z.object({
  /** The support address (EMAIL_FROM): replies come from it, and only mail to it is taken. */
  from: mailboxAddressSchema,
  /** Replies go out here (SMTP_URL); without it the channel only receives. */
  smtpUrl: z
    .string()
    .regex(/^smtps?:\/\//)
    .optional(),
  imap: imapUrlSchema.optional(),
  /** The gateway's own SMTP listener for mail routed straight to it (INBOUND_SMTP_PORT). */
  inboundSmtpPort: z.number().int().min(0).max(65535).optional(),
  inboundSmtpHost: z.string().default('0.0.0.0'),
  /** The first start (or a mailbox whose UIDVALIDITY changed) takes mail this recent, never the whole archive. */
  firstSyncMs: z
    .number()
    .int()
    .positive()
    .default(3 * 24 * 60 * 60_000),
  /** Larger mail is refused (SMTP 552) or, read over IMAP, stored without its attachments. */
  maxMessageBytes: z
    .number()
    .int()
    .positive()
    .default(25 * 1024 * 1024),
  /** Reconnect backoff after the IMAP connection drops: doubles from the first to the cap. */
  reconnectMinMs: z.number().int().positive().default(1000),
  reconnectMaxMs: z
    .number()
    .int()
    .positive()
    .default(5 * 60_000),
  /** A full check of the mailbox even without IDLE news, in case a notification was lost. */
  safetySyncMs: z
    .number()
    .int()
    .positive()
    .default(5 * 60_000),
  /** How often a server without IDLE is asked for news (NOOP). */
  noIdlePollMs: z.number().int().positive().default(15_000),
});
export type EmailSettingsInput = z.input<typeof emailSettingsSchema>;
export type EmailSettings = z.output<typeof emailSettingsSchema>;
