import { SignJWT } from 'jose';
import { ManualClock } from './support/clock';
import { TestGateway, type TestManager } from './support/gateway';

const SECRET = new TextEncoder().encode('test-jwt-secret-that-is-long-enough-0123456789');
const login = (gw: TestGateway, email: string, password: string, from?: string) =>
  gw.request('POST', '/api/auth/login', { json: { email, password }, headers: from ? { 'x-forwarded-for': from } : {} });
const GENERIC_LOCK = /^too many failed sign-ins; try again in \d+ min or ask an admin to unlock$/;

describe('signing in: the lockout per identity and address, behind a trusted proxy', () => {
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  let gw: TestGateway;
  let oksana: TestManager;
  let admin: TestManager;

  beforeAll(async () => {
    gw = await TestGateway.start({ clock: clock.now, env: { TRUST_PROXY: 'loopback' } });
    oksana = await gw.manager('agent', 'Оксана Левченко', 'oksana@shop.example');
    admin = await gw.manager('admin', 'Admin Alla');
  });
  afterAll(async () => {
    await gw.close();
  });

  it('locks an identity at one address after 5 wrong passwords, however the email is spaced or cased', async () => {
    const spellings = [
      'oksana@shop.example',
      ' oksana@shop.example',
      '\toksana@shop.example',
      'OKSANA@shop.example',
      'oksana@shop.example ',
    ];
    const failures = [];
    for (const [i, email] of spellings.entries()) failures.push((await login(gw, email, `вгадую-${i}`, '203.0.113.7')).status);
    expect(failures).toEqual([401, 401, 401, 401, 401]);

    // Locked now: even the right password, with a tab in front, is not evaluated.
    const locked = await login(gw, '\tOksana@Shop.Example', oksana.password, '203.0.113.7');
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('60');
    expect(locked.body.error).toEqual({
      code: 'HTTP.RATE_LIMITED',
      message: 'too many failed sign-ins; try again in 1 min or ask an admin to unlock',
    });
  });

  it('answers a locked unknown email in the same words, so the lock tells nothing about who has an account', async () => {
    for (let i = 0; i < 5; i++) expect((await login(gw, 'nobody@shop.example', `guess-${i}`, '203.0.113.8')).status).toBe(401);
    const locked = await login(gw, 'nobody@shop.example', 'guess-5', '203.0.113.8');
    expect(locked.status).toBe(429);
    expect(locked.body.error.message).toMatch(GENERIC_LOCK);
  });

  it('lets the right password in from another address while an attacker has locked one', async () => {
    expect((await login(gw, 'oksana@shop.example', oksana.password, '203.0.113.7')).status).toBe(429);
    const office = await login(gw, 'oksana@shop.example', oksana.password, '198.51.100.20');
    expect(office.status).toBe(200);
    expect(office.body.agent.email).toBe('oksana@shop.example');
  });

  it('doubles the lock with each failure after it, and forgets the failures on a sign-in', async () => {
    clock.advance(61_000);
    expect((await login(gw, 'oksana@shop.example', 'ще-одна-спроба', '203.0.113.7')).status).toBe(401);
    const twice = await login(gw, 'oksana@shop.example', oksana.password, '203.0.113.7');
    expect([twice.status, twice.headers.get('retry-after')]).toEqual([429, '120']);
    clock.advance(121_000);
    expect((await login(gw, 'oksana@shop.example', 'і-ще-одна', '203.0.113.7')).status).toBe(401);
    expect((await login(gw, 'oksana@shop.example', oksana.password, '203.0.113.7')).headers.get('retry-after')).toBe('240');

    clock.advance(241_000);
    expect((await login(gw, 'oksana@shop.example', oksana.password, '203.0.113.7')).status).toBe(200);
    // A fresh start: four more mistakes are free again.
    for (let i = 0; i < 4; i++) expect((await login(gw, 'oksana@shop.example', `typo-${i}`, '203.0.113.7')).status).toBe(401);
    expect((await login(gw, 'oksana@shop.example', oksana.password, '203.0.113.7')).status).toBe(200);
  });

  it('lets an admin, and nobody else, unlock a manager from every address', async () => {
    for (const from of ['203.0.113.7', '192.0.2.44']) {
      for (let i = 0; i < 5; i++) await login(gw, 'oksana@shop.example', `guess-${i}`, from);
      expect((await login(gw, 'oksana@shop.example', oksana.password, from)).status).toBe(429);
    }
    const route = `/api/agents/${oksana.agent.id}/unlock`;
    expect((await gw.request('POST', route, { token: oksana.token })).status).toBe(403);
    expect((await gw.request('POST', route)).status).toBe(401);
    const unlocked = await gw.request('POST', route, { token: admin.token });
    expect(unlocked.status).toBe(200);
    expect(unlocked.body).toEqual({ agentId: oksana.agent.id, unlockedAddresses: 2 });
    expect((await login(gw, 'oksana@shop.example', oksana.password, '203.0.113.7')).status).toBe(200);
    expect((await login(gw, 'oksana@shop.example', oksana.password, '192.0.2.44')).status).toBe(200);
    expect((await gw.request('POST', '/api/agents/0123456789abcdef01234567/unlock', { token: admin.token })).status).toBe(404);
  });
});

