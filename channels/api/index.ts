import type { ChannelAdapter, WebhookHandler } from '../../shared/channel-adapter';
import { ok } from '../../shared/channel-adapter';
import { Channel } from '../../shared/channels';
import { AppError, ErrorCode } from '../../shared/errors';
import { safeEqual } from '../../shared/secrets';
import { parseOrReject } from '../../shared/validation';
import { apiCapabilities } from './capabilities';
import { apiMessageSchema, decodeApiMessage } from './decode';
import { ApiCallbackSender } from './send';
import type { ApiChannelSettings } from './settings';

/** The generic channel for site forms and custom integrations: bearer-key webhook in, signed callback out. */
export function createApiChannel(settings: ApiChannelSettings): ChannelAdapter {
  const webhook: WebhookHandler = async (request, sink) => {
    if (request.method !== 'POST') throw new AppError(ErrorCode.NotFound, 'the api channel takes POST requests');
    const auth = request.headers.authorization ?? '';
    const given = /^Bearer (.+)$/i.exec(auth)?.[1];
    if (!given || !safeEqual(given, settings.key)) {
      throw new AppError(ErrorCode.Unauthorized, 'Authorization: Bearer <API_CHANNEL_KEY> is missing or wrong');
    }
    let body: unknown;
    const rawJson = request.rawBody.toString('utf8');
    try {
      body = JSON.parse(rawJson);
    } catch {
      throw new AppError(ErrorCode.BadInput, 'body is not valid JSON');
    }
    const message = parseOrReject(apiMessageSchema, body, 'not an API channel message');
    await sink(decodeApiMessage(message, rawJson, new Date()));
    return ok({ ok: true, externalMessageId: message.externalMessageId });
  };

  return {
    name: Channel.Api,
    ...(settings.callbackUrl
      ? { capabilities: apiCapabilities, sender: new ApiCallbackSender(settings.callbackUrl, settings.key) }
      : {
          capabilities: {
            ...apiCapabilities,
            repliesRefused:
              'the api channel only receives: replies go to API_CHANNEL_CALLBACK_URL, which is not set, so this conversation cannot be answered from the inbox',
          },
        }),
    webhook,
  };
}
