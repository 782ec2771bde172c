import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

/** OWASP's recommended scrypt cost (N=2^17, r=8, p=1): about 0.4 s and 128 MiB per hash. */
export const DEFAULT_SCRYPT_N = 2 ** 17;
const params = { r: 8, p: 1 };
/** scrypt needs 128·N·r bytes; twice that leaves room, whatever cost a hash was made at. */
const maxmemOf = (n: number, r: number) => Math.max(32 * 1024 * 1024, 256 * n * r);
const keyLength = 32;

/** scrypt at cost `n` (PASSWORD_SCRYPT_N); the parameters travel with the hash, so a hash verifies at its own cost. */
export async function hashPassword(password: string, n = DEFAULT_SCRYPT_N): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, keyLength, { ...params, N: n, maxmem: maxmemOf(n, params.r) });
  return `scrypt$${n}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: maxmemOf(Number(n), Number(r)),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
