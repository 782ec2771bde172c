import { ann, olena, textUpdate } from './fixtures/telegram';
import { eventually, TestGateway, type TestManager } from './support/gateway';

describe('sending a failed reply again', () => {
  let gw: TestGateway;
  let agent: TestManager;

  beforeAll(async () => {
    gw = await TestGateway.start({ env: { DELIVERY_MAX_RETRIES: '0' } });
    agent = await gw.manager('agent', 'Ірина');
  });
  afterAll(async () => {
    await gw.close();
  });

  async function conversationOf(from: typeof olena | typeof ann, text: string): Promise<string> {
    const socket = await gw.connect(agent.token);
    await gw.postTelegram(textUpdate(from, text));
    const { conversation } = await socket.waitFor('message:new', (p) => p.message.text === text);
    socket.close();
    return conversation.id;
  }
  const sendsOf = (text: string) => gw.telegram.callsTo('sendMessage').filter((c) => c.body.text === text);

  it('queues a failed reply again, delivers it once more, and the page hears queued then sent', async () => {
    const conversationId = await conversationOf(olena, 'Чи є розмір 38?');
    let outage = true;
    gw.telegram.respond((call) =>
      outage && call.method === 'sendMessage' && call.body.text === 'Так, 38 є в наявності.'
        ? { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } }
        : undefined,
    );
    const socket = await gw.connect(agent.token);
    const reply = await gw.request('POST', `/api/conversations/${conversationId}/messages`, {
      token: agent.token,
      json: { text: 'Так, 38 є в наявності.' },
    });
    const failed = await socket.waitFor('message:updated', (p) => p.message.id === reply.body.id && p.message.status === 'failed');
    expect(failed.message.error).toMatch(/502/);
    expect(sendsOf('Так, 38 є в наявності.')).toHaveLength(1);

    outage = false;
    const retried = await gw.request('POST', `/api/conversations/${conversationId}/messages/${reply.body.id}/retry`, {
      token: agent.token,
    });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id: reply.body.id, status: 'queued', error: null });
    const sent = await socket.waitFor('message:updated', (p) => p.message.id === reply.body.id && p.message.status === 'sent');
    expect(sent.message.externalId).not.toBeNull();
    const statuses = socket
      .of('message:updated')
      .filter((p) => p.message.id === reply.body.id)
      .map((p) => p.message.status);
    expect(statuses).toEqual(['failed', 'queued', 'sent']);
    // The platform saw the failed attempt and exactly one more.
    expect(sendsOf('Так, 38 є в наявності.')).toHaveLength(2);
    const history = await gw.request('GET', `/api/conversations/${conversationId}/messages`, { token: agent.token });
    expect(history.body.items.find((m: { id: string }) => m.id === reply.body.id)).toMatchObject({ status: 'sent', error: null });
  });

  it('refuses to send again a reply that did not fail (409), and queues a failed one once for two clicks', async () => {
    const conversationId = await conversationOf(ann, 'Do you ship to Kraków?');
    const socket = await gw.connect(agent.token);
    const reply = await gw.request('POST', `/api/conversations/${conversationId}/messages`, {
      token: agent.token,
      json: { text: 'Yes, in 3 to 5 days.' },
    });
    await socket.waitFor('message:updated', (p) => p.message.id === reply.body.id && p.message.status === 'sent');
    const again = await gw.request('POST', `/api/conversations/${conversationId}/messages/${reply.body.id}/retry`, { token: agent.token });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('INBOX.NOT_RETRYABLE');
    expect(again.body.error.message).toMatch(/sent/);
    expect(sendsOf('Yes, in 3 to 5 days.')).toHaveLength(1);

    const unknown = await gw.request('POST', `/api/conversations/${conversationId}/messages/${'0'.repeat(24)}/retry`, {
      token: agent.token,
    });
    expect(unknown.status).toBe(404);

    gw.telegram.respond((call) =>
      call.method === 'sendMessage' &&
      call.body.text === 'Customs forms are attached.' &&
      sendsOf('Customs forms are attached.').length === 1
        ? { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } }
        : undefined,
    );
    const blocked = await gw.request('POST', `/api/conversations/${conversationId}/messages`, {
      token: agent.token,
      json: { text: 'Customs forms are attached.' },
    });
    await socket.waitFor('message:updated', (p) => p.message.id === blocked.body.id && p.message.status === 'failed');
    const path = `/api/conversations/${conversationId}/messages/${blocked.body.id}/retry`;
    const clicks = await Promise.all([gw.request('POST', path, { token: agent.token }), gw.request('POST', path, { token: agent.token })]);
    expect(clicks.map((r) => r.status).sort()).toEqual([200, 409]);
    await socket.waitFor('message:updated', (p) => p.message.id === blocked.body.id && p.message.status === 'sent');
    expect(sendsOf('Customs forms are attached.')).toHaveLength(2);
  });

  it('alerts again when a reply sent again fails again', async () => {
    const conversationId = await conversationOf(olena, 'Ви ще працюєте сьогодні?');
    gw.telegram.respond((call) =>
      call.method === 'sendMessage' && call.body.text === 'Так, до 20:00.'
        ? { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } }
        : undefined,
    );
    const sam = await gw.manager('supervisor', 'Supervisor Sam');
    const socket = await gw.connect(agent.token);
    const reply = await gw.request('POST', `/api/conversations/${conversationId}/messages`, {
      token: agent.token,
      json: { text: 'Так, до 20:00.' },
    });
    const failedOnce = (p: { message: { id: string; status: string } }) => p.message.id === reply.body.id && p.message.status === 'failed';
    await socket.waitFor('message:updated', failedOnce);
    await gw.request('POST', `/api/conversations/${conversationId}/messages/${reply.body.id}/retry`, { token: agent.token });
    await eventually(async () => socket.of('message:updated').filter(failedOnce).length === 2);
    const alerts = await eventually(async () => {
      const items = (await gw.request('GET', '/api/alerts', { token: sam.token })).body.items;
      const mine = items.filter((a: { type: string; messageId?: string }) => a.type === 'delivery_failed' && a.messageId === reply.body.id);
      return mine.length === 2 && mine;
    });
    expect(alerts).toHaveLength(2);
  });
});
