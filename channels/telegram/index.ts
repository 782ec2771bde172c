import { autoRetry } from '@grammyjs/auto-retry';
import { apiThrottler } from '@grammyjs/transformer-throttler';
import { Bot } from 'grammy';
import type { ChannelAdapter, WebhookHandler } from '../../shared/channel-adapter';
import { ok } from '../../shared/channel-adapter';
import { Channel } from '../../shared/channels';
import { AppError, ErrorCode } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { InboundSink } from '../../shared/messages';
import { safeEqual } from '../../shared/secrets';
import { telegramCapabilities } from './capabilities';
import { callbackQueryIdOf, decodeTelegramUpdate } from './decode';
import { TelegramSender } from './send';
import { effectiveWebhookSecret, type TelegramSettings } from './settings';

function parseJson(raw: Buffer): { body: unknown; rawJson: string } {
  const rawJson = raw.toString('utf8');
  try {
    return { body: JSON.parse(rawJson), rawJson };
  } catch {
    throw new AppError(ErrorCode.BadInput, 'body is not valid JSON');
  }
}

/** Button presses are taken as the customer's choices. */
const allowedUpdates = ['message', 'edited_message', 'callback_query'] as const;

const updateIdOf = (body: unknown): unknown =>
  typeof body === 'object' && body !== null ? (body as { update_id?: unknown }).update_id : undefined;

/**
 * Telegram through grammY: replies via the Bot API (with grammY's throttler for Telegram's limits and auto-retry
 * for short 429/5xx), updates by webhook (secret header checked here, in constant time) or long polling.
 */
export function createTelegramChannel(settings: TelegramSettings, log: Logger): ChannelAdapter {
  // A bounded request time (grammY waits 500 s by default) keeps a delivery job well inside its lock.
  const bot = new Bot(settings.token, { client: { apiRoot: settings.apiRoot, timeoutSeconds: 30 } });
  bot.api.config.use(apiThrottler());
  // Only a short retry_after is slept through here. Longer waits, 5xx and network errors go back to the delivery
  // queue, which persists them (auto-retry would otherwise retry network errors forever inside one job).
  bot.api.config.use(
    autoRetry({ maxRetryAttempts: settings.inlineRetries, maxDelaySeconds: 5, rethrowInternalServerErrors: true, rethrowHttpErrors: true }),
  );
  const secret = effectiveWebhookSecret(settings);

  const handle = async (body: unknown, rawJson: string, sink: InboundSink): Promise<void> => {
    const decoded = decodeTelegramUpdate(body, rawJson, new Date());
    if (decoded.unsupported) {
      log.info({ channel: 'telegram', updateId: updateIdOf(body), reason: decoded.unsupported }, 'update acknowledged, not stored');
    }
    for (const event of decoded.events) await sink(event);
  };

  const webhook: WebhookHandler = async (request, sink) => {
    if (request.method !== 'POST') throw new AppError(ErrorCode.NotFound, 'Telegram webhooks are POST requests');
    const given = request.headers['x-telegram-bot-api-secret-token'];
    if (!given || !safeEqual(given, secret)) {
      throw new AppError(ErrorCode.BadSignature, 'X-Telegram-Bot-Api-Secret-Token is missing or wrong');
    }
    const { body, rawJson } = parseJson(request.rawBody);
    await handle(body, rawJson, sink);
    // A press is answered in the webhook's own reply (the Bot API runs the method it names), once the press is
    // stored, a redelivered one too: until then the customer's button shows a spinner.
    const callbackQueryId = callbackQueryIdOf(body);
    return callbackQueryId ? ok({ method: 'answerCallbackQuery', callback_query_id: callbackQueryId }) : ok();
  };

  /** Polling has no reply to carry the answer: it is a call of its own, and a failed one only leaves the spinner. */
  const answerPress = async (update: unknown): Promise<void> => {
    const callbackQueryId = callbackQueryIdOf(update);
    if (!callbackQueryId) return;
    await bot.api
      .answerCallbackQuery(callbackQueryId)
      .catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'telegram button press not answered'));
  };

  return {
    name: Channel.Telegram,
    capabilities: telegramCapabilities,
    sender: new TelegramSender(bot.api),
    ...(settings.mode === 'webhook' ? { webhook } : {}),
    async start(sink) {
      if (settings.mode === 'webhook') {
        if (settings.webhookUrl) {
          await bot.api.setWebhook(settings.webhookUrl, { secret_token: secret, allowed_updates: allowedUpdates });
          log.info({ url: settings.webhookUrl }, 'telegram webhook registered');
          return;
        }
        // Nothing registers a webhook then: updates arrive only at one set by hand. Telegram is asked which is set,
        // so a bot that would stay deaf says so at start (without holding the start up).
        log.warn('TELEGRAM_MODE=webhook without PUBLIC_URL: the gateway registers no webhook; updates arrive only if one was set by hand');
        void bot.api
          .getWebhookInfo()
          .then((info) => {
            if (info?.url) log.info({ url: info.url }, 'telegram webhook set by hand found');
            else log.error('Telegram has no webhook for this bot, so no update will arrive: set PUBLIC_URL, or TELEGRAM_MODE=polling');
          })
          .catch((err: unknown) =>
            log.warn({ err: err instanceof Error ? err.message : String(err) }, 'telegram webhook could not be checked'),
          );
        return;
      }
      // grammY moves its polling offset past an update whose handler failed, which would drop a customer's
      // message while the store is down. Updates are handled one at a time, so waiting here holds the rest back
      // until the store answers again, and nothing is skipped.
      bot.use(async (ctx) => {
        for (let attempt = 0; ; attempt++) {
          try {
            await handle(ctx.update, JSON.stringify(ctx.update), sink);
            return await answerPress(ctx.update);
          } catch (err) {
            // An update that cannot be one (it failed the schema) never becomes one by waiting: it is logged and
            // passed over, where a store failure is waited out.
            if (err instanceof AppError && err.code === ErrorCode.BadInput) {
              log.warn({ updateId: ctx.update.update_id, err: err.message }, 'telegram update skipped: not a valid update');
              return;
            }
            if (!bot.isRunning()) throw err;
            log.error({ err, updateId: ctx.update.update_id, attempt }, 'telegram update not stored yet; retrying');
            await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 500 * 2 ** attempt)));
          }
        }
      });
      bot.catch((err) => log.error({ err: err.error }, 'telegram update could not be stored'));
      // bot.start() drops any registered webhook first, as polling requires.
      void bot.start({ allowed_updates: allowedUpdates, drop_pending_updates: false }).catch((err) => {
        log.error({ err }, 'telegram polling stopped');
      });
      log.info('telegram long polling started');
    },
    async stop() {
      if (bot.isRunning()) await bot.stop();
    },
  };
}
