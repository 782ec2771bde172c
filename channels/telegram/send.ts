import { type Api, GrammyError, HttpError } from 'grammy';
import { type ChannelSender, DeliveryError, type OutboundText, type SendResult } from '../../shared/messages';

/** Telegram's own words become a DeliveryError the queue understands: retry (maybe after retry_after) or give up. */
export function toDeliveryError(e: unknown): DeliveryError {
  if (e instanceof GrammyError) {
    const retryAfter = e.parameters.retry_after;
    if (e.error_code === 429) return new DeliveryError(`Telegram rate limit: ${e.description}`, true, (retryAfter ?? 1) * 1000);
    if (e.error_code >= 500) return new DeliveryError(`Telegram error ${e.error_code}: ${e.description}`, true);
    // 400 chat not found, 403 bot was blocked by the user: no retry can help.
    return new DeliveryError(`Telegram refused (${e.error_code}): ${e.description}`, false);
  }
  if (e instanceof HttpError) return new DeliveryError(`Telegram unreachable: ${e.message}`, true);
  return new DeliveryError(e instanceof Error ? e.message : String(e), true);
}

export class TelegramSender implements ChannelSender {
  constructor(private readonly api: Api) {}

  async send(message: OutboundText): Promise<SendResult> {
    try {
      const sent = await this.api.sendMessage(message.to, message.text);
      return { externalId: `${sent.chat.id}:${sent.message_id}` };
    } catch (e) {
      throw toDeliveryError(e);
    }
  }
}
