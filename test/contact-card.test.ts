import { formMessage, marta } from './fixtures/site-form';
import { olena, textUpdate } from './fixtures/telegram';
import { TestGateway, type TestManager } from './support/gateway';

describe('the contact of a conversation (GET /api/conversations/:id/contact)', () => {
  let gw: TestGateway;
  let supervisor: TestManager;
  const conversationOf = async (name: string) =>
    (await gw.request('GET', `/api/conversations?q=${encodeURIComponent(name)}`, { token: supervisor.token })).body.items[0];

  beforeAll(async () => {
    gw = await TestGateway.start();
    supervisor = await gw.manager('supervisor', 'Оксана Левченко');
    await gw.postTelegram(textUpdate(olena, 'Доброго дня! Чи є доставка до Ірпеня?'));
    await gw.postApi(formMessage(marta, 'Добрий день, хочу записатися на консультацію.'));
  });
  afterAll(async () => {
    await gw.close();
  });

  it('gives a Telegram customer’s id, username and language', async () => {
    const conversation = await conversationOf('Олена');
    const reply = await gw.request('GET', `/api/conversations/${conversation.id}/contact`, { token: supervisor.token });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      channel: 'telegram',
      externalId: String(olena.id),
      name: 'Олена Коваленко',
      username: 'olena_k',
      email: null,
      language: 'uk',
      reachable: true,
      source: null,
    });
  });

  it('gives a site form lead’s email and the form it came from', async () => {
    const conversation = await conversationOf('Марта');
    const reply = await gw.request('GET', `/api/conversations/${conversation.id}/contact`, { token: supervisor.token });
    expect(reply.body).toMatchObject({ channel: 'api', externalId: 'form-marta', email: 'marta@example.com', source: 'site-form' });
  });

  it('is refused to an agent for a conversation of someone else', async () => {
    const iryna = await gw.manager('agent', 'Ірина Бондар');
    const bohdan = await gw.manager('agent', 'Богдан Кравець');
    const conversation = await conversationOf('Олена');
    await gw.request('POST', `/api/conversations/${conversation.id}/assign`, {
      token: supervisor.token,
      json: { agentId: iryna.agent.id },
    });
    const reply = await gw.request('GET', `/api/conversations/${conversation.id}/contact`, { token: bohdan.token });
    expect([403, 404]).toContain(reply.status);
    expect(reply.body.error.code).toMatch(/^(AUTH\.FORBIDDEN|INBOX\.CONVERSATION_NOT_FOUND)$/);
  });
});
