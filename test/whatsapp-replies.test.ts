import { callback, idOf, nowSeconds, olena, sheena, statusesValue, taras, textCallback } from './fixtures/whatsapp';
import { FakeGraph, graphError } from './support/fake-graph';
import { eventually, type SocketRecorder, sleep, type TestManager } from './support/gateway';
import { MetaGateway, WHATSAPP } from './support/meta';

const HOUR = 3600_000;

describe('replies to WhatsApp customers through the Cloud API', () => {
  let meta: MetaGateway;
  let agent: TestManager;
  let supervisor: TestManager;
  let agentLive: SocketRecorder;
  let supervisorLive: SocketRecorder;

  beforeAll(async () => {
    meta = await MetaGateway.start();
    agent = await meta.gw.manager('agent', 'Ірина Мельник');
    supervisor = await meta.gw.manager('supervisor', 'Supervisor Sam');
    agentLive = await meta.gw.connect(agent.token);
    supervisorLive = await meta.gw.connect(supervisor.token);
  });
  afterAll(async () => {
    await meta.close();
  });

  /** A customer writes; resolves with the conversation id once it is live. */
  async function customerWrites(from: typeof olena, text: string): Promise<string> {
    const payload = textCallback(from, text);
    expect((await meta.post('whatsapp', payload)).status).toBe(200);
    const event = await supervisorLive.waitFor('message:new', (p) => p.message.externalId === idOf(payload));
    return event.conversation.id;
  }

  const reply = (conversationId: string, json: unknown) =>
    meta.gw.request('POST', `/api/conversations/${conversationId}/messages`, { token: agent.token, json });

  it('sends the reply as the Cloud API expects and follows its statuses live, never backwards', async () => {
    const conversationId = await customerWrites(olena, 'Добрий день! Чи є кросівки 39 розміру?');
    const sentId = 'wamid.HBgMMzgwNjcxMjM0NTY3FQIAERgSQzVBMEE4RjE2QjE4RkE1QjlEAA==';
    graph().respond((call) =>
      call.body?.text?.body === 'Вітаю, Олено! Так, 39 розмір є. Оформити замовлення?'
        ? {
            status: 200,
            body: { messaging_product: 'whatsapp', contacts: [{ input: olena.waId, wa_id: olena.waId }], messages: [{ id: sentId }] },
          }
        : undefined,
    );

    const res = await reply(conversationId, { text: 'Вітаю, Олено! Так, 39 розмір є. Оформити замовлення?' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ direction: 'out', status: 'queued', channel: 'whatsapp' });

    const [call] = await graph().waitForSends(1);
    expect(call).toMatchObject({
      method: 'POST',
      path: `/v21.0/${WHATSAPP.phoneNumberId}/messages`,
      authorization: `Bearer ${WHATSAPP.token}`,
      contentType: 'application/json',
    });
    expect(call?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: olena.waId,
      type: 'text',
      text: { preview_url: false, body: 'Вітаю, Олено! Так, 39 розмір є. Оформити замовлення?' },
    });
    const sent = await agentLive.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'sent');
    expect(sent.message.externalId).toBe(sentId);

    const t = Number(nowSeconds());
    const status = (s: string, at: number) =>
      callback(statusesValue([{ id: sentId, status: s, recipient: olena.waId, timestamp: String(at) }]));
    expect((await meta.post('whatsapp', status('delivered', t + 1))).status).toBe(200);
    await agentLive.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'delivered');
    expect((await meta.post('whatsapp', status('read', t + 5))).status).toBe(200);
    await agentLive.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'read');

    // A late `delivered` (and a redelivered `sent`) arrive after `read`: acknowledged, the message stays read.
    expect((await meta.post('whatsapp', status('delivered', t + 1))).status).toBe(200);
    expect((await meta.post('whatsapp', status('sent', t))).status).toBe(200);
    await sleep(300);
    const updates = agentLive.of('message:updated').filter((p) => p.message.id === res.body.id);
    const statuses = updates.map((p) => p.message.status as string).filter((s, i, all) => s !== all[i - 1]);
    expect(statuses).toEqual(['sent', 'delivered', 'read']);
    const stored = await meta.inbox.messageByExternalId(sentId);
    expect(stored?.status).toBe('read');
  });

  it('applies statuses batched out of order in one callback by their timestamps', async () => {
    const conversationId = await customerWrites(sheena, 'Do you ship to Warsaw?');
    const res = await reply(conversationId, { text: 'Yes, we ship to Poland in 2-3 days.' });
    const sent = await agentLive.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'sent');
    const id = sent.message.externalId as string;
    expect(id).toMatch(/^wamid\./);

    const t = Number(nowSeconds());
    const payload = callback(
      statusesValue([
        { id, status: 'read', recipient: sheena.waId, timestamp: String(t + 9) },
        { id, status: 'delivered', recipient: sheena.waId, timestamp: String(t + 2) },
      ]),
    );
    expect((await meta.post('whatsapp', payload)).status).toBe(200);
    await agentLive.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'read');
    expect((await meta.inbox.messageByExternalId(id))?.status).toBe('read');
  });

  it('marks a message failed with the reason WhatsApp gives in a failed status', async () => {
    const conversationId = await customerWrites(olena, 'А можна ще уточнити адресу?');
    const res = await reply(conversationId, { text: 'Звісно, напишіть, будь ласка, номер відділення.' });
    const sent = await agentLive.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'sent');
    const failed = callback(
      statusesValue([
        {
          id: sent.message.externalId,
          status: 'failed',
          recipient: olena.waId,
          timestamp: nowSeconds(1),
          errors: [
            {
              code: 131026,
              title: 'Message undeliverable',
              message: 'Message undeliverable',
              error_data: { details: 'Message Undeliverable.' },
            },
          ],
        },
      ]),
    );
    expect((await meta.post('whatsapp', failed)).status).toBe(200);
    const update = await agentLive.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'failed');
    expect(update.message.error).toBe('Message undeliverable (131026): Message Undeliverable.');
  });

  it('refuses free text after 24 hours with 409, and sends an approved template instead', async () => {
    const conversationId = await customerWrites(taras, 'Коли буде поповнення чорних курток?');
    meta.clock.advance(25 * HOUR);
    const sendsBefore = graph().sends().length;
    const messagesBefore = (await meta.inbox.messages()).length;

    const late = await reply(conversationId, { text: 'Тарасе, куртки вже на складі!' });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('INBOX.OUTSIDE_REPLY_WINDOW');
    expect(late.body.error.message).toMatch(/template/);
    expect(await meta.inbox.messages()).toHaveLength(messagesBefore);

    const template = await reply(conversationId, {
      template: { name: 'restock_notice', language: 'uk', params: ['Тарас', 'чорні куртки'] },
    });
    expect(template.status).toBe(201);
    expect(template.body).toMatchObject({
      status: 'queued',
      template: { name: 'restock_notice', language: 'uk', params: ['Тарас', 'чорні куртки'] },
    });

    const sends = await graph().waitForSends(sendsBefore + 1);
    expect(FakeGraph.distinctBodies(sends.slice(sendsBefore))).toEqual([
      {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: taras.waId,
        type: 'template',
        template: {
          name: 'restock_notice',
          language: { policy: 'deterministic', code: 'uk' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Тарас' },
                { type: 'text', text: 'чорні куртки' },
              ],
            },
          ],
        },
      },
    ]);
    await agentLive.waitFor('message:updated', (p) => p.message.id === template.body.id && p.message.status === 'sent');
  });

  it('gives up at once when WhatsApp says the window is closed, and alerts supervisors', async () => {
    const conversationId = await customerWrites(sheena, 'Can I change the delivery address?');
    graph().respond((call) =>
      call.body?.text?.body === 'Sure, what is the new address?'
        ? graphError(400, 131047, '(#131047) Re-engagement message', {
            error_data: {
              messaging_product: 'whatsapp',
              details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
            },
          })
        : undefined,
    );
    const res = await reply(conversationId, { text: 'Sure, what is the new address?' });
    const failed = await agentLive.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'failed');
    expect(failed.message.error).toMatch(/24 hours.*template.*131047/s);
    const alert = await supervisorLive.waitFor(
      'alert',
      (p) => p.alert.type === 'delivery_failed' && p.alert.conversationId === conversationId,
    );
    expect(alert.alert.channel).toBe('whatsapp');
    // No retry follows: longer than the queue's first backoff later, nothing more was sent and the message stays failed.
    const attempts = () =>
      graph()
        .sends()
        .filter((c) => c.body?.text?.body === 'Sure, what is the new address?').length;
    const atFailure = attempts();
    await sleep(2_600);
    expect(attempts()).toBe(atFailure);
    expect((await meta.inbox.messagesOf(conversationId)).find((m) => m.id === res.body.id)?.status).toBe('failed');
  });

  it('retries after a throughput rate limit and then delivers', async () => {
    const conversationId = await customerWrites(olena, 'Дякую! А оплата карткою при отриманні можлива?');
    let refused = 0;
    graph().respond((call) => {
      if (call.body?.text?.body !== 'Так, оплата карткою на пошті можлива.' || refused > 0) return undefined;
      refused += 1;
      return graphError(400, 130429, '(#130429) Rate limit hit', {
        error_data: { messaging_product: 'whatsapp', details: 'Cloud API message throughput has been reached.' },
      });
    });
    const res = await reply(conversationId, { text: 'Так, оплата карткою на пошті можлива.' });
    const sent = await agentLive.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'sent', 20_000);
    expect(sent.message.externalId).toMatch(/^wamid\./);
    const attempts = graph()
      .sends()
      .filter((c) => c.body?.text?.body === 'Так, оплата карткою на пошті можлива.');
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(refused).toBe(1);
    // The outbox's count of attempts is no part of the managers' API.
    await eventually(async () => (await (await meta.collection('messages')).findOne({ _id: await objectId(res.body.id) }))?.attempts >= 2);
  });

  const graph = () => meta.graph;
});

async function objectId(id: string) {
  const { Types } = await import('mongoose');
  return new Types.ObjectId(id);
}
