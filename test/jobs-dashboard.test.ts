import { TestGateway } from './support/gateway';

describe('the jobs dashboard (Agendash at /admin/jobs)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await TestGateway.start();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('is for admins only', async () => {
    const agent = await gw.manager('agent', 'Ірина Бондар');
    const supervisor = await gw.manager('supervisor', 'Supervisor Sam');
    expect((await gw.request('GET', '/admin/jobs/')).status).toBe(401);
    expect((await gw.request('GET', '/admin/jobs/api', { token: agent.token })).status).toBe(403);
    const refused = await gw.request('GET', '/admin/jobs/api', { token: supervisor.token });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({ code: 'AUTH.FORBIDDEN', message: 'the jobs dashboard is for admins' });
    expect((await gw.request('POST', '/admin/jobs/session', { token: agent.token })).status).toBe(403);
    expect((await gw.request('POST', '/admin/jobs/session')).status).toBe(401);
    // A token in the address bar is no way in: it would end up in logs and the browser's history.
    expect((await gw.request('GET', `/admin/jobs/?token=${agent.token}`)).status).toBe(401);
  });

  it('shows the recurring automation jobs to an admin whose page opened it with a short-lived cookie', async () => {
    const admin = await gw.manager('admin', 'Admin Alla');
    const opened = await gw.request('POST', '/admin/jobs/session', { token: admin.token });
    expect(opened.status).toBe(200);
    expect(opened.body).toEqual({ url: '/admin/jobs/', expiresAt: expect.any(String) });
    expect(Date.parse(opened.body.expiresAt) - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(Date.parse(opened.body.expiresAt) - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    const cookie = opened.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^jobs_session=[^;]+; Path=\/admin\/jobs; Expires=[^;]+; HttpOnly; SameSite=Strict$/);

    const tampered = await fetch(`${gw.url}/admin/jobs/`, { headers: { cookie: `${cookie.split(';')[0]}x` } });
    expect(tampered.status).toBe(401);
    const page = await fetch(`${gw.url}/admin/jobs/`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/<html/i);

    // The dashboard's own calls, as the browser makes them: with the cookie only.
    const jobs = await gw.request('GET', '/admin/jobs/api?limit=50', { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(jobs.status).toBe(200);
    const names = JSON.stringify(jobs.body);
    expect(names).toContain('automations-tick');
    expect(names).toContain('response-rollup');
  });
});
