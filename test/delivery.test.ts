import { Types } from 'mongoose';
import { ann, olena, textUpdate } from './fixtures/telegram';
import { eventually, TestGateway, type TestManager } from './support/gateway';
import { InboxReader } from './support/inbox-reader';

describe('delivering replies to Telegram', () => {
  let gw: TestGateway;
  let agent: TestManager;
  let inbox: InboxReader;

  beforeAll(async () => {
    gw = await TestGateway.start({ env: { DELIVERY_MAX_RETRIES: '2', DELIVERY_RETRY_BASE: '100ms' } });
    agent = await gw.manager('agent', 'Ірина');
    inbox = new InboxReader(gw);
  });
  afterAll(async () => {
    await gw.close();
  });

  async function conversationOf(from: typeof olena | typeof ann, text: string): Promise<string> {
    await gw.postTelegram(textUpdate(from, text));
    const conversation = await inbox.conversationOf({ channel: 'telegram', externalId: String(from.id) });
    return String(conversation?.id);
  }

  it("waits as long as Telegram's retry_after says, then delivers", async () => {
    const conversationId = await conversationOf(olena, 'Коли буде знижка?');
    let limited = false;
    gw.telegram.respond((call) => {
      if (limited || call.method !== 'sendMessage' || call.body.text !== 'Знижка з понеділка') return undefined;
      limited = true;
      return {
        status: 429,
        body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } },
      };
    });
    const reply = await gw.request('POST', `/api/conversations/${conversationId}/messages`, {
      token: agent.token,
      json: { text: 'Знижка з понеділка' },
    });
    const sent = await eventually(async () => {
      const m = (await inbox.messagesOf(conversationId)).find((m) => m.text === 'Знижка з понеділка');
      return m?.status === 'sent' && m;
    });
    const calls = gw.telegram.callsTo('sendMessage').filter((c) => c.body.text === 'Знижка з понеділка');
    expect(calls).toHaveLength(2);
    const first = calls[0]?.at ?? 0;
    const last = calls.at(-1)?.at ?? 0;
    expect(last - first).toBeGreaterThanOrEqual(950);
    // The outbox's count of attempts is no part of the managers' API.
    const outbox = await gw.collection('messages');
    expect((await outbox.findOne({ _id: new Types.ObjectId(sent.id) }))?.attempts).toBeGreaterThanOrEqual(1);
    expect(reply.status).toBe(201);
  });

  it('marks a reply failed at once when the customer blocked the bot, keeps the text, and alerts', async () => {
    const conversationId = await conversationOf(ann, 'Never mind, cancel my order');
    gw.telegram.respond((call) =>
      call.method === 'sendMessage' && call.body.text === 'Your order is cancelled.'
        ? { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } }
        : undefined,
    );
    const supervisor = await gw.manager('supervisor', 'Supervisor');
    const socket = await gw.connect(supervisor.token);
    const reply = await gw.request('POST', `/api/conversations/${conversationId}/messages`, {
      token: agent.token,
      json: { text: 'Your order is cancelled.' },
    });
    const failed = await socket.waitFor('message:updated', (p) => p.message.id === reply.body.id && p.message.status === 'failed');
    expect(failed.message.text).toBe('Your order is cancelled.');
    expect(failed.message.error).toMatch(/blocked by the user/);
    const alert = await socket.waitFor('alert', (p) => p.alert.type === 'delivery_failed');
    expect(alert.alert).toMatchObject({ conversationId, channel: 'telegram', messageId: reply.body.id });
    expect(gw.telegram.callsTo('sendMessage').filter((c) => c.body.text === 'Your order is cancelled.')).toHaveLength(1);
    const alerts = await gw.request('GET', '/api/alerts', { token: supervisor.token });
    expect(alerts.body.items.map((a: { type: string }) => a.type)).toContain('delivery_failed');
  });

  it('gives up after the configured retries when Telegram keeps failing', async () => {
    const conversationId = await conversationOf(olena, 'Ви працюєте у вихідні?');
    gw.telegram.respond((call) =>
      call.method === 'sendMessage' && call.body.text === 'Так, у суботу до 16:00'
        ? { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } }
        : undefined,
    );
    const reply = await gw.request('POST', `/api/conversations/${conversationId}/messages`, {
      token: agent.token,
      json: { text: 'Так, у суботу до 16:00' },
    });
    const failed = await eventually(async () => {
      const m = (await inbox.messagesOf(conversationId)).find((m) => m.text === 'Так, у суботу до 16:00');
      return m?.status === 'failed' && m;
    }, 20_000);
    expect(failed.error).toMatch(/502/);
    expect(failed.id).toBe(reply.body.id);
  });
});
