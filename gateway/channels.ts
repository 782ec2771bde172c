import path from 'node:path';
import { createApiChannel } from '../channels/api';
import { createEmailChannel } from '../channels/email';
import { type EmailSettingsInput, emailSettingsSchema } from '../channels/email/settings';
import { createInstagramChannel } from '../channels/instagram';
import { instagramSettingsSchema } from '../channels/instagram/settings';
import { createTelegramChannel } from '../channels/telegram';
import { telegramSettingsSchema } from '../channels/telegram/settings';
import { createViberChannel } from '../channels/viber';
import { viberSettingsSchema } from '../channels/viber/settings';
import { createWhatsAppCloudChannel } from '../channels/whatsapp';
import { whatsappCloudSettingsSchema } from '../channels/whatsapp/settings';
import { createWhatsAppWebChannel } from '../channels/whatsapp-web';
import type { WhatsAppWebClientFactory } from '../channels/whatsapp-web/client';
import { type WhatsAppWebSettingsInput, whatsappWebSettingsSchema } from '../channels/whatsapp-web/settings';
import type { BlobStore } from '../shared/blob-store';
import type { ChannelAdapter } from '../shared/channel-adapter';
import type { ChannelStateStore } from '../shared/channel-state';
import type { Channel } from '../shared/channels';
import type { Logger } from '../shared/logger';
import type { Config } from './config';

export interface ChannelOptions {
  /** The gateway's clock, for channels that decide by time (Instagram's reply windows). */
  clock?: () => Date;
  /** WhatsApp Web mode: the client to drive instead of whatsapp-web.js's own, and tuning of pacing and reconnects. */
  whatsappWeb?: {
    createClient?: WhatsAppWebClientFactory;
    settings?: Partial<Omit<WhatsAppWebSettingsInput, 'chromiumPath' | 'sessionDir'>>;
  };
  /** What channels keep between restarts (the email cursor and threads) and the files customers send. */
  stores?: { state(channel: Channel): ChannelStateStore; blobs: BlobStore };
  /** Email tuning (reconnect backoff, safety sync) beyond the settings. */
  email?: Partial<Pick<EmailSettingsInput, 'reconnectMinMs' | 'reconnectMaxMs' | 'safetySyncMs' | 'noIdlePollMs'>>;
}

/** The channels whose settings are present; a channel without its settings is simply off. */
export function createChannels(config: Config, log: Logger, options: ChannelOptions = {}): ChannelAdapter[] {
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
  if (config.WHATSAPP_MODE === 'cloud') {
    // Presence of each setting is checked in config.ts, with a message naming the missing one.
    const settings = whatsappCloudSettingsSchema.parse({
      token: config.WHATSAPP_TOKEN,
      phoneNumberId: config.WHATSAPP_PHONE_NUMBER_ID,
      appSecret: config.WHATSAPP_APP_SECRET,
      verifyToken: config.WHATSAPP_VERIFY_TOKEN,
      graphUrl: config.META_GRAPH_URL,
      businessAccountId: config.WHATSAPP_BUSINESS_ACCOUNT_ID,
    });
    channels.push(createWhatsAppCloudChannel(settings, log.child({ channel: 'whatsapp' })));
  }
  if (config.WHATSAPP_MODE === 'web') {
    // config.ts refuses to start in web mode without a browser, naming CHROMIUM_PATH.
    const settings = whatsappWebSettingsSchema.parse({
      ...options.whatsappWeb?.settings,
      chromiumPath: config.chromiumPath,
      sessionDir: path.resolve(config.DATA_DIR, 'whatsapp-web'),
    });
    channels.push(
      createWhatsAppWebChannel(settings, log.child({ channel: 'whatsapp', mode: 'web' }), {
        createClient: options.whatsappWeb?.createClient,
        now: options.clock,
      }),
    );
  }
  if (config.INSTAGRAM_ACCESS_TOKEN) {
    const settings = instagramSettingsSchema.parse({
      accessToken: config.INSTAGRAM_ACCESS_TOKEN,
      accountId: config.INSTAGRAM_ACCOUNT_ID,
      appSecret: config.INSTAGRAM_APP_SECRET,
      verifyToken: config.INSTAGRAM_VERIFY_TOKEN,
      graphUrl: config.INSTAGRAM_GRAPH_URL ?? config.META_GRAPH_URL,
    });
    channels.push(createInstagramChannel(settings, log.child({ channel: 'instagram' }), { now: options.clock }));
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
  // The email channel is on when mail can come in; SMTP_URL alone only sends alert digests.
  if ((config.IMAP_URL || config.INBOUND_SMTP_PORT !== undefined) && config.EMAIL_FROM) {
    if (!options.stores) throw new Error('the email channel needs the channel state and blob stores');
    const settings = emailSettingsSchema.parse({
      ...options.email,
      from: config.EMAIL_FROM,
      smtpUrl: config.SMTP_URL,
      imap: config.IMAP_URL,
      inboundSmtpPort: config.INBOUND_SMTP_PORT,
      inboundSmtpHost: config.INBOUND_SMTP_HOST,
      firstSyncMs: config.IMAP_FIRST_SYNC,
      maxMessageBytes: config.EMAIL_MAX_SIZE_MB * 1024 * 1024,
    });
    channels.push(
      createEmailChannel(settings, log.child({ channel: 'email' }), { state: options.stores.state('email'), blobs: options.stores.blobs }),
    );
  }
  if (config.API_CHANNEL_KEY) {
    channels.push(createApiChannel({ key: config.API_CHANNEL_KEY, callbackUrl: config.API_CHANNEL_CALLBACK_URL }));
  }
  return channels;
}