describe('signing in: one address spraying many identities', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await TestGateway.start({ env: { TRUST_PROXY: 'loopback', LOGIN_ATTEMPTS_PER_ADDRESS: '8' } });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('limits one address spraying many identities to LOGIN_ATTEMPTS_PER_ADDRESS failures', async () => {
    const statuses = [];
    for (let i = 0; i < 9; i++) statuses.push((await login(gw, `user${i}@shop.example`, 'Password1', '203.0.113.99')).status);
    expect(statuses.slice(0, 8)).toEqual(Array(8).fill(401));
    expect(statuses[8]).toBe(429);
    // Another address is not affected.
    const oksana = await gw.manager('agent', 'Оксана Левченко', 'oksana@shop.example');
    expect((await login(gw, 'oksana@shop.example', oksana.password, '203.0.113.100')).status).toBe(200);
  });
});

describe('signing in with no proxy trusted (the default)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await TestGateway.start();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('ignores a forged X-Forwarded-For: a lock cannot be dodged by naming another address', async () => {
    const bohdan = await gw.manager('agent', 'Богдан Кравець', 'bohdan@shop.example');
    for (let i = 0; i < 5; i++) await login(gw, 'bohdan@shop.example', `guess-${i}`, `198.51.100.${i}`);
    const forged = await login(gw, 'bohdan@shop.example', bohdan.password, '198.51.100.250');
    expect(forged.status).toBe(429);
  });
});

describe('managers’ tokens', () => {
  let gw: TestGateway;
  let iryna: TestManager;
  beforeAll(async () => {
    gw = await TestGateway.start({ env: { TOKEN_TTL: '2h', SESSION_MAX_AGE: '3d' } });
    iryna = await gw.manager('agent', 'Ірина Бондар');
  });
  afterAll(async () => {
    await gw.close();
  });

  const forged = (claims: Record<string, unknown>, exp?: number) => {
    const jwt = new SignJWT({ role: 'admin', name: 'Mallory', ...claims }).setProtectedHeader({ alg: 'HS256' }).setSubject(iryna.agent.id);
    return (exp === undefined ? jwt : jwt.setExpirationTime(exp)).setIssuedAt().sign(SECRET);
  };
  const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());

  it('last TOKEN_TTL', () => {
    const claims = payloadOf(iryna.token);
    expect(claims.exp - claims.iat).toBe(2 * 3600);
    expect(claims.auth_time).toBe(claims.iat);
  });

  it('refuses a token without an expiry, over REST and on the socket', async () => {
    const forever = await forged({});
    const me = await gw.request('GET', '/api/me', { token: forever });
    expect(me.status).toBe(401);
    expect(me.body.error).toEqual({ code: 'AUTH.UNAUTHORIZED', message: 'the token is invalid or expired' });
    await expect(gw.connect(forever)).rejects.toThrow(/invalid or expired/);
  });

  it('trades a live token for a fresh one that keeps the sign-in time', async () => {
    const refreshed = await gw.request('POST', '/api/auth/refresh', { token: iryna.token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.agent).toMatchObject({ id: iryna.agent.id, name: 'Ірина Бондар', role: 'agent' });
    expect(payloadOf(refreshed.body.token).auth_time).toBe(payloadOf(iryna.token).auth_time);
    expect((await gw.request('GET', '/api/me', { token: refreshed.body.token })).status).toBe(200);
    expect((await gw.request('POST', '/api/auth/refresh')).status).toBe(401);
  });

  it('stops refreshing SESSION_MAX_AGE after the password was given', async () => {
    const fourDaysAgo = Math.floor(Date.now() / 1000) - 4 * 24 * 3600;
    const old = await forged({ role: 'agent', name: 'Ірина Бондар', auth_time: fourDaysAgo }, Math.floor(Date.now() / 1000) + 600);
    const refused = await gw.request('POST', '/api/auth/refresh', { token: old });
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toBe('the session is over: sign in with the password again');
  });

  it('keeps the jobs dashboard cookie out of the API', async () => {
    const admin = await gw.manager('admin', 'Admin Alla');
    const opened = await gw.request('POST', '/admin/jobs/session', { token: admin.token });
    const cookieToken = /jobs_session=([^;]+)/.exec(opened.headers.get('set-cookie') ?? '')?.[1];
    expect(cookieToken).toBeDefined();
    expect((await gw.request('GET', '/api/me', { token: cookieToken })).status).toBe(401);
  });
});
