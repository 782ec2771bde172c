import { olena, textUpdate } from './fixtures/telegram';
import { eventually, TestGateway } from './support/gateway';

describe('admins manage the team', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await TestGateway.start();
  });
  afterAll(async () => {
    await gw.close();
  });

  const patch = (token: string, id: string, json: unknown) => gw.request('PATCH', `/api/agents/${id}`, { token, json });
  const login = (email: string, password: string) => gw.request('POST', '/api/auth/login', { json: { email, password } });

  it('adds a manager and changes their role; the next sign-in carries it', async () => {
    const admin = await gw.manager('admin', 'Оксана');
    const created = await gw.request('POST', '/api/agents', {
      token: admin.token,
      json: { name: 'Марко Шевчук', email: 'marko@shop.example', password: 'correct-horse-1', role: 'agent' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Марко Шевчук', role: 'agent', active: true });

    const promoted = await patch(admin.token, created.body.id, { role: 'supervisor' });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ id: created.body.id, role: 'supervisor', active: true });
    expect((await login('marko@shop.example', 'correct-horse-1')).body.agent.role).toBe('supervisor');
  });

  it('deactivates a manager: no sign-in, their token stops; reactivated, they sign in again', async () => {
    const admin = await gw.manager('admin', 'Оксана');
    const taras = await gw.manager('agent', 'Тарас');
    const off = await patch(admin.token, taras.agent.id, { active: false });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);

    const refused = await login(taras.agent.email, taras.password);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('AUTH.DEACTIVATED');
    expect((await gw.request('GET', '/api/conversations', { token: taras.token })).status).toBe(401);
    const team = await gw.request('GET', '/api/agents', { token: admin.token });
    expect(team.body.items.find((a: { id: string }) => a.id === taras.agent.id).active).toBe(false);

    expect((await patch(admin.token, taras.agent.id, { active: true })).body.active).toBe(true);
    expect((await login(taras.agent.email, taras.password)).status).toBe(200);
  });

  it('closes a deactivated manager’s live socket and refuses it back', async () => {
    const admin = await gw.manager('admin', 'Оксана');
    const olya = await gw.online('agent', 'Оля');
    expect(olya.socket.socket.connected).toBe(true);
    expect((await patch(admin.token, olya.agent.id, { active: false })).status).toBe(200);
    await eventually(async () => !olya.socket.socket.connected);
    await expect(gw.connect(olya.token)).rejects.toThrow(/deactivated/);
  });

  it('gives no conversation to a deactivated manager', async () => {
    const admin = await gw.manager('admin', 'Оксана');
    const roman = await gw.manager('agent', 'Роман');
    await gw.postTelegram(textUpdate(olena, 'Добрий день! Коли буде доставка?'));
    const list = await gw.request('GET', '/api/conversations', { token: admin.token });
    const conversationId = list.body.items[0].id as string;
    expect((await patch(admin.token, roman.agent.id, { active: false })).status).toBe(200);
    const refused = await gw.request('POST', `/api/conversations/${conversationId}/assign`, {
      token: admin.token,
      json: { agentId: roman.agent.id },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toEqual({ code: 'INBOX.CONFLICT', message: 'Роман is deactivated and cannot take conversations' });
    expect((await gw.request('GET', `/api/conversations/${conversationId}`, { token: admin.token })).body.assigneeId).not.toBe(
      roman.agent.id,
    );
  });

  it('lets only admins change the team, and changes nothing for anyone else', async () => {
    const agent = await gw.manager('agent', 'Іван');
    const supervisor = await gw.manager('supervisor', 'Світлана');
    for (const token of [agent.token, supervisor.token]) {
      const res = await patch(token, agent.agent.id, { role: 'admin' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('AUTH.FORBIDDEN');
    }
    expect((await gw.request('PATCH', `/api/agents/${agent.agent.id}`, { json: { role: 'admin' } })).status).toBe(401);
    expect((await gw.request('GET', '/api/me', { token: agent.token })).body.role).toBe('agent');
  });

  it('refuses a body it cannot take and a manager who does not exist', async () => {
    const admin = await gw.manager('admin', 'Оксана');
    const agent = await gw.manager('agent', 'Іван');
    for (const body of [{}, { role: 'owner' }, { active: 'no' }, { role: 'agent', name: 'Ivan' }]) {
      const res = await patch(admin.token, agent.agent.id, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INBOX.BAD_INPUT');
    }
    const missing = await patch(admin.token, '0123456789abcdef01234567', { role: 'agent' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('INBOX.AGENT_NOT_FOUND');
    expect((await gw.request('GET', '/api/me', { token: agent.token })).body).toMatchObject({ role: 'agent', active: true });
  });
});

describe('the last active admin', () => {
  let gw: TestGateway;
  beforeEach(async () => {
    gw = await TestGateway.start();
  });
  afterEach(async () => {
    await gw.close();
  });
  const patch = (token: string, id: string, json: unknown) => gw.request('PATCH', `/api/agents/${id}`, { token, json });

  it('can be neither demoted nor deactivated, until another admin exists', async () => {
    const only = await gw.manager('admin', 'Оксана');
    for (const change of [{ role: 'supervisor' }, { active: false }, { role: 'agent', active: false }]) {
      const res = await patch(only.token, only.agent.id, change);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('AUTH.LAST_ADMIN');
    }
    expect((await gw.request('GET', '/api/me', { token: only.token })).body).toMatchObject({ role: 'admin', active: true });

    const second = await gw.manager('admin', 'Богдан');
    expect((await patch(second.token, only.agent.id, { role: 'supervisor' })).body.role).toBe('supervisor');
    expect((await patch(second.token, second.agent.id, { active: false })).body.error.code).toBe('AUTH.LAST_ADMIN');
  });

  it('counts a deactivated admin as no admin', async () => {
    const oksana = await gw.manager('admin', 'Оксана');
    const bohdan = await gw.manager('admin', 'Богдан');
    expect((await patch(oksana.token, bohdan.agent.id, { active: false })).status).toBe(200);
    expect((await patch(oksana.token, oksana.agent.id, { role: 'agent' })).body.error.code).toBe('AUTH.LAST_ADMIN');
  });

  it('survives two admins demoting each other at once', async () => {
    const oksana = await gw.manager('admin', 'Оксана');
    const bohdan = await gw.manager('admin', 'Богдан');
    const answers = await Promise.all([
      patch(oksana.token, bohdan.agent.id, { role: 'agent' }),
      patch(bohdan.token, oksana.agent.id, { role: 'agent' }),
    ]);
    expect(answers.filter((a) => a.status === 200).length).toBeLessThanOrEqual(1);
    for (const a of answers) expect([200, 401, 409]).toContain(a.status);
    const admins = [oksana.agent.id, bohdan.agent.id].map(async (id) => (await gw.inbox.agents.get(id)).role);
    expect((await Promise.all(admins)).filter((role) => role === 'admin').length).toBeGreaterThanOrEqual(1);
  });
});
