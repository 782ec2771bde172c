import express, { type Router } from 'express';
import type { ChannelAdapter, WebhookRequest } from '../../shared/channel-adapter';
import { AppError, ErrorCode } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { InboundSink } from '../../shared/messages';
import { moreTime, type StoreActivity, storeTimeouts, type WaitPolicy, withDeadline } from '../store-timeouts';

export interface WebhookOptions {
  channels: readonly ChannelAdapter[];
  sink: InboundSink;
  bodyLimit: string;
  /** True once the gateway is stopping: new webhooks get 503 so the platform redelivers them elsewhere or later. */
  draining: () => boolean;
  log?: Logger;
  /** How long one webhook may wait on the store before it is answered 503 (storeTimeouts.webhookDeadlineMs). */
  storeDeadlineMs?: number;
  /** What the store is doing (watchStoreAnswers): a webhook waits past its deadline while the store is at work. */
  storeActivity?: StoreActivity;
}

/**
 * The sink of one webhook: its store work gets the deadline in all, from its first event on (longer only while the
 * store is plainly at work, see busyQuietMs), then fails with 503 STORE.UNAVAILABLE so the platform redelivers.
 * What was already sent to the store carries on in the background: a message that still lands is stored once
 * when it comes again.
 */
function sinkWithDeadline(sink: InboundSink, policy: WaitPolicy, log: Logger | undefined, channel: string): InboundSink {
  let since: number | undefined;
  const timedOut = () =>
    new AppError(
      ErrorCode.StoreUnavailable,
      `the store did not answer within ${Date.now() - (since ?? Date.now())} ms; nothing was acknowledged, deliver again`,
    );
  return async (event) => {
    since ??= Date.now();
    const started = since;
    const more = () => moreTime(policy, started);
    if (more() <= 0) throw timedOut();
    const stopWaiting = policy.store?.waiting();
    try {
      await withDeadline(sink(event), more, timedOut, (err) =>
        log?.warn(
          { channel, err: err instanceof Error ? err.message : undefined, completed: err === undefined },
          'webhook store work ended after its deadline',
        ),
      );
    } finally {
      stopWaiting?.();
    }
  };
}

/**
 * `/webhooks/<channel>` for every channel with a webhook. Bodies arrive raw (signatures are computed over the exact
 * bytes); the channel checks, parses and decodes; the answer goes out only after the sink stored everything.
 */
export function webhooksRouter({
  channels,
  sink,
  bodyLimit,
  draining,
  log,
  storeDeadlineMs = storeTimeouts.webhookDeadlineMs,
  storeActivity,
}: WebhookOptions): Router {
  const policy: WaitPolicy = { deadlineMs: storeDeadlineMs, store: storeActivity };
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
      const response = await handler(request, sinkWithDeadline(sink, policy, log, channel.name));
      if (response.text !== undefined) res.status(response.status).type('text/plain').send(response.text);
      else res.status(response.status).json(response.json ?? { ok: true });
    });
  }
  return router;
}
