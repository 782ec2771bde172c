import { z } from 'zod';
import type { Logger } from '../../shared/logger';
import type { InboundContact } from '../../shared/messages';
import type { GraphClient } from '../meta/graph';

const profileSchema = z.looseObject({ name: z.string().optional(), username: z.string().optional() });
type Found = { name?: string; username?: string };

/**
 * Instagram webhooks carry only the customer's Instagram-scoped id; their name and @username come from
 * `GET /<IGSID>?fields=name,username`. Looked up once and remembered, so a busy thread costs one call; a failed
 * lookup is remembered briefly too and the message is stored under a placeholder name rather than held back.
 */
export class InstagramProfiles {
  private readonly cache = new Map<string, { found: Found; until: number }>();

  constructor(
    private readonly graph: GraphClient,
    private readonly log: Logger,
    private readonly ttlMs = 6 * 60 * 60_000,
    private readonly failureTtlMs = 10 * 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  async enrich(contact: InboundContact): Promise<InboundContact> {
    const found = await this.lookup(contact.externalId);
    const name = found.name?.trim() || (found.username ? `@${found.username}` : undefined);
    return { ...contact, ...(name ? { name } : {}), ...(found.username ? { username: found.username } : {}) };
  }

  private async lookup(igsid: string): Promise<Found> {
    const now = Date.now();
    const cached = this.cache.get(igsid);
    if (cached && cached.until > now) return cached.found;
    let found: Found = {};
    let ttl = this.failureTtlMs;
    try {
      const parsed = profileSchema.safeParse(await this.graph.get(encodeURIComponent(igsid), { fields: 'name,username' }));
      if (parsed.success) {
        found = {
          ...(parsed.data.name ? { name: parsed.data.name } : {}),
          ...(parsed.data.username ? { username: parsed.data.username } : {}),
        };
        ttl = this.ttlMs;
      }
    } catch (err) {
      this.log.warn(
        { channel: 'instagram', igsid, err: err instanceof Error ? err.message : String(err) },
        'instagram profile lookup failed',
      );
    }
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(igsid, { found, until: now + ttl });
    return found;
  }
}
