import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time comparison of two secrets of any length (hashing first hides the length). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export const hmacSha256Hex = (key: string, body: Buffer | string): string => createHmac('sha256', key).update(body).digest('hex');
