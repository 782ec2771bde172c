import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Agenda } from 'agenda';
import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { Inbox } from '../../inbox';
import type { ChannelAdapter } from '../../shared/channel-adapter';
import type { Logger } from '../../shared/logger';
import type { InboundSink } from '../../shared/messages';
import type { ChannelSessions } from '../channel-sessions';
import { errorHandler, notFound } from './errors';
import { jobsDashboard } from './jobs-dashboard';
import { managersApi } from './managers-api';
import type { Tokens } from './tokens';
import { webhooksRouter } from './webhooks';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'web');

export interface HttpAppOptions {
  inbox: Inbox;
  tokens: Tokens;
  channels: readonly ChannelAdapter[];
  sessions?: ChannelSessions;
  sink: InboundSink;
  metrics: Registry;
  bodyLimit: string;
  storeAlive: () => Promise<boolean>;
  draining: () => boolean;
  log: Logger;
  /** The job queue, shown to admins by Agendash at /admin/jobs. */
  agenda?: Agenda;
}

export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.get('/healthz', async (_req, res) => {
    const alive = !options.draining() && (await options.storeAlive());
    res.status(alive ? 200 : 503).json({ status: alive ? 'ok' : 'unavailable' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(options.metrics.contentType).send(await options.metrics.metrics());
  });
  app.use('/webhooks', webhooksRouter(options));
  // The managers' page: static files, no inline script, talking only to this origin.
  app.use(
    express.static(webDir, {
      setHeaders: (res) => {
        res.setHeader('Content-Security-Policy', "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:");
        res.setHeader('X-Content-Type-Options', 'nosniff');
      },
    }),
  );
  app.use('/api', managersApi(options));
  if (options.agenda) app.use('/admin/jobs', jobsDashboard(options.agenda, options.tokens, options.inbox.agents, '/admin/jobs'));
  app.use(notFound);
  app.use(errorHandler(options.log));
  return app;
}
