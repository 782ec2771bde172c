import { type Api, GrammyError, HttpError } from 'grammy';
import type { InlineKeyboardButton } from 'grammy/types';
import { type ChannelSender, type Choice, DeliveryError, type OutboundText, type SendResult } from '../../shared/messages';
import { textForButtons } from '../choices';

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

/** Two buttons share a row only when both titles fit half a phone's width; longer ones get a row each. */
const PAIRABLE_TITLE = 16;

/**
 * The choices as an inline keyboard: one button a choice, its id as callback_data (the press comes back as a
 * callback query carrying it), in rows of two short buttons or one longer one, in the order given.
 */
export function inlineKeyboard(choices: readonly Choice[]): InlineKeyboardButton.CallbackButton[][] {
  const rows: InlineKeyboardButton.CallbackButton[][] = [];
  const short = (c: Choice) => Array.from(c.title).length <= PAIRABLE_TITLE;
  for (let i = 0; i < choices.length; i++) {
    const choice = choices[i] as Choice;
    const next = choices[i + 1];
    const button = { text: choice.title, callback_data: choice.id };
    if (next && short(choice) && short(next)) {
      rows.push([button, { text: next.title, callback_data: next.id }]);
      i++;
    } else rows.push([button]);
  }
  return rows;
}

export class TelegramSender implements ChannelSender {
  constructor(private readonly api: Api) {}

  async send(message: OutboundText): Promise<SendResult> {
    const choices = message.choices ?? [];
    try {
      const sent = await this.api.sendMessage(
        message.to,
        choices.length > 0 ? textForButtons(message.text, choices) : message.text,
        choices.length > 0 ? { reply_markup: { inline_keyboard: inlineKeyboard(choices) } } : undefined,
      );
      return { externalId: `${sent.chat.id}:${sent.message_id}` };
    } catch (e) {
      throw toDeliveryError(e);
    }
  }
}
