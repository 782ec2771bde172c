import { ann, olena, textUpdate } from './fixtures/telegram';
import { TestGateway, type TestManager } from './support/gateway';

describe('the conversations API', () => {
  let gw: TestGateway;
  let supervisor: TestManager;
  beforeAll(async () => {
    gw = await TestGateway.start();
    supervisor = await gw.manager('supervisor', 'Supervisor');
  });
  afterAll(async () => {
    await gw.close();
  });

  it('pages through the inbox newest first with a cursor, without repeats or gaps', async () => {
    for (let i = 0; i < 7; i++) {
      await gw.postTelegram(textUpdate({ id: 9000 + i, is_bot: false, first_name: `Клієнт${i}` } as typeof ann, `Питання ${i}`));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { contact: { name: string } }[]; nextCursor: string | null } } = await gw.request(
        'GET',
        `/api/conversations?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        { token: supervisor.token },
      );
      seen.push(...page.body.items.map((c) => c.contact.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['Клієнт6', 'Клієнт5', 'Клієнт4', 'Клієнт3', 'Клієнт2', 'Клієнт1', 'Клієнт0']);
  });

  it('pages through a history oldest first', async () => {
    for (const text of ['Один', 'Два', 'Три', 'Чотири']) await gw.postTelegram(textUpdate(olena, text));
    const list = await gw.request('GET', '/api/conversations', { token: supervisor.token });
    const id = list.body.items.find((c: { contact: { name: string } }) => c.contact.name === 'Олена Коваленко').id;
    const first = await gw.request('GET', `/api/conversations/${id}/messages?limit=3`, { token: supervisor.token });
    const second = await gw.request('GET', `/api/conversations/${id}/messages?limit=3&cursor=${first.body.nextCursor}`, {
      token: supervisor.token,
    });
    expect([...first.body.items, ...second.body.items].map((m: { text: string }) => m.text)).toEqual(['Один', 'Два', 'Три', 'Чотири']);
    expect(second.body.nextCursor).toBeNull();
  });

  it('filters by channel and status, and refuses a cursor it did not hand out', async () => {
    const api = await gw.request('GET', '/api/conversations?channel=api', { token: supervisor.token });
    expect(api.body.items).toEqual([]);
    const bad = await gw.request('GET', '/api/conversations?cursor=bm9uc2Vuc2U', { token: supervisor.token });
    expect(bad.status).toBe(400);
    const badStatus = await gw.request('GET', '/api/conversations?status=archived', { token: supervisor.token });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.message).toMatch(/^status:/);
    const twoBad = await gw.request('GET', '/api/conversations?status=archived&channel=fax', { token: supervisor.token });
    expect(twoBad.status).toBe(400);
    // Every field at fault in one answer, not one per try.
    expect(twoBad.body.error.message).toMatch(/^status: .+; channel: /);
  });

  it('closes a lead as lost only with a reason from the list, and reopens it when the customer writes again', async () => {
    await gw.postTelegram(textUpdate(ann, 'How much is delivery to Warsaw?'));
    const list = await gw.request('GET', '/api/conversations', { token: supervisor.token });
    const id = list.body.items.find((c: { contact: { name: string } }) => c.contact.name === 'Ann').id;
    const reasons = (await gw.request('GET', '/api/loss-reasons', { token: supervisor.token })).body.items;
    const price = reasons.find((r: { label: string }) => r.label === 'Ціна');

    const noReason = await gw.request('POST', `/api/conversations/${id}/status`, {
      token: supervisor.token,
      json: { status: 'resolved', outcome: 'lost' },
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('INBOX.LOSS_REASON_REQUIRED');
    expect((await gw.request('GET', `/api/conversations/${id}`, { token: supervisor.token })).body.status).toBe('open');

    const lost = await gw.request('POST', `/api/conversations/${id}/status`, {
      token: supervisor.token,
      json: { status: 'resolved', outcome: 'lost', lossReasonId: price.id, lossNote: 'too expensive with delivery' },
    });
    expect(lost.body).toMatchObject({
      status: 'resolved',
      outcome: 'lost',
      lossReason: 'Ціна',
      lossReasonId: price.id,
      lossNote: 'too expensive with delivery',
      awaitingReplySince: null,
    });

    await gw.postTelegram(textUpdate(ann, 'Actually, I changed my mind'));
    const reopened = await gw.request('GET', `/api/conversations/${id}`, { token: supervisor.token });
    expect(reopened.body).toMatchObject({ status: 'open', outcome: null, lossReason: null, lossReasonId: null, lossNote: null });
    expect(reopened.body.awaitingReplySince).not.toBeNull();
  });

  it('marks a conversation read', async () => {
    const socket = await gw.connect(supervisor.token);
    const list = await gw.request('GET', '/api/conversations', { token: supervisor.token });
    const unread = list.body.items.find((c: { unreadCount: number }) => c.unreadCount > 0);
    const ack = await socket.emit('conversation:read', { conversationId: unread.id });
    expect(ack).toMatchObject({ ok: true, conversation: { id: unread.id, unreadCount: 0 } });
  });

  it('answers 404 for a conversation that does not exist and 400 for an empty reply', async () => {
    expect((await gw.request('GET', '/api/conversations/0123456789abcdef01234567', { token: supervisor.token })).status).toBe(404);
    const list = await gw.request('GET', '/api/conversations', { token: supervisor.token });
    const empty = await gw.request('POST', `/api/conversations/${list.body.items[0].id}/messages`, {
      token: supervisor.token,
      json: { text: '   ' },
    });
    expect(empty.status).toBe(400);
  });
});

describe('health and metrics', () => {
  it('reports the store as up and counts messages and response times for Prometheus', async () => {
    const gw = await TestGateway.start();
    try {
      expect(await gw.request('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
      const agent = await gw.manager('agent', 'Ірина');
      const socket = await gw.connect(agent.token);
      await gw.postTelegram(textUpdate(olena, 'Доброго ранку!'));
      const { conversation } = await socket.waitFor('message:new');
      const reply = await gw.request('POST', `/api/conversations/${conversation.id}/messages`, {
        token: agent.token,
        json: { text: 'Доброго ранку, Олено!' },
      });
      await socket.waitFor('message:updated', (p) => p.message.id === reply.body.id && p.message.status === 'sent');
      const metrics = await gw.request('GET', '/metrics');
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(metrics.body).toMatch(/^inbox_messages_total\{channel="telegram",direction="in"\} 1$/m);
      expect(metrics.body).toMatch(/^inbox_messages_total\{channel="telegram",direction="out"\} 1$/m);
      expect(metrics.body).toMatch(/^inbox_first_response_seconds_count\{channel="telegram"\} 1$/m);
      expect(metrics.body).toMatch(/^inbox_outbound_queue_depth \d+$/m);
    } finally {
      await gw.close();
    }
  });
});
