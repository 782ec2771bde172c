import { ann, olena, textUpdate } from './fixtures/telegram';
import { TestGateway, type TestManager } from './support/gateway';
import { InboxReader } from './support/inbox-reader';

describe('who may see and answer what', () => {
  let gw: TestGateway;
  let iryna: TestManager;
  let petro: TestManager;
  let olenasConversation: string;
  let inbox: InboxReader;

  beforeAll(async () => {
    gw = await TestGateway.start();
    inbox = new InboxReader(gw);
    iryna = await gw.manager('agent', 'Ірина');
    petro = await gw.manager('agent', 'Петро');
    // Only Iryna is online, so Olena's new conversation is hers.
    const socket = await gw.connect(iryna.token);
    await gw.postTelegram(textUpdate(olena, 'Скільки коштує доставка до Львова?'));
    olenasConversation = (await socket.waitFor('message:new')).conversation.id;
    socket.close();
  });
  afterAll(async () => {
    await gw.close();
  });

  it("denies an agent another agent's conversation over REST", async () => {
    const read = await gw.request('GET', `/api/conversations/${olenasConversation}`, { token: petro.token });
    const history = await gw.request('GET', `/api/conversations/${olenasConversation}/messages`, { token: petro.token });
    const reply = await gw.request('POST', `/api/conversations/${olenasConversation}/messages`, {
      token: petro.token,
      json: { text: 'Я відповім' },
    });
    expect([read.status, history.status, reply.status]).toEqual([403, 403, 403]);
    expect(reply.body.error.code).toBe('AUTH.FORBIDDEN');
    expect((await inbox.messages()).filter((m) => m.direction === 'out')).toEqual([]);
  });

  it("denies an agent another agent's conversation over the socket", async () => {
    const socket = await gw.connect(petro.token);
    const ack = await socket.emit('message:send', { conversationId: olenasConversation, text: 'Я відповім' });
    expect(ack).toEqual({ ok: false, error: { code: 'AUTH.FORBIDDEN', message: expect.any(String) } });
  });

  it('lists for an agent only their own conversations and the unassigned queue', async () => {
    const petroSocket = await gw.connect(petro.token);
    await gw.postTelegram(textUpdate(ann, 'Hi, do you ship to Poland?'));
    const annsConversation = (await petroSocket.waitFor('message:new', (p) => p.conversation.contact.name === 'Ann')).conversation;
    expect(annsConversation.assigneeId).not.toBe(iryna.agent.id);
    const petrosList = await gw.request('GET', '/api/conversations', { token: petro.token });
    expect(petrosList.body.items.map((c: { id: string }) => c.id)).toEqual([annsConversation.id]);
    const irynasList = await gw.request('GET', '/api/conversations', { token: iryna.token });
    expect(irynasList.body.items.map((c: { id: string }) => c.id)).toContain(olenasConversation);
  });

  it('lets a supervisor read and answer anything', async () => {
    const supervisor = await gw.manager('supervisor', 'Supervisor');
    const reply = await gw.request('POST', `/api/conversations/${olenasConversation}/messages`, {
      token: supervisor.token,
      json: { text: 'Доставка до Львова — 80 грн.' },
    });
    expect(reply.status).toBe(201);
  });

  it('refuses a socket with a bad token, and one with none', async () => {
    await expect(gw.connect('not-a-token')).rejects.toThrow(/invalid or expired/);
    await expect(gw.connect(undefined)).rejects.toThrow(/bearer token is required/);
  });

  it('refuses the API without a valid token', async () => {
    expect((await gw.request('GET', '/api/me')).status).toBe(401);
    expect((await gw.request('GET', '/api/me', { token: `${iryna.token}x` })).status).toBe(401);
  });

  it('lets only an admin create agents', async () => {
    const body = { name: 'Оксана', email: 'oksana@shop.example', password: 'довгий-пароль-1', role: 'agent' };
    expect((await gw.request('POST', '/api/agents', { token: iryna.token, json: body })).status).toBe(403);
    const admin = await gw.manager('admin', 'Admin');
    const created = await gw.request('POST', '/api/agents', { token: admin.token, json: body });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'Оксана',
      email: 'oksana@shop.example',
      role: 'agent',
      online: false,
      active: true,
    });
    expect((await gw.request('POST', '/api/agents', { token: admin.token, json: body })).status).toBe(409);
    const stored = await (await gw.collection('agents')).findOne({ email: 'oksana@shop.example' });
    expect(stored?.passwordHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(stored)).not.toContain('довгий-пароль-1');
  });

  it('locks out failed logins after five', async () => {
    const attempts = [];
    for (let i = 0; i < 6; i++) {
      attempts.push(
        (await gw.request('POST', '/api/auth/login', { json: { email: 'mallory@shop.example', password: `guess-${i}` } })).status,
      );
    }
    expect(attempts.slice(0, 5)).toEqual(Array(5).fill(401));
    expect(attempts[5]).toBe(429);
  });
});
