import { ann, olena, textUpdate } from './fixtures/telegram';
import { eventually, TestGateway, type TestManager } from './support/gateway';

describe('internal notes on a conversation', () => {
  let gw: TestGateway;
  let supervisor: TestManager;
  beforeAll(async () => {
    gw = await TestGateway.start();
    supervisor = await gw.manager('supervisor', 'Оксана Левченко');
  });
  afterAll(async () => {
    await gw.close();
  });

  /** The stored-messages counter of /metrics, by its label set (`channel="telegram",direction="out"`). */
  const messagesCounted = async (labels: string) => {
    const metrics = await gw.request<string>('GET', '/metrics');
    return Number(new RegExp(`inbox_messages_total\\{${labels}\\} (\\d+)`).exec(metrics.body)?.[1] ?? 0);
  };
  const conversationOf = async (name: string) => {
    const list = await gw.request('GET', '/api/conversations', { token: supervisor.token });
    return list.body.items.find((c: { contact: { name: string } }) => c.contact.name === name);
  };

  it('stores a note with its author, pushes it live as a message, and leaves the customer waiting, unread and previewed as before', async () => {
    const watcher = await gw.online('supervisor', 'Сем Коваль');
    await gw.postTelegram(textUpdate(olena, 'Чи є у вас ця сукня в розмірі M?'));
    const before = await eventually(() => conversationOf('Олена Коваленко'));
    expect(before.awaitingReplySince).not.toBeNull();
    const repliesCounted = await messagesCounted('channel="telegram",direction="out"');
    expect(await messagesCounted('channel="telegram",direction="in"')).toBe(1);

    const posted = await gw.request('POST', `/api/conversations/${before.id}/notes`, {
      token: supervisor.token,
      json: { text: 'Уточнити на складі: розмір M був лише в чорному.' },
    });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({
      conversationId: before.id,
      note: true,
      direction: 'out',
      sender: { type: 'agent', id: supervisor.agent.id, name: 'Оксана Левченко' },
      text: 'Уточнити на складі: розмір M був лише в чорному.',
    });

    const pushed = await watcher.socket.waitFor('message:new', (p) => p.message.id === posted.body.id);
    expect(pushed.message.note).toBe(true);
    expect(pushed.conversation).toEqual(before);

    // A note is no reply in the figures either.
    expect(await messagesCounted('channel="telegram",direction="out"')).toBe(repliesCounted);
    const after = await gw.request('GET', `/api/conversations/${before.id}`, { token: supervisor.token });
    expect(after.body).toEqual(before);
    expect(after.body).toMatchObject({ awaitingReplySince: before.awaitingReplySince, firstResponseAt: null, unreadCount: 1 });
    const history = await gw.request('GET', `/api/conversations/${before.id}/messages`, { token: supervisor.token });
    expect(history.body.items.map((m: { text: string; note?: boolean }) => [m.text, m.note ?? false])).toEqual([
      ['Чи є у вас ця сукня в розмірі M?', false],
      ['Уточнити на складі: розмір M був лише в чорному.', true],
    ]);
  });

  it('never reaches the customer: only the reply after it goes to Telegram, and only the reply ends the wait', async () => {
    const olenas = await conversationOf('Олена Коваленко');
    await gw.request('POST', `/api/conversations/${olenas.id}/notes`, {
      token: supervisor.token,
      json: { text: 'Клієнтка постійна, можна дати знижку 5%.' },
    });
    const reply = await gw.request('POST', `/api/conversations/${olenas.id}/messages`, {
      token: supervisor.token,
      json: { text: 'Так, розмір M є в чорному кольорі.' },
    });
    expect(reply.status).toBe(201);
    await gw.telegram.waitForCalls('sendMessage', 1);
    await eventually(async () => {
      const history = await gw.request('GET', `/api/conversations/${olenas.id}/messages`, { token: supervisor.token });
      return history.body.items.find((m: { id: string; status: string }) => m.id === reply.body.id)?.status === 'sent';
    });
    expect(gw.telegram.callsTo('sendMessage').map((c) => c.body.text)).toEqual(['Так, розмір M є в чорному кольорі.']);
    const answered = await gw.request('GET', `/api/conversations/${olenas.id}`, { token: supervisor.token });
    expect(answered.body).toMatchObject({ awaitingReplySince: null, lastMessagePreview: 'Так, розмір M є в чорному кольорі.' });
    expect(answered.body.firstResponseAt).not.toBeNull();
  });

  it('takes notes only from managers who may work on the conversation, and only with text', async () => {
    await gw.postTelegram(textUpdate(ann, 'Do you ship to Kraków?'));
    const anns = await eventually(() => conversationOf('Ann'));
    const owner = await gw.manager('agent', 'Ірина Бондар');
    const other = await gw.manager('agent', 'Тарас Мельник');
    await gw.request('POST', `/api/conversations/${anns.id}/assign`, { token: supervisor.token, json: { agentId: owner.agent.id } });

    const forbidden = await gw.request('POST', `/api/conversations/${anns.id}/notes`, { token: other.token, json: { text: 'Not mine' } });
    expect(forbidden.status).toBe(403);
    for (const json of [{}, { text: '   ' }, { text: 'ok', attachments: [] }, { text: 'x'.repeat(4097) }]) {
      const bad = await gw.request('POST', `/api/conversations/${anns.id}/notes`, { token: owner.token, json });
      expect([bad.status, bad.body.error.code]).toEqual([400, 'INBOX.BAD_INPUT']);
    }
    expect((await gw.request('POST', '/api/conversations/nope/notes', { token: owner.token, json: { text: 'x' } })).status).toBe(404);
    expect((await gw.request('POST', `/api/conversations/${anns.id}/notes`, { json: { text: 'x' } })).status).toBe(401);

    const mine = await gw.request('POST', `/api/conversations/${anns.id}/notes`, {
      token: owner.token,
      json: { text: 'Asked about delivery to Poland: check the courier rates.' },
    });
    expect(mine.status).toBe(201);
    const history = await gw.request('GET', `/api/conversations/${anns.id}/messages`, { token: owner.token });
    expect(history.body.items.map((m: { text: string }) => m.text)).toEqual([
      'Do you ship to Kraków?',
      'Asked about delivery to Poland: check the courier rates.',
    ]);
  });
});
