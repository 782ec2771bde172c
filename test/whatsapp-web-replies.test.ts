import { Types } from 'mongoose';
import { iryna, mark, olena, textModel, type WaPerson } from './fixtures/whatsapp-web';
import { eventually, type SocketRecorder, sleep, type TestGateway, type TestManager } from './support/gateway';
import { inboxOf } from './support/inbox-reader';
import { type StandInFactory, type StandInWhatsAppWeb, startPairedWebInbox } from './support/stand-in-whatsapp-web';

describe('replies to WhatsApp Web customers go out through the session', () => {
  let gw: TestGateway;
  let factory: StandInFactory;
  let client: StandInWhatsAppWeb;
  let agent: TestManager;
  let agentLive: SocketRecorder;
  let supervisorLive: SocketRecorder;

  beforeAll(async () => {
    ({ gw, factory, client, agent, agentLive, supervisorLive } = await startPairedWebInbox());
  });
  afterAll(async () => {
    await gw.close();
  });

  async function customerWrites(from: WaPerson, text: string): Promise<string> {
    const model = textModel(from, text);
    client.receive(model);
    const event = await supervisorLive.waitFor('message:new', (p) => p.message.externalId === model.id._serialized);
    return event.conversation.id;
  }

  const reply = (conversationId: string, text: string) =>
    gw.request('POST', `/api/conversations/${conversationId}/messages`, { token: agent.token, json: { text } });

  it('sends the reply to the customer’s chat and follows its acks live: delivered, then read', async () => {
    const conversationId = await customerWrites(olena, 'Добрий день! Чи є кросівки 39 розміру?');
    const res = await reply(conversationId, 'Вітаю, Олено! Так, 39 розмір є. Оформити замовлення?');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ direction: 'out', status: 'queued', channel: 'whatsapp' });

    const sent = await agentLive.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'sent');
    expect(client.sent.map(({ chatId, content }) => ({ chatId, content }))).toEqual([
      { chatId: '380501234567@c.us', content: 'Вітаю, Олено! Так, 39 розмір є. Оформити замовлення?' },
    ]);
    const [record] = client.sent;
    if (!record) throw new Error('nothing sent');
    expect(sent.message.externalId).toBe(record.id);
    expect(record.id).toMatch(/^true_380501234567@c\.us_3EB0[0-9A-F]{16}$/);

    // SERVER (1) is what `sent` already says; DEVICE (2) and READ (3) move the message on, live.
    client.ack(record, 1);
    client.ack(record, 2);
    await agentLive.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'delivered');
    client.ack(record, 3);
    await agentLive.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'read');
    // A late DEVICE ack after READ changes nothing.
    client.ack(record, 2);
    await sleep(200);
    const statuses = agentLive
      .of('message:updated')
      .filter((p) => p.message.id === res.body.id)
      .map((p) => p.message.status as string);
    expect(statuses).toEqual(['sent', 'delivered', 'read']);
    const stored = await inboxOf(gw).messageByExternalId(record.id);
    expect(stored?.status).toBe('read');
  });

  it('spaces replies to one chat at least a second apart', async () => {
    const conversationId = await customerWrites(mark, 'Hi! Do you ship to Warsaw? And how long does it take?');
    const before = client.sent.length;
    const first = await reply(conversationId, 'Hi Mark! Yes, we ship to Poland.');
    const second = await reply(conversationId, 'It usually takes 2-3 working days.');
    expect([first.status, second.status]).toEqual([201, 201]);

    await agentLive.waitFor('message:updated', (p) => p.message.id === second.body.id && p.message.status === 'sent');
    await agentLive.waitFor('message:updated', (p) => p.message.id === first.body.id && p.message.status === 'sent');
    const sends = client.sent.slice(before);
    // The delivery queue may start the two jobs in either order; the pacing holds whichever goes second.
    expect(sends.map((s) => [s.chatId, s.content]).sort()).toEqual([
      ['447700900123@c.us', 'Hi Mark! Yes, we ship to Poland.'],
      ['447700900123@c.us', 'It usually takes 2-3 working days.'],
    ]);
    const [a, b] = sends;
    expect((b?.at ?? 0) - (a?.at ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it('marks the message failed when WhatsApp acks an error', async () => {
    const conversationId = await customerWrites(iryna, 'Можна оплатити частинами?');
    const res = await reply(conversationId, 'Так, до 4 платежів без переплат.');
    await agentLive.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'sent');
    const record = client.sent.find((s) => s.content === 'Так, до 4 платежів без переплат.');
    if (!record) throw new Error('nothing sent');

    client.ack(record, -1);
    const failed = await agentLive.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'failed');
    expect(failed.message.error).toBe('WhatsApp could not send the message (ack error)');
  });

  it('fails a reply to an id WhatsApp refuses at once, with the reason and an alert for supervisors', async () => {
    const conversationId = await customerWrites(iryna, 'І ще: доставка у Львів є?');
    client.failNextSend = new Error('Evaluation failed: Error: invalid wid');
    const res = await reply(conversationId, 'Так, Новою поштою.');

    const failed = await agentLive.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'failed');
    expect(failed.message.error).toBe('WhatsApp refused the recipient: Evaluation failed: Error: invalid wid');
    const alert = await supervisorLive.waitFor('alert', (p) => p.alert.conversationId === conversationId);
    expect(alert.alert).toMatchObject({ type: 'delivery_failed', channel: 'whatsapp' });
    const failedReply = await eventually(async () =>
      (await inboxOf(gw).messagesOf(conversationId)).find((m) => m.text === 'Так, Новою поштою.' && m.status === 'failed'),
    );
    // The outbox's count of attempts is no part of the managers' API.
    const stored = await (await gw.collection('messages')).findOne({ _id: new Types.ObjectId(failedReply.id) });
    expect(stored?.attempts ?? 0).toBeLessThanOrEqual(1);
    expect(client.sent.some((s) => s.content === 'Так, Новою поштою.')).toBe(false);
    expect(factory.clients).toHaveLength(1);
  });
});
