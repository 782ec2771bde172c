import { type ChannelSender, DeliveryError, type OutboundText, type SendResult } from '../../shared/messages';
import { hmacSha256Hex } from '../../shared/secrets';
import { withNumberedChoices } from '../choices';
import { type PostAnswer, PostUnanswered, postBody } from '../http-post';

/**
 * Replies to API-channel contacts are POSTed to the integration's callback URL, signed with the channel key as
 * `X-Signature-256: sha256=<hex>` over the exact body, so the receiver can trust them. Choices come twice: as
 * numbered lines in `text`, for an integration that only shows text, and as `choices` data, for one that draws
 * buttons of its own and posts the pressed one back as `choice`.
 */
export class ApiCallbackSender implements ChannelSender {
  constructor(
    private readonly callbackUrl: string,
    private readonly key: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async send(message: OutboundText): Promise<SendResult> {
    const choices = message.choices ?? [];
    const body = JSON.stringify({
      messageId: message.messageId,
      contactExternalId: message.to,
      text: withNumberedChoices(message.text, choices),
      ...(choices.length > 0 ? { choices } : {}),
    });
    let response: PostAnswer;
    try {
      response = await postBody(
        this.callbackUrl,
        {
          'content-type': 'application/json',
          'x-signature-256': `sha256=${hmacSha256Hex(this.key, body)}`,
          // A reply tried again after no answer carries the same key: the integration drops the second copy.
          'idempotency-key': message.messageId,
        },
        body,
        this.timeoutMs,
      );
    } catch (e) {
      // A timeout may come after the integration took the reply; a refused connection cannot.
      const timedOut = e instanceof PostUnanswered && e.timedOut;
      throw new DeliveryError(`callback unreachable: ${e instanceof Error ? e.message : String(e)}`, true, undefined, timedOut);
    }
    if (response.status === 429 || response.status >= 500) {
      const retryAfter = Number(response.header('retry-after'));
      throw new DeliveryError(
        `callback answered ${response.status}`,
        true,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      );
    }
    if (response.status < 200 || response.status > 299)
      throw new DeliveryError(`callback refused the reply with ${response.status}`, false);
    return { externalId: message.messageId };
  }
}
