import { olena, textUpdate } from './fixtures/telegram';
import { TELEGRAM_TOKEN, TestGateway } from './support/gateway';

describe('a Telegram customer and a manager, end to end', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await TestGateway.start();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('shows the customer message live to the online agent and the supervisor, and delivers the reply', async () => {
    const agent = await gw.manager('agent', 'Ірина');
    const supervisor = await gw.manager('supervisor', 'Supervisor Sam');
    const agentSocket = await gw.connect(agent.token);
    const supervisorSocket = await gw.connect(supervisor.token);

    const update = textUpdate(olena, 'Добрий день! Чи є в наявності кросівки 39 розміру?');
    const webhook = await gw.postTelegram(update);
    expect(webhook.status).toBe(200);

    const live = await agentSocket.waitFor('message:new');
    const seenBySupervisor = await supervisorSocket.waitFor('message:new');
    expect(live.message).toMatchObject({
      channel: 'telegram',
      direction: 'in',
      text: 'Добрий день! Чи є в наявності кросівки 39 розміру?',
      status: 'received',
      sender: { type: 'contact', name: 'Олена Коваленко' },
      externalId: `${olena.id}:${update.message?.message_id}`,
    });
    // The only online agent gets the new conversation by round-robin.
    expect(live.conversation).toMatchObject({
      channel: 'telegram',
      status: 'open',
      assigneeId: agent.agent.id,
      contact: { name: 'Олена Коваленко' },
    });
    expect(live.conversation.awaitingReplySince).not.toBeNull();
    expect(seenBySupervisor.message.id).toBe(live.message.id);

    const conversationId = live.conversation.id;
    const reply = await gw.request('POST', `/api/conversations/${conversationId}/messages`, {
      token: agent.token,
      json: { text: 'Вітаю, Олено! Так, 39 розмір є. Оформити замовлення?' },
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ direction: 'out', status: 'queued', sender: { type: 'agent', id: agent.agent.id } });

    const [sent] = await gw.telegram.waitForCalls('sendMessage', 1);
    expect(sent?.token).toBe(TELEGRAM_TOKEN);
    expect(sent?.body).toEqual({ chat_id: String(olena.id), text: 'Вітаю, Олено! Так, 39 розмір є. Оформити замовлення?' });

    const delivered = await agentSocket.waitFor('message:updated', (p) => p.message.id === reply.body.id && p.message.status === 'sent');
    expect(delivered.message.externalId).toMatch(new RegExp(`^${olena.id}:\\d+$`));

    const conversation = await gw.request('GET', `/api/conversations/${conversationId}`, { token: agent.token });
    expect(conversation.body.firstResponseAt).not.toBeNull();
    expect(conversation.body.awaitingReplySince).toBeNull();

    const history = await gw.request('GET', `/api/conversations/${conversationId}/messages`, { token: agent.token });
    expect(history.body.items.map((m: { direction: string; status: string }) => [m.direction, m.status])).toEqual([
      ['in', 'received'],
      ['out', 'sent'],
    ]);
  });
});
