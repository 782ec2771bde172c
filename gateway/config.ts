import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { BusinessHoursError, parseBusinessHours } from '../automations/business-hours';
import { mailboxAddressSchema } from '../channels/email/settings';
import { HAND_OVER_GRACE_MS } from '../inbox/replies';
import { type Channel, channelNames } from '../shared/channels';
import { durationSchema } from '../shared/duration';

/**
 * Every setting of the gateway, read from the environment once at start and validated. Nothing else reads
 * process.env: the parsed object is handed to whoever needs a setting.
 */
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const url = z.url({ message: 'must be a URL' });
const optionalUrl = optionalText.pipe(url.optional());
const duration = optionalText.pipe(durationSchema.optional());
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
const port = wholeNumber(0, 65535);

const businessHoursPattern =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)(-(Mon|Tue|Wed|Thu|Fri|Sat|Sun))?(,(Mon|Tue|Wed|Thu|Fri|Sat|Sun)(-(Mon|Tue|Wed|Thu|Fri|Sat|Sun))?)* ([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d \S+$/;
const businessHours = optionalText
  .refine((v) => v === undefined || businessHoursPattern.test(v), {
    message: 'must look like "Mon-Fri 09:00-18:00 Europe/Kyiv"',
  })
  .superRefine((v, ctx) => {
    if (v === undefined || !businessHoursPattern.test(v)) return;
    try {
      parseBusinessHours(v);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: e instanceof BusinessHoursError ? e.message : String(e) });
    }
  });

const proxyNames = new Set(['loopback', 'linklocal', 'uniquelocal']);
const isProxyAddress = (entry: string) => {
  const [address = '', prefix, ...more] = entry.split('/');
  const family = isIP(address);
  if (proxyNames.has(entry)) return true;
  if (family === 0 || more.length > 0) return false;
  return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
};
/** Express's `trust proxy`: false, a hop count, or the proxies' addresses. */
const trustProxy = z
  .string()
  .optional()
  .transform((v, ctx): false | number | string[] => {
    if (v === undefined || v === 'false') return false;
    if (/^\d+$/.test(v)) return Number(v);
    const entries = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = entries.filter((e) => !isProxyAddress(e));
    if (bad.length > 0 || entries.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: `must be false, a number of hops, or addresses/subnets (10.0.0.0/8, loopback); not ${bad.join(', ') || 'empty'}`,
      });
      return z.NEVER;
    }
    return entries;
  });

