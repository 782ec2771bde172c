import { callback, echo, fromCustomer, mark, mid, oksana, sofia, textMessage } from './fixtures/instagram';
import { FakeGraph, graphError } from './support/fake-graph';
import { eventually, type SocketRecorder, sleep, type TestManager } from './support/gateway';
import { INSTAGRAM, MetaGateway } from './support/meta';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe('replies to Instagram customers through the Send API', () => {
  let meta: MetaGateway;
  let agent: TestManager;
  let live: SocketRecorder;

  beforeAll(async () => {
    meta = await MetaGateway.start();
    for (const who of [sofia, mark, oksana]) meta.graph.profiles.set(who.igsid, { name: who.name, username: who.username });
    agent = await meta.gw.manager('agent', 'Ірина Мельник');
    live = await meta.gw.connect(agent.token);
  });
  afterAll(async () => {
    await meta.close();
  });

  async function customerWrites(who: typeof sofia, text: string): Promise<string> {
    const id = mid();
    expect((await meta.post('instagram', callback([textMessage(who, text, id)]))).status).toBe(200);
    return (await live.waitFor('message:new', (p) => p.message.externalId === id)).conversation.id;
  }

  const reply = (conversationId: string, json: unknown) =>
    meta.gw.request('POST', `/api/conversations/${conversationId}/messages`, { token: agent.token, json });

  const sendsTo = (who: typeof sofia) => meta.graph.sends().filter((c) => c.body?.recipient?.id === who.igsid);

  it('sends a reply as the Send API expects; the read receipt marks it read live; its echo is not a customer message', async () => {
    const conversationId = await customerWrites(sofia, 'Добрий день! Скільки коштує доставка до Києва?');
    const sentMid = 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA1ODIyMzA0OTE0OjM0MDI4MjM2Njg0MTcxMDMwMTI0NDI2NTY1MDAwMDAwMDA5';
    meta.graph.respond((call) =>
      call.body?.message?.text === 'Доставка до Києва — 70 грн, безкоштовно від 1500 грн.'
        ? { status: 200, body: { recipient_id: sofia.igsid, message_id: sentMid } }
        : undefined,
    );
    const res = await reply(conversationId, { text: 'Доставка до Києва — 70 грн, безкоштовно від 1500 грн.' });
    expect(res.status).toBe(201);

    const sent = await live.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'sent');
    expect(sent.message.externalId).toBe(sentMid);
    const [call] = sendsTo(sofia);
    expect(call).toMatchObject({
      method: 'POST',
      path: `/v21.0/${INSTAGRAM.accountId}/messages`,
      authorization: `Bearer ${INSTAGRAM.accessToken}`,
      contentType: 'application/json',
    });
    expect(call?.body).toEqual({
      recipient: { id: sofia.igsid },
      message: { text: 'Доставка до Києва — 70 грн, безкоштовно від 1500 грн.' },
    });

    // Instagram echoes our own message back, then reports it read.
    const before = (await meta.inbox.messages()).length;
    expect(
      (await meta.post('instagram', callback([echo(sofia, 'Доставка до Києва — 70 грн, безкоштовно від 1500 грн.', sentMid)]))).status,
    ).toBe(200);
    const read = callback([fromCustomer(sofia, { read: { mid: sentMid } })]);
    expect((await meta.post('instagram', read)).status).toBe(200);
    const update = await live.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'read');
    expect(update.message.direction).toBe('out');
    await sleep(200);
    expect(await meta.inbox.messages()).toHaveLength(before);
    expect(live.of('message:new').filter((p) => p.message.externalId === sentMid)).toHaveLength(0);
  });

  it('tags a reply between 24 hours and 7 days as a human agent’s', async () => {
    const conversationId = await customerWrites(mark, 'Hi! Can I still return the sneakers I bought last month?');
    meta.clock.advance(30 * HOUR);
    const res = await reply(conversationId, { text: 'Hi Mark, sorry for the wait! Yes, returns are open for 60 days.' });
    expect(res.status).toBe(201);
    await live.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'sent');
    expect(FakeGraph.distinctBodies(sendsTo(mark))).toEqual([
      {
        recipient: { id: mark.igsid },
        message: { text: 'Hi Mark, sorry for the wait! Yes, returns are open for 60 days.' },
        messaging_type: 'MESSAGE_TAG',
        tag: 'HUMAN_AGENT',
      },
    ]);
  });

  it('refuses a reply more than 7 days after the customer’s last message with a clear 409', async () => {
    const conversationId = await customerWrites(oksana, 'Чи можна обміняти светр на інший колір?');
    meta.clock.advance(8 * DAY);
    const messagesBefore = (await meta.inbox.messages()).length;
    const res = await reply(conversationId, { text: 'Оксано, так, обмін можливий.' });
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({
      code: 'INBOX.OUTSIDE_REPLY_WINDOW',
      message: "instagram allows free-text replies only within 7 days of the customer's last message",
    });
    const template = await reply(conversationId, { template: { name: 'restock_notice', language: 'uk', params: [] } });
    expect(template.status).toBe(400);
    await sleep(200);
    expect(await meta.inbox.messages()).toHaveLength(messagesBefore);
    expect(sendsTo(oksana)).toHaveLength(0);

    // The customer writes again: the window opens anew and a plain reply goes out untagged.
    await customerWrites(oksana, 'Алло? Чекаю на відповідь 🙏');
    const again = await reply(conversationId, { text: 'Вибачте за очікування! Так, обмін можливий.' });
    expect(again.status).toBe(201);
    await live.waitFor('message:updated', (p) => p.message.id === again.body.id && p.message.status === 'sent');
    expect(FakeGraph.distinctBodies(sendsTo(oksana))).toEqual([
      { recipient: { id: oksana.igsid }, message: { text: 'Вибачте за очікування! Так, обмін можливий.' } },
    ]);
  });

  it('splits a reply longer than Instagram takes into parts, in order', async () => {
    const conversationId = await customerWrites(sofia, 'Розкажіть, будь ласка, детально про догляд за вовняним пальто');
    const paragraph = 'Пальто з вовни чистимо лише сухою хімчисткою, сушимо горизонтально, подалі від батареї. ';
    const text = paragraph.repeat(14).trim();
    expect(Buffer.byteLength(text)).toBeGreaterThan(2000);
    const before = sendsTo(sofia).length;
    const res = await reply(conversationId, { text });
    const sent = await live.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'sent');

    const parts = FakeGraph.distinctBodies(sendsTo(sofia).slice(before)).map((b) => (b as { message: { text: string } }).message.text);
    expect(parts.length).toBe(3);
    for (const part of parts) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(1000);
    expect(parts.join(' ')).toBe(text);
    expect(sent.message.text).toBe(text);
    expect(sent.message.externalId).toMatch(/^aWdf/);
  });

  it('fails at once, with the reason, when Instagram says the person is not available', async () => {
    const conversationId = await customerWrites(mark, 'One more question about sizes');
    meta.graph.respond((call) =>
      call.body?.message?.text === 'Sure, which model?'
        ? graphError(400, 551, 'This person isn\u2019t available right now.', { type: 'OAuthException', error_subcode: 1545041 })
        : undefined,
    );
    const res = await reply(conversationId, { text: 'Sure, which model?' });
    const failed = await live.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'failed');
    expect(failed.message.error).toMatch(/not available.*551/);
    await eventually(
      async () => (await meta.inbox.alerts()).filter((a) => a.type === 'delivery_failed' && a.detail?.includes('551')).length === 1,
    );
  });
});
