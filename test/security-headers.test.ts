import { TestGateway } from './support/gateway';

const PAGE_CSP =
  "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
const METRICS_TOKEN = 'scrape-token-for-prometheus-42';

describe('security headers and the metrics endpoint', () => {
  let gw: TestGateway;
  let open: TestGateway;
  beforeAll(async () => {
    gw = await TestGateway.start({ env: { METRICS_TOKEN } });
    open = await TestGateway.start();
  });
  afterAll(async () => {
    await gw.close();
    await open.close();
  });

  it('sends nosniff, no framing and no referrer on every answer: page, API, webhooks, errors', async () => {
    const answers = await Promise.all([
      gw.request('GET', '/'),
      gw.request('GET', '/healthz'),
      gw.request('GET', '/api/me'),
      gw.postTelegram({ update_id: 1 }, 'wrong-secret'),
      gw.request('GET', '/no/such/route'),
      gw.request('GET', '/api/conversations/%'),
    ]);
    for (const answer of answers) {
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
      expect(answer.headers.get('x-powered-by')).toBeNull();
    }
    expect(answers.map((a) => a.status)).toEqual([200, 200, 401, 401, 404, 401]);
  });

  it('keeps the page’s own strict CSP, and adds none to JSON answers', async () => {
    const page = await gw.request('GET', '/');
    expect(page.headers.get('content-security-policy')).toBe(PAGE_CSP);
    expect((await gw.request('GET', '/healthz')).headers.get('content-security-policy')).toBeNull();
  });

  it('answers /metrics only with the METRICS_TOKEN bearer when it is set', async () => {
    const none = await gw.request('GET', '/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect(none.body.error.code).toBe('AUTH.UNAUTHORIZED');
    expect((await gw.request('GET', '/metrics', { token: `${METRICS_TOKEN}x` })).status).toBe(401);
    const admin = await gw.manager('admin', 'Admin Alla');
    expect((await gw.request('GET', '/metrics', { token: admin.token })).status).toBe(401);
    const scraped = await gw.request('GET', '/metrics', { token: METRICS_TOKEN });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('leaves /metrics open without METRICS_TOKEN (the default, for a private scrape port)', async () => {
    expect((await open.request('GET', '/metrics')).status).toBe(200);
  });
});
