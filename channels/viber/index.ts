import type { ChannelAdapter, WebhookHandler, WebhookResponse } from '../../shared/channel-adapter';
import { ok } from '../../shared/channel-adapter';
import { Channel } from '../../shared/channels';
import { AppError, ErrorCode } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { InboundSink } from '../../shared/messages';
import { viberCapabilities } from './capabilities';
import { ViberApiError, ViberClient, viberJson } from './client';
import { decodeViberCallback } from './decode';
import { ViberSender } from './send';
import type { ViberSettings } from './settings';
import { hasValidSignature } from './signature';

const MAX_REGISTRATION_PAUSE_MS = 5 * 60_000;

function parseCallback(raw: Buffer): { body: unknown; rawJson: string } {
  const rawJson = raw.toString('utf8');
  try {
    return { body: viberJson.parse(rawJson), rawJson };
  } catch {
    throw new AppError(ErrorCode.BadInput, 'body is not valid JSON');
  }
}

/**
 * Viber through its REST bot API. Callbacks are checked here (HMAC of the raw body, constant time), parsed with
 * json-bigint and decoded; replies go through our own small client with a configurable base URL. viber-bot is not
 * used at run time: its middleware never sees the signature header and leaves a bad request hanging, its client
 * rounds the 64-bit message_token and cannot be pointed anywhere but chatapi.viber.com (see README.md).
 */
export function createViberChannel(settings: ViberSettings, log: Logger): ChannelAdapter {
  const client = new ViberClient(settings.apiUrl, settings.authToken, settings.requestTimeoutMs);
  let sink: InboundSink | undefined;
  const sender = new ViberSender(client, {
    botName: settings.botName,
    limits: settings.limits,
    async onUnreachable(user) {
      // The inbox then refuses further replies up front, until the user writes or subscribes again.
      await sink?.({
        kind: 'contact',
        channel: Channel.Viber,
        contact: { externalId: user, name: `Viber user ${user.slice(0, 6)}` },
        reachable: false,
        at: new Date(),
      });
    },
  });

  const webhook: WebhookHandler = async (request, eventSink): Promise<WebhookResponse> => {
    if (request.method !== 'POST') throw new AppError(ErrorCode.NotFound, 'Viber callbacks are POST requests');
    const given = [request.headers['x-viber-content-signature'], request.query.sig];
    if (!hasValidSignature(settings.authToken, request.rawBody, given)) {
      throw new AppError(ErrorCode.BadSignature, 'X-Viber-Content-Signature is missing or does not match the body');
    }
    const { body, rawJson } = parseCallback(request.rawBody);
    const decoded = decodeViberCallback(body, rawJson);
    switch (decoded.kind) {
      case 'webhook_check':
        log.info('viber webhook check answered');
        return ok();
      case 'unsupported':
        log.info({ reason: decoded.reason }, 'viber callback acknowledged, not stored');
        return ok();
      case 'conversation_started':
        log.info({ user: decoded.contact.externalId, subscribed: decoded.subscribed }, 'viber conversation started');
        // Viber shows the body of this one answer to the user as the bot's welcome message. A subscribed user
        // coming back is not greeted again.
        if (settings.welcomeText && !decoded.subscribed) {
          return ok({ sender: { name: settings.botName }, min_api_version: 1, type: 'text', text: settings.welcomeText });
        }
        return ok();
      case 'events':
        for (const event of decoded.events) {
          await eventSink(event);
          if (event.kind === 'message') sender.customerWrote(event.contact.externalId);
        }
        return ok();
    }
  };

  let registration: AbortController | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  /**
   * set_webhook, retried until Viber accepts. Viber checks the URL with a callback before it answers, and the
   * gateway only listens once every channel has started, so this runs in the background instead of holding the
   * start up (and a Viber outage at start does not stop the gateway).
   */
  const register = (url: string, attempt: number): void => {
    const controller = new AbortController();
    registration = controller;
    client
      .setWebhook(url, controller.signal)
      .then(() => log.info({ url }, 'viber webhook registered'))
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        if (err instanceof ViberApiError && err.status === 2) {
          log.error({ err: err.message }, 'viber webhook not registered: VIBER_AUTH_TOKEN is not valid');
          return;
        }
        const pause = Math.min(MAX_REGISTRATION_PAUSE_MS, settings.registrationRetryMs * 2 ** attempt);
        log.warn({ url, err: err instanceof Error ? err.message : String(err), retryInMs: pause }, 'viber webhook not registered yet');
        retryTimer = setTimeout(() => register(url, attempt + 1), pause);
        retryTimer.unref();
      });
  };

  return {
    name: Channel.Viber,
    capabilities: viberCapabilities,
    sender,
    webhook,
    async start(inboundSink) {
      sink = inboundSink;
      if (!settings.webhookUrl) return;
      if (!settings.webhookUrl.startsWith('https://')) {
        log.warn({ url: settings.webhookUrl }, 'Viber only calls https:// webhooks with a certificate from a trusted CA');
      }
      register(settings.webhookUrl, 0);
    },
    async stop() {
      clearTimeout(retryTimer);
      registration?.abort();
      // The sender keeps working: the delivery queue finishes its in-flight jobs after channels have stopped.
    },
  };
}
