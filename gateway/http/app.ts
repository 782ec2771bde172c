import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Agenda } from 'agenda';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Registry } from 'prom-client';
import type { Bot } from '../../bot';
import type { Inbox } from '../../inbox';
import type { Clock } from '../../inbox/ports';
import type { ChannelAdapter } from '../../shared/channel-adapter';
import type { Logger } from '../../shared/logger';
import type { InboundSink } from '../../shared/messages';
import type { BlobFiles } from '../blob-files';
import type { ChannelSessions } from '../channel-sessions';
import { type StoreActivity, storeTimeouts, withDeadline } from '../store-timeouts';
import { adminApi } from './admin-api';
import { attachmentsRouter } from './attachments';
import { botApi } from './bot-api';
import { campaignsApi } from './campaigns-api';
import { channelsApi } from './channels-api';
import { contactsApi } from './contacts-api';
import { conversationActionsRouter } from './conversation-actions';
import { customersApi } from './customers-api';
import { dashboardApi } from './dashboard-api';
import { readDeadline } from './deadline';
import { errorHandler, notFound } from './errors';
import { jobsDashboard } from './jobs-dashboard';
import { lossReasonsRouter } from './loss-reasons';
import { managersApi } from './managers-api';
import { metricsGuard } from './metrics-guard';
import { notesApi } from './notes-api';
import { pipelineApi } from './pipeline-api';
import { replyFilesRouter } from './reply-files';
import { savedRepliesApi } from './saved-replies-api';
import { tasksApi } from './tasks-api';
import type { Tokens } from './tokens';
import { triggersApi } from './triggers-api';
import { unsubscribeRouter } from './unsubscribe';
import { webhooksRouter } from './webhooks';

/** The managers' app as `npm run build` leaves it (npm start and npm test build it first). */
const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'inbox', 'web', 'dist');
const pageHeaders = (res: express.Response) => {
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
};

const DEFAULT_UPLOAD_MAX_BYTES = 25 * 1024 * 1024;

export interface HttpAppOptions {
  inbox: Inbox;
  tokens: Tokens;
  channels: readonly ChannelAdapter[];
  sessions?: ChannelSessions;
  sink: InboundSink;
  metrics: Registry;
  bodyLimit: string;
  storeAlive: () => Promise<boolean>;
  /** What the store is doing (watchStoreAnswers); requests wait past their deadline while it is at work. */
  storeActivity?: StoreActivity;
  draining: () => boolean;
  log: Logger;
  /** The job queue, shown to admins by Agendash at /admin/jobs. */
  agenda?: Agenda;
  /** Files customers sent (email attachments), served to signed-in managers at /api/attachments/:id. */
  blobs?: BlobFiles;
  /** TRUST_PROXY: the hops allowed to name the client in X-Forwarded-For; none by default. */
  trustProxy?: false | number | string[];
  /** METRICS_TOKEN: the bearer GET /metrics needs; open without it. */
  metricsToken?: string;
  clock?: Clock;
  /** LOGIN_ATTEMPTS_PER_ADDRESS. */
  loginAttemptsPerAddress?: number;
  /** Largest file a manager may upload to send with a reply (EMAIL_MAX_SIZE_MB). */
  uploadMaxBytes?: number;
  /** The chatbot: its flows, take-over and figures under /api. */
  bot?: Bot;
  /** BOT_API_KEY: the bearer of the external bot's answers (POST /api/bot/messages); the route is off without it. */
  botApiKey?: string;
}

export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  // On every answer, webhooks and errors included. The CSP stays the page's own (below): JSON needs none, and the
  // jobs dashboard brings its own scripts.
  app.use(
    helmet({
      contentSecurityPolicy: false,
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );

  // The store's ping gets healthDeadlineMs: a store that does not answer is "unreachable" at once, not after the
  // driver's own timeouts, so probes and load balancers are answered within a second.
  app.get('/healthz', async (_req, res) => {
    const noAnswer = () => new Error(`the store did not answer its ping within ${storeTimeouts.healthDeadlineMs} ms`);
    const reachable = await withDeadline(options.storeAlive(), storeTimeouts.healthDeadlineMs, noAnswer).catch(() => false);
    const stopping = options.draining();
    const ok = reachable && !stopping;
    res.setHeader('Cache-Control', 'no-store');
    res.status(ok ? 200 : 503).json({
      status: ok ? 'ok' : 'unavailable',
      store: reachable ? 'ok' : 'unreachable',
      ...(stopping ? { stopping: true } : {}),
    });
  });
  app.get('/metrics', metricsGuard(options.metricsToken), async (_req, res) => {
    res.type(options.metrics.contentType).send(await options.metrics.metrics());
  });
  app.use('/webhooks', webhooksRouter(options));
  app.use('/unsubscribe', unsubscribeRouter(options.inbox));
  // The managers' app: built files only, no inline script or style, talking only to this origin. Hashed assets are
  // kept for a year; the page itself is asked for again each time, so a deploy is picked up on the next load.
  app.use(
    express.static(webDir, {
      index: 'index.html',
      setHeaders: (res, file) => {
        pageHeaders(res);
        res.setHeader('Cache-Control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  app.get('/', (_req, res) => {
    if (existsSync(path.join(webDir, 'index.html')))
      return void res.sendFile(path.join(webDir, 'index.html'), { headers: { 'Cache-Control': 'no-cache' } });
    res
      .status(503)
      .type('text/plain')
      .send('The managers’ app is not built yet: run `npm run build` (npm start and npm test do it by themselves).\n');
  });
  // Reads under /api get the managers' read deadline; the response-time reports do not: on the embedded store at
  // scale a month of them takes seconds on a healthy store (README, Benchmark).
  const isReport = (path: string) => path.startsWith('/metrics/');
  app.use('/api', channelsApi(options.tokens, options.inbox, options.channels));
  if (options.blobs) {
    app.use('/api/attachments', attachmentsRouter(options.blobs, options.tokens, options.inbox.agents));
    app.use(
      '/api',
      replyFilesRouter(options.blobs, options.tokens, options.inbox, options.channels, options.uploadMaxBytes ?? DEFAULT_UPLOAD_MAX_BYTES),
    );
  }
  app.use('/api/loss-reasons', lossReasonsRouter(options.inbox, options.tokens, options.bodyLimit));
  app.use('/api', conversationActionsRouter(options.inbox, options.tokens, options.bodyLimit));
  if (options.bot) app.use('/api', botApi({ ...options, bot: options.bot }));
  app.use(
    '/api/saved-replies',
    readDeadline({ deadlineMs: storeTimeouts.apiReadDeadlineMs, store: options.storeActivity }),
    savedRepliesApi(options),
  );
  app.use('/api/tasks', readDeadline({ deadlineMs: storeTimeouts.apiReadDeadlineMs, store: options.storeActivity }), tasksApi(options));
  app.use('/api/triggers', triggersApi(options));
  app.use('/api/contacts', contactsApi(options));
  app.use('/api', notesApi(options));
  app.use('/api', pipelineApi(options));
  app.use('/api', adminApi(options));
  app.use('/api', dashboardApi(options));
  app.use('/api', customersApi(options));
  app.use('/api/campaigns', campaignsApi(options));
  app.use(
    '/api',
    readDeadline({ deadlineMs: storeTimeouts.apiReadDeadlineMs, store: options.storeActivity }, isReport),
    managersApi(options),
  );
  if (options.agenda) app.use('/admin/jobs', jobsDashboard(options.agenda, options.tokens, options.inbox.agents, '/admin/jobs'));
  app.use(notFound);
  app.use(errorHandler(options.log));
  return app;
}
