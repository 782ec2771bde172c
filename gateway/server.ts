import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Automations, createAutomations, WaitClocks } from '../automations';
import { createAgenda, drainJobs } from '../automations/jobs';
import { type Bot, createBot } from '../bot';
import { ExternalBot } from '../bot/external';
import { createInbox, type Inbox } from '../inbox';
import { defaultRetryPolicy } from '../inbox/outbox/policy';
import { OutboxWorker } from '../inbox/outbox/worker';
import type { Clock } from '../inbox/ports';
import { channelStateStore } from '../inbox/store/mongo/channel-state';
import type { Capabilities } from '../shared/channel-adapter';
import type { Channel } from '../shared/channels';
import type { Logger } from '../shared/logger';
import type { ChannelSender, InboundSink } from '../shared/messages';
import { createAlertMailer } from './alert-mailer';
import { BlobFiles } from './blob-files';
import { ChannelSessions } from './channel-sessions';
import { type ChannelOptions, createChannels } from './channels';
import type { Config } from './config';
import { type EmbeddedStore, startEmbeddedStore } from './embedded-store';
import { createHttpApp } from './http/app';
import { replyFilesOf } from './http/reply-files';
import { Tokens } from './http/tokens';
import { loadOrCreateSecret } from './jwt-secret';
import { attachLiveInbox, createLiveServer } from './live-inbox';
import { createMetrics } from './metrics';
import { watchStoreAnswers } from './store-activity';
import { openStore } from './store-timeouts';
import { unsubscribeLinks } from './unsubscribe-links';

export interface RunningGateway {
  port: number;
  url: string;
  inbox: Inbox;
  automations: Automations;
  bot: Bot;
  close(): Promise<void>;
}

/** Milliseconds in-flight requests and jobs get to finish on stop before connections are cut. */
const DRAIN_MS = 10_000;

/** The composition root: store, inbox, channels, jobs, HTTP and the live inbox, started in that order. */
export interface GatewayOptions {
  clock?: Clock;
  /** WhatsApp Web mode (WHATSAPP_MODE=web): the client to drive, and pacing and reconnect tuning. */
  whatsappWeb?: ChannelOptions['whatsappWeb'];
  /** Email reconnect and sync tuning. */
  email?: ChannelOptions['email'];
}

