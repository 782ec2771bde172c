import type { ChannelAdapter } from '../../shared/channel-adapter';
import { Channel } from '../../shared/channels';
import type { Logger } from '../../shared/logger';
import { GraphClient } from '../meta/graph';
import { rateLimiter } from '../meta/limiter';
import { metaWebhook } from '../meta/webhook';
import { instagramCapabilities } from './capabilities';
import { decodeInstagramCallback } from './decode';
import { InstagramProfiles } from './profiles';
import { InstagramSender } from './send';
import type { InstagramSettings } from './settings';

export interface InstagramChannelOptions {
  /** The time replies are measured against the messaging windows; the gateway's clock. */
  now?: () => Date;
}

/**
 * Instagram Direct: signed webhooks in at `/webhooks/instagram`, replies out through the Send API (with the
 * HUMAN_AGENT tag between 24 h and 7 days). Customers' names are looked up once per customer before storing.
 */
export function createInstagramChannel(settings: InstagramSettings, log: Logger, options: InstagramChannelOptions = {}): ChannelAdapter {
  const graph = new GraphClient({ baseUrl: settings.graphUrl, accessToken: settings.accessToken });
  // A webhook waits for the lookup, so it gets little time: the message is stored with a placeholder name instead.
  const profiles = new InstagramProfiles(
    new GraphClient({ baseUrl: settings.graphUrl, accessToken: settings.accessToken, timeoutMs: 3_000 }),
    log,
  );
  const webhook = metaWebhook({
    platform: 'Instagram',
    appSecret: settings.appSecret,
    verifyToken: settings.verifyToken,
    async deliver(body, sink) {
      const decoded = decodeInstagramCallback(body);
      for (const reason of decoded.skipped) log.info({ channel: Channel.Instagram, reason }, 'webhook item acknowledged, not stored');
      for (const event of decoded.events) {
        await sink(event.kind === 'message' ? { ...event, contact: await profiles.enrich(event.contact) } : event);
      }
    },
  });
  return {
    name: Channel.Instagram,
    capabilities: instagramCapabilities,
    sender: new InstagramSender(graph, settings.accountId, rateLimiter(settings.callsPerSecond), options.now ?? (() => new Date())),
    webhook,
  };
}
