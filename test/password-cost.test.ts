import { loadConfig } from '../gateway/config';
import { hashPassword, verifyPassword } from '../inbox/passwords';

/** New passwords are hashed at PASSWORD_SCRYPT_N; every hash verifies at the cost it was made with. */
describe('the cost of a password hash', () => {
  const base = { NODE_ENV: 'test', JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789' };

  it('is OWASP’s scrypt cost unless set, and only a power of two may be set', () => {
    expect(loadConfig(base).PASSWORD_SCRYPT_N).toBe(131_072);
    expect(loadConfig({ ...base, PASSWORD_SCRYPT_N: '4096' }).PASSWORD_SCRYPT_N).toBe(4096);
    expect(() => loadConfig({ ...base, PASSWORD_SCRYPT_N: '5000' })).toThrow(/PASSWORD_SCRYPT_N.*power of two/s);
    expect(() => loadConfig({ ...base, PASSWORD_SCRYPT_N: '512' })).toThrow(/PASSWORD_SCRYPT_N/);
    // 2^19 would take 512 MiB a hash, and logins hash side by side.
    expect(() => loadConfig({ ...base, PASSWORD_SCRYPT_N: '524288' })).toThrow(/PASSWORD_SCRYPT_N.*at most 262144/s);
  });

  it('travels with the hash: a password hashed at one cost signs in under another setting', async () => {
    const cheap = await hashPassword('Пароль-Оксани-2024', 4096);
    expect(cheap.split('$').slice(0, 4)).toEqual(['scrypt', '4096', '8', '1']);
    expect(await verifyPassword('Пароль-Оксани-2024', cheap)).toBe(true);
    expect(await verifyPassword('пароль-оксани-2024', cheap)).toBe(false);
    const owasp = await hashPassword('correct horse battery staple');
    expect(owasp.split('$')[1]).toBe('131072');
    expect(await verifyPassword('correct horse battery staple', owasp)).toBe(true);
  });
});