export async function startGateway(config: Config, log: Logger, options: GatewayOptions = {}): Promise<RunningGateway> {
  let embedded: EmbeddedStore | undefined;
  let uri = config.MONGODB_URI;
  if (!uri) {
    embedded = await startEmbeddedStore({ dataDir: config.DATA_DIR, database: 'inbox', log: (line) => log.info(line) });
    uri = embedded.uri;
    log.info({ store: embedded.kind, dataDir: embedded.dataDir, uri }, `embedded store: ${embedded.kind} with data in ${embedded.dataDir}`);
  }
  try {
    const connection = await openStore(uri, log);
    const storeActivity = watchStoreAnswers(connection);

    const blobs = new BlobFiles(path.resolve(config.DATA_DIR, 'blobs'));
    const channels = createChannels(config, log, {
      clock: options.clock,
      whatsappWeb: options.whatsappWeb,
      email: options.email,
      stores: { state: (channel) => channelStateStore(connection, channel), blobs },
    });
    const sessions = new ChannelSessions(channels, log);
    const senders = new Map<Channel, ChannelSender>();
    const capabilities = new Map<Channel, Capabilities>();
    for (const channel of channels) {
      // A receive-only channel that says why it cannot send is known to the inbox, so a reply is refused with that.
      if (channel.sender) senders.set(channel.name, channel.sender);
      if (channel.sender || channel.capabilities.repliesRefused) capabilities.set(channel.name, channel.capabilities);
    }

    // The express app is built once the inbox exists; Socket.io, attached first, must see the one request listener
    // it wraps (it answers its own paths and hands every other request on).
    let app: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
    const httpServer: Server = createServer((req, res) => {
      if (app) app(req, res);
      else res.writeHead(503).end();
    });
    const live = await createLiveServer(httpServer, config.REDIS_URL, log);
    const agenda = createAgenda({ connection, pollIntervalMs: config.JOBS_POLL_INTERVAL, log });
    const automationSettings = {
      escalationAfter: config.escalationAfter,
      maxSteps: config.ESCALATION_MAX_STEPS,
      slaFirstResponse: config.slaFirstResponse,
      slaWarnBefore: config.slaWarnBefore,
      businessHours: config.businessHours,
      supervisorEmails: config.SUPERVISOR_EMAILS ?? [],
      digestIntervalMs: config.ALERT_DIGEST_INTERVAL,
      // Due timers are checked at least every second (more often when the queue polls more often).
      tickIntervalMs: Math.min(1000, config.JOBS_POLL_INTERVAL),
      pipelineRepairIntervalMs: config.PIPELINE_REPAIR_INTERVAL,
      triggerSweepIntervalMs: config.TRIGGER_SWEEP_INTERVAL,
    };
    const clocks = new WaitClocks(automationSettings);
    const jwtSecret = config.JWT_SECRET ?? loadOrCreateSecret(config.DATA_DIR);
    // Set once the server listens: campaign mail's unsubscribe links name PUBLIC_URL, or this address without it.
    let ownUrl = config.PUBLIC_URL ?? `http://localhost:${config.PORT}`;
    const inbox = await createInbox({
      connection,
      presence: live.presence,
      retryPolicy: { ...defaultRetryPolicy, maxRetries: config.DELIVERY_MAX_RETRIES, baseDelayMs: config.DELIVERY_RETRY_BASE },
      senders,
      capabilities,
      slaTargets: config.slaFirstResponse,
      log,
      clock: options.clock,
      deadlines: clocks,
      replyFiles: replyFilesOf(blobs, config.EMAIL_MAX_SIZE_MB * 1024 * 1024),
      activeCustomerWindowMs: config.ACTIVE_CUSTOMER_WINDOW,
      unsubscribeLinks: unsubscribeLinks(jwtSecret, () => ownUrl),
      taskTimings: { reminderBeforeMs: config.TASK_REMINDER_BEFORE, escalateAfterMs: config.TASK_OVERDUE_ESCALATE_AFTER },
      repairAfter: { triggerFiringsMs: config.TRIGGER_REPAIR_AFTER, campaignRecipientsMs: config.CAMPAIGN_REPAIR_AFTER },
      passwordScryptN: config.PASSWORD_SCRYPT_N,
    });
    // Replies are delivered from the outbox (inbox/outbox/), no longer by jobs: those a build before left behind go.
    await agenda.cancel({ name: 'deliver-message' }).catch(() => 0);
    await inbox.delivery.adoptQueued(new Date());
    const outbox = new OutboxWorker(inbox.delivery, { pollMs: config.JOBS_POLL_INTERVAL, concurrency: 20 }, log);
    const mailer = config.SMTP_URL && config.SUPERVISOR_EMAILS?.length ? createAlertMailer(config.SMTP_URL, config.EMAIL_FROM) : undefined;
    const webhook = config.BOT_WEBHOOK_URL;
    const bot = createBot({
      inbox,
      calendar: { isOpen: (channel, at) => clocks.calendar(channel).isOpen(at) },
      log,
      ...(webhook
        ? {
            external: (chatbot) =>
              new ExternalBot(
                chatbot,
                { url: webhook, secret: config.BOT_WEBHOOK_SECRET ?? '', timeoutMs: config.BOT_WEBHOOK_TIMEOUT },
                log,
              ),
          }
        : {}),
    });
    const automations = createAutomations({
      agenda,
      inbox,
      clocks,
      settings: automationSettings,
      mailer,
      log,
      botRepair: { run: bot.repair, afterMs: config.BOT_REPAIR_AFTER },
    });

    const tokens = new Tokens(jwtSecret, {
      ttlMs: config.TOKEN_TTL,
      sessionMaxAgeMs: config.SESSION_MAX_AGE,
    });
    if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
      if (await inbox.agents.ensureAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD))
        log.info({ email: config.ADMIN_EMAIL }, 'first admin created');
    } else if (config.NODE_ENV === 'development') {
      // A newcomer's first `npm start` should end in a working sign-in, not a locked door.
      const password = randomBytes(9).toString('base64url');
      if (await inbox.agents.ensureAdmin('admin@localhost', password)) {
        log.warn(`no admin yet: created admin@localhost with password ${password} (set ADMIN_EMAIL and ADMIN_PASSWORD to choose your own)`);
      }
    }

    if (config.NODE_ENV === 'production' && !config.METRICS_TOKEN) {
      log.warn('GET /metrics is open to whoever reaches this port: set METRICS_TOKEN, or keep the port private');
    }
    let draining = false;
    const sink: InboundSink = async (event) => {
      await inbox.ingest.handle(event);
    };
    app = createHttpApp({
      inbox,
      tokens,
      channels,
      sessions,
      sink,
      metrics: createMetrics(inbox),
      bodyLimit: config.BODY_LIMIT,
      storeAlive: async () => {
        try {
          await connection.db?.admin().ping();
          return true;
        } catch {
          return false;
        }
      },
      storeActivity,
      draining: () => draining,
      log,
      agenda,
      blobs,
      trustProxy: config.TRUST_PROXY,
      metricsToken: config.METRICS_TOKEN,
      loginAttemptsPerAddress: config.LOGIN_ATTEMPTS_PER_ADDRESS,
      clock: options.clock,
      uploadMaxBytes: config.EMAIL_MAX_SIZE_MB * 1024 * 1024,
      bot,
      botApiKey: config.BOT_API_KEY,
    });
    attachLiveInbox(live.io, inbox, tokens, log, sessions);

    await agenda.start();
    await automations.schedule();
    outbox.start();
    for (const channel of channels) await channel.start?.(sink);
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.PORT, () => resolve());
    });
    const port = (httpServer.address() as AddressInfo).port;
    if (!config.PUBLIC_URL) ownUrl = `http://localhost:${port}`;
    log.info({ port, channels: channels.map((c) => c.name) }, `gateway listening on http://localhost:${port}`);

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        draining = true;
        for (const channel of channels) await channel.stop?.().catch((err: unknown) => log.error({ err }, 'channel stop failed'));
        // Stop taking connections; requests already in flight finish (up to DRAIN_MS).
        const httpClosed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        // Sockets end now (managers' pages reconnect to another instance); idle keep-alive connections too.
        await live.io.close().catch(() => undefined);
        httpServer.closeIdleConnections();
        const cut = setTimeout(() => httpServer.closeAllConnections(), DRAIN_MS);
        await httpClosed;
        clearTimeout(cut);
        await automations.stop();
        await Promise.all([
          outbox.stop(DRAIN_MS),
          drainJobs(agenda, connection, DRAIN_MS).catch((err: unknown) => log.error({ err }, 'jobs did not drain')),
          // The leads' follow-up of what the inbox did last: done now rather than left to the next reader's repair.
          inbox.pipeline.settled(),
        ]);
        await live.closeAdapters().catch(() => undefined);
        mailer?.close();
        await connection.close();
        await embedded?.stop();
        log.info('gateway stopped');
      })();
      return closing;
    };
    return { port, url: `http://127.0.0.1:${port}`, inbox, automations, bot, close };
  } catch (e) {
    // Nothing half-started stays behind: the embedded store is this process's child.
    await embedded?.stop();
    throw e;
  }
}
