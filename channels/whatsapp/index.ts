import type { ChannelAdapter } from '../../shared/channel-adapter';
import { Channel } from '../../shared/channels';
import type { Logger } from '../../shared/logger';
import { GraphClient } from '../meta/graph';
import { rateLimiter } from '../meta/limiter';
import { metaWebhook } from '../meta/webhook';
import { whatsappCloudCapabilities } from './capabilities';
import { decodeWhatsAppCallback } from './decode';
import { WhatsAppCloudSender } from './send';
import type { WhatsAppCloudSettings } from './settings';
import { WhatsAppTemplates } from './templates';

/**
 * WhatsApp through Meta's Cloud API: webhooks in (`/webhooks/whatsapp`, handshake and signed callbacks), replies
 * and templates out through the Graph API. Nothing to start: Meta calls us once the app's webhook is subscribed.
 */
export function createWhatsAppCloudChannel(settings: WhatsAppCloudSettings, log: Logger): ChannelAdapter {
  const graph = new GraphClient({ baseUrl: settings.graphUrl, accessToken: settings.token });
  const webhook = metaWebhook({
    platform: 'WhatsApp',
    appSecret: settings.appSecret,
    verifyToken: settings.verifyToken,
    async deliver(body, sink) {
      const decoded = decodeWhatsAppCallback(body, { phoneNumberId: settings.phoneNumberId });
      for (const reason of decoded.skipped) log.info({ channel: Channel.WhatsApp, reason }, 'webhook item acknowledged, not stored');
      for (const event of decoded.events) await sink(event);
    },
  });
  return {
    name: Channel.WhatsApp,
    capabilities: whatsappCloudCapabilities,
    sender: new WhatsAppCloudSender(graph, settings.phoneNumberId, rateLimiter(settings.messagesPerSecond)),
    ...(settings.businessAccountId ? { templates: new WhatsAppTemplates(graph, settings.businessAccountId) } : {}),
    webhook,
  };
}
