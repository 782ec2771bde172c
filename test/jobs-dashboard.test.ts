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
    expect((await fetch(`${gw.url}/admin/jobs/?token=${agent.token}`, { redirect: 'manual' })).status).toBe(403);
  });

  it('shows the recurring automation jobs to an admin, signed in once through the address bar', async () => {
    const admin = await gw.manager('admin', 'Admin Alla');
    const opened = await fetch(`${gw.url}/admin/jobs/?token=${admin.token}`, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/admin/jobs/');
    const cookie = opened.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^jobs_token=[^;]+; Max-Age=43200; Path=\/admin\/jobs; Expires=[^;]+; HttpOnly; SameSite=Strict$/);

    const page = await fetch(`${gw.url}/admin/jobs/`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/<html/i);

    const jobs = await gw.request('GET', '/admin/jobs/api?limit=50', { token: admin.token });
    expect(jobs.status).toBe(200);
    const names = JSON.stringify(jobs.body);
    expect(names).toContain('automations-tick');
    expect(names).toContain('response-rollup');
  });
});
