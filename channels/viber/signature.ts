import { hmacSha256Hex, safeEqual } from '../../shared/secrets';

/**
 * Viber signs every callback: lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the bot's auth token,
 * sent as `X-Viber-Content-Signature` (and appended to the webhook URL as `?sig=`).
 */
export const viberSignature = (authToken: string, rawBody: Buffer | string): string => hmacSha256Hex(authToken, rawBody);

/** True when any of the given signatures (header, `sig` query) matches the body; compared in constant time. */
export function hasValidSignature(authToken: string, rawBody: Buffer, given: readonly (string | undefined)[]): boolean {
  const expected = viberSignature(authToken, rawBody);
  let valid = false;
  for (const candidate of given) {
    // Every candidate is compared, so the time taken does not tell which one matched.
    if (candidate && safeEqual(candidate.trim().toLowerCase(), expected)) valid = true;
  }
  return valid;
}
