import { createApiChannel } from '../channels/api';
import { createTelegramChannel } from '../channels/telegram';
import { telegramSettingsSchema } from '../channels/telegram/settings';
import { createViberChannel } from '../channels/viber';
import { viberSettingsSchema } from '../channels/viber/settings';
import type { ChannelAdapter } from '../shared/channel-adapter';
import type { Logger } from '../shared/logger';
import type { Config } from './config';

/** The channels whose settings are present; a channel without its settings is simply off. */
export function createChannels(config: Config, log: Logger): ChannelAdapter[] {
  const channels: ChannelAdapter[] = [];
  if (config.TELEGRAM_BOT_TOKEN) {
    const settings = telegramSettingsSchema.parse({
      token: config.TELEGRAM_BOT_TOKEN,
      mode: config.telegramMode,
      apiRoot: config.TELEGRAM_API_ROOT,
      webhookSecret: config.TELEGRAM_WEBHOOK_SECRET,
      webhookUrl: config.PUBLIC_URL ? new URL('/webhooks/telegram', config.PUBLIC_URL).toString() : undefined,
    });
    channels.push(createTelegramChannel(settings, log.child({ channel: 'telegram' })));
  }
  if (config.VIBER_AUTH_TOKEN) {
    const settings = viberSettingsSchema.parse({
      authToken: config.VIBER_AUTH_TOKEN,
      botName: config.VIBER_BOT_NAME,
      apiUrl: config.VIBER_API_URL,
      webhookUrl: config.PUBLIC_URL ? new URL('/webhooks/viber', config.PUBLIC_URL).toString() : undefined,
      welcomeText: config.VIBER_WELCOME_TEXT,
    });
    channels.push(createViberChannel(settings, log.child({ channel: 'viber' })));
  }
  if (config.API_CHANNEL_KEY) {
    channels.push(createApiChannel({ key: config.API_CHANNEL_KEY, callbackUrl: config.API_CHANNEL_CALLBACK_URL }));
  }
  return channels;
}
