import express, { type Router } from 'express';
import type { ChannelAdapter, WebhookRequest } from '../../shared/channel-adapter';
import { AppError, ErrorCode } from '../../shared/errors';
import type { InboundSink } from '../../shared/messages';

export interface WebhookOptions {
  channels: readonly ChannelAdapter[];
  sink: InboundSink;
  bodyLimit: string;
  /** True once the gateway is stopping: new webhooks get 503 so the platform redelivers them elsewhere or later. */
  draining: () => boolean;
}

/**
 * `/webhooks/<channel>` for every channel with a webhook. Bodies arrive raw (signatures are computed over the exact
 * bytes); the channel checks, parses and decodes; the answer goes out only after the sink stored everything.
 */
export function webhooksRouter({ channels, sink, bodyLimit, draining }: WebhookOptions): Router {
  const router = express.Router();
  const raw = express.raw({ type: () => true, limit: bodyLimit });
  for (const channel of channels) {
    const handler = channel.webhook;
    if (!handler) continue;
    router.all(`/${channel.name}`, raw, async (req, res) => {
      if (draining()) throw new AppError(ErrorCode.StoreUnavailable, 'the gateway is restarting; deliver again shortly');
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      const request: WebhookRequest = {
        method: req.method,
        rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        headers,
        query: Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, typeof v === 'string' ? v : undefined])),
      };
      const response = await handler(request, sink);
      if (response.text !== undefined) res.status(response.status).type('text/plain').send(response.text);
      else res.status(response.status).json(response.json ?? { ok: true });
    });
  }
  return router;
}
