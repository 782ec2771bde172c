import type { WebhookHandler, WebhookRequest, WebhookResponse } from '../../shared/channel-adapter';
import { ok } from '../../shared/channel-adapter';
import { AppError, ErrorCode } from '../../shared/errors';
import type { InboundSink } from '../../shared/messages';
import { safeEqual } from '../../shared/secrets';
import { isValidHubSignature } from './signature';

/**
 * The subscription handshake every Meta webhook starts with:
 * `GET ?hub.mode=subscribe&hub.verify_token=<ours>&hub.challenge=<n>` is answered with the challenge as plain text;
 * anything else is refused with 403, so a stranger cannot point a Meta app at this gateway.
 */
export function answerHandshake(query: WebhookRequest['query'], verifyToken: string): WebhookResponse {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  if (mode !== 'subscribe' || !token || !safeEqual(token, verifyToken)) {
    throw new AppError(ErrorCode.VerificationFailed, 'hub.mode must be "subscribe" and hub.verify_token must match the verify token');
  }
  if (!challenge || challenge.length > 1024) throw new AppError(ErrorCode.BadInput, 'hub.challenge is missing or too long');
  return { status: 200, text: challenge };
}

export interface MetaWebhookOptions {
  /** Platform name for error messages. */
  platform: string;
  appSecret: string;
  verifyToken: string;
  /** Decodes and stores a verified, parsed callback; resolves only once everything in it is stored. */
  deliver(body: Record<string, unknown>, sink: InboundSink): Promise<void>;
}

/**
 * One Meta webhook endpoint: GET is the handshake; POST is checked (signature → 401, JSON → 400) and then handed
 * to the channel, which answers 200 for anything well signed it does not keep, so Meta stops redelivering it.
 */
export function metaWebhook(options: MetaWebhookOptions): WebhookHandler {
  return async (request, sink) => {
    if (request.method === 'GET' || request.method === 'HEAD') return answerHandshake(request.query, options.verifyToken);
    if (request.method !== 'POST') throw new AppError(ErrorCode.NotFound, `${options.platform} webhooks are GET (handshake) or POST`);
    if (!isValidHubSignature(request.rawBody, request.headers['x-hub-signature-256'], options.appSecret)) {
      throw new AppError(ErrorCode.BadSignature, 'X-Hub-Signature-256 is missing or does not match the body and the app secret');
    }
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      throw new AppError(ErrorCode.BadInput, 'body is not valid JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new AppError(ErrorCode.BadInput, 'body is not a JSON object');
    }
    await options.deliver(body as Record<string, unknown>, sink);
    return ok();
  };
}