/** The browser WhatsApp Web mode uses when CHROMIUM_PATH is unset: Debian's chromium package. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

const baseSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    PORT: optionalText.pipe(port.default(3000)),
    PUBLIC_URL: optionalUrl,
    MONGODB_URI: optionalText.pipe(
      z
        .string()
        .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb://')
        .optional(),
    ),
    DATA_DIR: optionalText.pipe(z.string().default('./.data')),
    REDIS_URL: optionalText.pipe(
      z
        .string()
        .regex(/^rediss?:\/\//, 'must start with redis://')
        .optional(),
    ),
    JWT_SECRET: optionalText.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    ADMIN_EMAIL: optionalText.pipe(z.email({ message: 'must be an email address' }).optional()),
    ADMIN_PASSWORD: optionalText.pipe(z.string().min(8, 'must be at least 8 characters').optional()),
    TELEGRAM_BOT_TOKEN: optionalText.pipe(
      z
        .string()
        .regex(/^\d+:[\w-]+$/, 'must look like 123456:ABC-def')
        .optional(),
    ),
    TELEGRAM_WEBHOOK_SECRET: optionalText.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be 1-256 characters of A-Z a-z 0-9 _ -')
        .optional(),
    ),
    TELEGRAM_MODE: optionalText.pipe(z.enum(['webhook', 'polling']).optional()),
    TELEGRAM_API_ROOT: optionalText.pipe(url.default('https://api.telegram.org')),
    VIBER_AUTH_TOKEN: optionalText,
    VIBER_BOT_NAME: optionalText.pipe(z.string().max(28, 'must be at most 28 characters (Viber shows it as the sender)').optional()),
    VIBER_API_URL: optionalText.pipe(url.default('https://chatapi.viber.com/pa')),
    VIBER_WELCOME_TEXT: optionalText.pipe(z.string().max(7000, 'must be at most 7000 characters').optional()),
    WHATSAPP_MODE: optionalText.pipe(z.enum(['cloud', 'web']).optional()),
    WHATSAPP_TOKEN: optionalText,
    WHATSAPP_PHONE_NUMBER_ID: optionalText.pipe(
      z.string().regex(/^\d+$/, 'must be the numeric phone number id from the WhatsApp API setup page, not the phone number').optional(),
    ),
    WHATSAPP_APP_SECRET: optionalText,
    WHATSAPP_VERIFY_TOKEN: optionalText,
    WHATSAPP_BUSINESS_ACCOUNT_ID: optionalText.pipe(
      z.string().regex(/^\d+$/, 'must be the numeric WhatsApp Business Account id from the WhatsApp API setup page').optional(),
    ),
    CHROMIUM_PATH: optionalText,
    INSTAGRAM_ACCESS_TOKEN: optionalText,
    INSTAGRAM_ACCOUNT_ID: optionalText.pipe(
      z.string().regex(/^\d+$/, 'must be the numeric Instagram professional account id (or Facebook Page id)').optional(),
    ),
    INSTAGRAM_APP_SECRET: optionalText,
    INSTAGRAM_VERIFY_TOKEN: optionalText,
    META_GRAPH_URL: optionalText.pipe(url.default('https://graph.facebook.com/v21.0')),
    /** Instagram's own Graph base when it differs (Instagram Login: https://graph.instagram.com/v21.0); else META_GRAPH_URL. */
    INSTAGRAM_GRAPH_URL: optionalUrl,
    SMTP_URL: optionalText.pipe(
      z
        .string()
        .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
        .optional(),
    ),
    EMAIL_FROM: optionalText,
    IMAP_URL: optionalText.pipe(
      z
        .string()
        .regex(/^imaps?:\/\//, 'must start with imap:// or imaps://')
        .optional(),
    ),
    INBOUND_SMTP_PORT: optionalText.pipe(port.optional()),
    /** The inbound SMTP listener's interface (all by default; 127.0.0.1 behind a local relay). */
    INBOUND_SMTP_HOST: optionalText.pipe(z.string().default('0.0.0.0')),
    /** The first start (or a renumbered mailbox) takes IMAP mail this recent, never the whole archive. */
    IMAP_FIRST_SYNC: optionalText.pipe(durationSchema.default(3 * 24 * 60 * 60_000)),
    /** Largest mail taken whole, in MB: SMTP refuses larger ones; over IMAP they keep their text, not attachments. */
    EMAIL_MAX_SIZE_MB: optionalText.pipe(wholeNumber(1, 200).default(25)),
    API_CHANNEL_KEY: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    API_CHANNEL_CALLBACK_URL: optionalUrl,
    /** An external bot instead of the built-in flows: customers' messages are POSTed here, signed with BOT_WEBHOOK_SECRET. */
    BOT_WEBHOOK_URL: optionalUrl,
    BOT_WEBHOOK_SECRET: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    BOT_WEBHOOK_TIMEOUT: optionalText.pipe(durationSchema.default(3000)),
    /** A bot answer owed this long is given by the repair pass (its process died, or its first try failed). */
    BOT_REPAIR_AFTER: optionalText.pipe(durationSchema.default(30_000)),
    /** The bearer the external bot posts its answers with (POST /api/bot/messages). */
    BOT_API_KEY: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    ESCALATION_AFTER: duration,
    ESCALATION_MAX_STEPS: optionalText.pipe(wholeNumber(0, 50).default(3)),
    SLA_FIRST_RESPONSE: duration,
    SLA_WARN_BEFORE: duration,
    BUSINESS_HOURS: businessHours,
    /** A task's reminder goes to its assignee this long before it is due (0: none). */
    TASK_REMINDER_BEFORE: optionalText.pipe(durationSchema.default(15 * 60_000)),
    /** A task still not done this long after it was due is the supervisors' to hear of. */
    TASK_OVERDUE_ESCALATE_AFTER: optionalText.pipe(durationSchema.default(60 * 60_000)),
    SUPERVISOR_EMAILS: optionalText.pipe(
      z
        .string()
        .transform((v) =>
          v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        )
        .pipe(z.array(z.email({ message: 'must be comma-separated email addresses' })))
        .optional(),
    ),
    /** How often the pipeline's repair pass stores the stage moves a stopped process left on their leads. */
    PIPELINE_REPAIR_INTERVAL: optionalText.pipe(durationSchema.default(60_000)),
    /** How often the timed triggers sweep, reading back the stage moves whose triggers did not fire live. */
    TRIGGER_SWEEP_INTERVAL: optionalText.pipe(durationSchema.default(60_000)),
    /**
     * A trigger firing left pending this long is finished by the tasks' pass; a stored stage move this old is read
     * back by the sweep: the live path had this long, so what is still undone lost its process.
     */
    TRIGGER_REPAIR_AFTER: optionalText.pipe(durationSchema.default(60_000)),
    /** A campaign recipient held this long by a pass whose process died is taken up by the next pass. */
    CAMPAIGN_REPAIR_AFTER: optionalText.pipe(durationSchema.default(30_000)),
    /** At most one alert digest email per this interval (a burst of alerts becomes one mail). */
    ALERT_DIGEST_INTERVAL: optionalText.pipe(durationSchema.default(60_000)),
    /** How often the job queue polls the store; lower means snappier timers at the cost of more queries. */
    JOBS_POLL_INTERVAL: optionalText.pipe(durationSchema.default(1000)),
    /** Retries of a failed reply delivery before it is marked failed, and the first backoff (doubling after). */
    DELIVERY_MAX_RETRIES: optionalText.pipe(wholeNumber(0, 30).default(6)),
    DELIVERY_RETRY_BASE: optionalText.pipe(durationSchema.default(2000)),
    /** A customer who wrote within this long before a moment counts as active at it (churn, README: Customers over time). */
    ACTIVE_CUSTOMER_WINDOW: optionalText.pipe(durationSchema.default(30 * 24 * 60 * 60_000)),
    /** Largest webhook or API body accepted. */
    BODY_LIMIT: optionalText.pipe(z.string().default('1mb')),
    /**
     * Which hops in front of the gateway may name the client in X-Forwarded-For: unset or `false` trusts none (the
     * socket's peer is the client), a whole number trusts that many hops, or a comma-separated list of addresses,
     * subnets and the names `loopback`, `linklocal`, `uniquelocal`.
     */
    TRUST_PROXY: optionalText.pipe(trustProxy),
    /** Failed sign-ins one client address may make in 15 minutes, whatever the identities (an office behind NAT counts as one). */
    LOGIN_ATTEMPTS_PER_ADDRESS: optionalText.pipe(wholeNumber(5, 10_000).default(50)),
    /**
     * The scrypt cost (N) new passwords are hashed at: a power of two, OWASP's 2^17 by default (about 0.4 s of one
     * core and 128 MiB per hash). Lower it only where that cost matters more than guessing, as the test suites do;
     * a hash keeps its own cost, so existing passwords verify whatever the setting.
     */
    PASSWORD_SCRYPT_N: optionalText.pipe(
      wholeNumber(1024, 2 ** 18)
        .refine((n) => Number.isInteger(Math.log2(n)), 'must be a power of two')
        .default(2 ** 17),
    ),
    /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`; unset leaves it open. */
    METRICS_TOKEN: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    /** How long a managers' token lasts; POST /api/auth/refresh trades a live one for a fresh one. */
    TOKEN_TTL: optionalText.pipe(durationSchema.default(12 * 60 * 60_000)),
    /** Refreshes stop this long after the password was given: then the manager signs in again. */
    SESSION_MAX_AGE: optionalText.pipe(durationSchema.default(7 * 24 * 60 * 60_000)),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required when NODE_ENV=production' });
    }
    const requireAll = (names: readonly (keyof typeof env)[], when: string) => {
      for (const name of names) {
        if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: `is required when ${when}` });
      }
    };
    if (env.WHATSAPP_MODE === 'cloud') {
      requireAll(['WHATSAPP_TOKEN', 'WHATSAPP_PHONE_NUMBER_ID', 'WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN'], 'WHATSAPP_MODE=cloud');
    }
    if (env.WHATSAPP_MODE === 'web') {
      if (env.CHROMIUM_PATH && !existsSync(env.CHROMIUM_PATH)) {
        ctx.addIssue({
          code: 'custom',
          path: ['CHROMIUM_PATH'],
          message: `no browser at ${env.CHROMIUM_PATH} (Debian: apt-get install chromium)`,
        });
      } else if (!env.CHROMIUM_PATH && !existsSync(DEFAULT_CHROMIUM)) {
        ctx.addIssue({
          code: 'custom',
          path: ['CHROMIUM_PATH'],
          message: `is required when WHATSAPP_MODE=web (no browser at ${DEFAULT_CHROMIUM}; Debian: apt-get install chromium)`,
        });
      }
    }
    if (env.INSTAGRAM_ACCESS_TOKEN) {
      requireAll(['INSTAGRAM_ACCOUNT_ID', 'INSTAGRAM_APP_SECRET', 'INSTAGRAM_VERIFY_TOKEN'], 'INSTAGRAM_ACCESS_TOKEN is set');
    }
    if (env.IMAP_URL || env.INBOUND_SMTP_PORT !== undefined) {
      requireAll(['EMAIL_FROM'], env.IMAP_URL ? 'IMAP_URL is set' : 'INBOUND_SMTP_PORT is set');
    }
    if (env.EMAIL_FROM && !mailboxAddressSchema.safeParse(env.EMAIL_FROM).success) {
      ctx.addIssue({ code: 'custom', path: ['EMAIL_FROM'], message: 'must be an address such as "Support <help@shop.example>"' });
    }
    if (env.IMAP_URL) {
      const url = URL.canParse(env.IMAP_URL) ? new URL(env.IMAP_URL) : undefined;
      if (!url?.username || !url.password) {
        ctx.addIssue({ code: 'custom', path: ['IMAP_URL'], message: 'must name the user and password: imaps://user:pass@host:993/INBOX' });
      }
    }
    if (env.ACTIVE_CUSTOMER_WINDOW < 24 * 60 * 60_000) {
      // Activity is kept per Kyiv day (its first and latest time), exact for windows of a day or more.
      ctx.addIssue({ code: 'custom', path: ['ACTIVE_CUSTOMER_WINDOW'], message: 'must be at least 1d' });
    }
    if (env.CAMPAIGN_REPAIR_AFTER >= HAND_OVER_GRACE_MS) {
      // A queued message not handed over within its grace is failed: the pass must take its recipient up before then.
      ctx.addIssue({ code: 'custom', path: ['CAMPAIGN_REPAIR_AFTER'], message: 'must be under 1m' });
    }
    if (env.SESSION_MAX_AGE < env.TOKEN_TTL) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_MAX_AGE'], message: 'must be at least TOKEN_TTL' });
    }
    if (env.VIBER_AUTH_TOKEN) {
      requireAll(['VIBER_BOT_NAME'], 'VIBER_AUTH_TOKEN is set');
    }
  });

const defaultSla: Record<Channel, number> = {
  telegram: 5 * 60_000,
  viber: 5 * 60_000,
  whatsapp: 5 * 60_000,
  api: 5 * 60_000,
  instagram: 60 * 60_000,
  email: 4 * 60 * 60_000,
};

export interface PerChannel<T> {
  default: T;
  byChannel: Partial<Record<Channel, T>>;
}

export type Config = z.infer<typeof baseSchema> & {
  telegramMode: 'webhook' | 'polling';
  /** CHROMIUM_PATH, or Debian's chromium when that is installed. */
  chromiumPath: string | undefined;
  escalationAfter: PerChannel<number>;
  slaFirstResponse: Record<Channel, number>;
  slaWarnBefore: Record<Channel, number>;
  businessHours: PerChannel<string | undefined>;
};

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`invalid setting ${setting}: ${message}`);
    this.name = 'ConfigError';
  }
}

function perChannel<T>(env: NodeJS.ProcessEnv, base: string, parse: (raw: string, name: string) => T): Partial<Record<Channel, T>> {
  const out: Partial<Record<Channel, T>> = {};
  for (const channel of channelNames) {
    const name = `${base}_${channel.toUpperCase()}`;
    const raw = env[name];
    if (raw !== undefined && raw.trim() !== '') out[channel] = parse(raw, name);
  }
  return out;
}

/** Parses the environment; throws a ConfigError naming the first invalid setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = baseSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const setting = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(setting, issue?.message ?? 'invalid');
  }
  const cfg = parsed.data;
  const parseDurationSetting = (raw: string, name: string): number => {
    const r = durationSchema.safeParse(raw);
    if (!r.success) throw new ConfigError(name, r.error.issues[0]?.message ?? 'invalid duration');
    return r.data;
  };
  const parseHours = (raw: string, name: string): string => {
    const r = businessHours.safeParse(raw);
    if (!r.success || !r.data) throw new ConfigError(name, r.success ? 'is empty' : (r.error.issues[0]?.message ?? ''));
    return r.data;
  };

  const slaOverrides = perChannel(env, 'SLA_FIRST_RESPONSE', parseDurationSetting);
  const slaFirstResponse = Object.fromEntries(
    channelNames.map((c) => [c, slaOverrides[c] ?? cfg.SLA_FIRST_RESPONSE ?? defaultSla[c]]),
  ) as Record<Channel, number>;
  const slaWarnBefore = Object.fromEntries(
    channelNames.map((c) => [c, cfg.SLA_WARN_BEFORE ?? Math.round(slaFirstResponse[c] * 0.2)]),
  ) as Record<Channel, number>;

  return {
    ...cfg,
    telegramMode: cfg.TELEGRAM_MODE ?? (cfg.PUBLIC_URL ? 'webhook' : 'polling'),
    chromiumPath: cfg.CHROMIUM_PATH ?? (existsSync(DEFAULT_CHROMIUM) ? DEFAULT_CHROMIUM : undefined),
    escalationAfter: {
      default: cfg.ESCALATION_AFTER ?? 10 * 60_000,
      byChannel: perChannel(env, 'ESCALATION_AFTER', parseDurationSetting),
    },
    slaFirstResponse,
    slaWarnBefore,
    businessHours: { default: cfg.BUSINESS_HOURS, byChannel: perChannel(env, 'BUSINESS_HOURS', parseHours) },
  };
}
