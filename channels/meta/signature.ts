import { createHmac, timingSafeEqual } from 'node:crypto';

const signaturePattern = /^sha256=([0-9a-f]{64})$/i;

/**
 * Meta signs every webhook POST with `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw body bytes
 * keyed with the app secret. Checked over the exact bytes received (never re-serialized JSON), in constant time.
 */
export function isValidHubSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  const given = header ? signaturePattern.exec(header.trim())?.[1] : undefined;
  if (!given) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(given, 'hex'), expected);
}
