import { createHmac, timingSafeEqual } from 'node:crypto';
import type { UnsubscribeLinks } from '../inbox/customers/campaigns';

const CONTACT_ID = /^[a-f0-9]{24}$/;

/**
 * Campaign mail's one-click unsubscribe links (RFC 8058): `<base>/unsubscribe/<contact id>.<HMAC>`, keyed with a key
 * derived from the gateway's signing secret, so a link names one customer and cannot be made up for another.
 * `baseUrl` is read when a link is made: PUBLIC_URL, or this process's own address once it listens.
 */
export function unsubscribeLinks(secret: string, baseUrl: () => string): UnsubscribeLinks {
  const key = createHmac('sha256', secret).update('campaign-unsubscribe').digest();
  const sign = (contactId: string) => createHmac('sha256', key).update(contactId).digest('base64url').slice(0, 32);
  return {
    urlFor: (contactId) => `${baseUrl().replace(/\/$/, '')}/unsubscribe/${contactId}.${sign(contactId)}`,
    contactOf: (token) => {
      const [contactId = '', signature = ''] = token.split('.');
      if (!CONTACT_ID.test(contactId)) return null;
      const expected = Buffer.from(sign(contactId));
      const given = Buffer.from(signature);
      return given.length === expected.length && timingSafeEqual(given, expected) ? contactId : null;
    },
  };
}
