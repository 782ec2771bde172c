import { defaultFlows } from '../bot/flows';
import { contactIdFor, inboundMessageIdFor } from '../inbox/store/ids';
import { ManualClock } from './support/clock';
import { FakeCallback } from './support/fake-callback';
import { eventually, sleep, TestGateway, type TestManager } from './support/gateway';
import { InboxReader } from './support/inbox-reader';

const MINUTE = 60_000;
/** The default menu as numbered lines, the way a channel without buttons shows it. */
const MENU =
  '\n\n1. Ціни / Prices\n2. Доставка / Delivery\n3. Замовити / Order\n4. Менеджер / Manager\n\nНадішліть номер варіанта у відповідь.';

describe('the chatbot talks with new customers of the API channel first, and hands them to people', () => {
  let gw: TestGateway;
  let callback: FakeCallback;
  let inbox: InboxReader;
  let admin: TestManager;
  let oksana: TestManager | undefined;
  const clock = new ManualClock('2026-12-01T10:00:00Z');
  let n = 0;

  beforeAll(async () => {
    callback = await new FakeCallback().start();
    gw = await TestGateway.start({ clock: clock.now, env: { API_CHANNEL_CALLBACK_URL: callback.url } });
    inbox = new InboxReader(gw);
    admin = await gw.manager('admin', 'Ірина Адміністраторка');
    const on = await gw.request('PATCH', '/api/bot', { token: admin.token, json: { enabled: true } });
    expect(on.status).toBe(200);
  });
  afterAll(async () => {
    await gw.close();
    await callback.stop();
  });

  /** A customer of the site's chat writes; returns their conversation's id. */
  async function write(customer: string, text: string, messageId = `chat-${++n}`): Promise<string> {
    const res = await gw.postApi({ externalMessageId: messageId, contact: { externalId: customer, name: 'Відвідувач сайту' }, text });
    expect(res.status).toBe(200);
    const conversation = await eventually(() => inbox.conversationOf({ channel: 'api', externalId: customer }));
    return conversation.id;
  }
  const repliesTo = (customer: string) => callback.received.filter((r) => r.body.contactExternalId === customer).map((r) => r.body.text);
  const botLines = async (conversationId: string) =>
    (await inbox.messagesOf(conversationId)).filter((m) => m.sender.type === 'bot').map((m) => m.text);

  it('greets with the menu, answers a pick by number and a question in transliteration, while nobody waits', async () => {
    oksana = await gw.online('agent', 'Оксана Менеджерка');
    const id = await write('visitor-menu', 'Добрий день!');
    await eventually(async () => repliesTo('visitor-menu').length === 1);
    // The site's chat has no buttons: the menu goes under the greeting as numbered lines, and the choices as data.
    expect(repliesTo('visitor-menu')).toEqual([`${defaultFlows.greeting.inHours}${MENU}`]);
    const sent = callback.received.find((r) => r.body.contactExternalId === 'visitor-menu')?.body as { choices?: unknown[] };
    expect(sent.choices).toHaveLength(4);
    const [greeting] = (await inbox.messagesOf(id)).filter((m) => m.sender.type === 'bot');
    expect(greeting?.choices?.map((c) => c.id)).toEqual(['prices', 'delivery', 'order', 'manager']);

    await write('visitor-menu', '2');
    await eventually(async () => repliesTo('visitor-menu').length === 2);
    await write('visitor-menu', 'a tsina yaka?');
    await eventually(async () => repliesTo('visitor-menu').length === 3);
    // Each answer offers the menu again.
    expect(repliesTo('visitor-menu').slice(1)).toEqual([
      `${defaultFlows.answers[1]?.text}${MENU}`,
      `${defaultFlows.answers[0]?.text}${MENU}`,
    ]);

    const conversation = await inbox.conversation(id);
    expect(conversation).toMatchObject({
      status: 'pending',
      heldByBot: true,
      assigneeId: null,
      awaitingReplySince: null,
      escalationDueAt: null,
    });
    expect(conversation.firstResponseDueAt).toBeNull();
  });

  it('fills the contact card with the name, the phone in E.164 and the need, asking the phone again while it is not one', async () => {
    const id = await write('visitor-order', 'Привіт');
    await eventually(async () => repliesTo('visitor-order').length === 1);
    for (const [i, text] of ['3', 'Олена Коваль', '067 123 45', '067 123 45 67', 'Кутовий диван, сірий, до 20 000 грн'].entries()) {
      await write('visitor-order', text);
      await eventually(async () => repliesTo('visitor-order').length === i + 2);
    }
    const q = defaultFlows.qualification;
    expect(repliesTo('visitor-order').slice(1)).toEqual([q.askName, q.askPhone, q.invalidPhone, q.askNeed, q.done]);
    const card = await eventually(async () => {
      const c = await inbox.contactOf(id);
      return c.need ? c : undefined;
    });
    expect(card).toMatchObject({ name: 'Олена Коваль', phone: '+380671234567', need: 'Кутовий диван, сірий, до 20 000 грн' });
    const conversation = await eventually(async () => {
      const c = await inbox.conversation(id);
      return c.status === 'open' ? c : undefined;
    });
    expect(conversation.heldByBot).toBeUndefined();
    const note = (await inbox.messagesOf(id)).find((m) => m.note);
    expect(note?.text).toContain('Телефон / Phone: +380671234567');
    expect(note?.text).toContain('Ім’я / Name: Олена Коваль');
  });

  it('hands off on "оператор" with the transcript, assigned, its first-response clock starting at the hand-off', async () => {
    const agent = await gw.online('agent', 'Тарас Продавець');
    const start = new Date(clock.now());
    const id = await write('visitor-human', 'Доброго вечора');
    await eventually(async () => repliesTo('visitor-human').length === 1);
    clock.advance(10 * MINUTE);
    const handOffAt = clock.now().toISOString();
    await write('visitor-human', 'Покличте, будь ласка, оператора');
    const conversation = await eventually(async () => {
      const c = await inbox.conversation(id);
      return c.status === 'open' && c.assigneeId ? c : undefined;
    });
    // Round-robin among the agents online: Оксана (from the first scenario) or Тарас.
    expect([agent.agent.id, oksana?.agent.id]).toContain(conversation.assigneeId);
    expect(conversation.awaitingReplySince).toBe(handOffAt);
    expect(conversation.firstResponseDueAt).toBe(new Date(clock.now().getTime() + 5 * MINUTE).toISOString());
    expect(new Date(conversation.awaitingReplySince ?? 0).getTime() - start.getTime()).toBe(10 * MINUTE);
    await eventually(async () => repliesTo('visitor-human').length === 2);
    expect(repliesTo('visitor-human')[1]).toBe(defaultFlows.handOff.text);
    const history = await inbox.messagesOf(id);
    const kinds = history.map((m) => `${m.sender.type}:${m.note ? 'note' : m.direction}`);
    expect(kinds.slice(0, 3)).toEqual(['contact:in', 'bot:out', 'contact:in']);
    // The hand-off line and the summary note are written at the same moment.
    expect(kinds.slice(3).sort()).toEqual(['bot:out', 'system:note']);
  });

  it('stops at once when a manager takes over, and stays silent after', async () => {
    const manager = await gw.manager('supervisor', 'Марко Старший');
    const id = await write('visitor-taken', 'Добрий день');
    await eventually(async () => repliesTo('visitor-taken').length === 1);
    const taken = await gw.request('POST', `/api/conversations/${id}/takeover`, { token: manager.token });
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({ status: 'open', assigneeId: manager.agent.id });
    expect(taken.body.heldByBot).toBeUndefined();
    expect(taken.body.awaitingReplySince).toBe(clock.now().toISOString());
    await write('visitor-taken', 'Яка ціна на доставку?');
    await sleep(600);
    expect(repliesTo('visitor-taken')).toHaveLength(1);
    expect(await botLines(id)).toHaveLength(1);
  });

  it('a manager’s reply takes the conversation from the bot too', async () => {
    const manager = await gw.manager('supervisor', 'Ганна Старша');
    const id = await write('visitor-replied', 'Вітаю');
    await eventually(async () => repliesTo('visitor-replied').length === 1);
    const reply = await gw.request('POST', `/api/conversations/${id}/messages`, {
      token: manager.token,
      json: { text: 'Вітаю! Я Ганна, допоможу.' },
    });
    expect(reply.status).toBe(201);
    await write('visitor-replied', 'доставка');
    await sleep(600);
    expect(await botLines(id)).toHaveLength(1);
    expect((await inbox.conversation(id)).status).toBe('open');
  });

  it('answers a message posted twice at once only once', async () => {
    const id = await write('visitor-twice', 'Добрий день');
    await eventually(async () => repliesTo('visitor-twice').length === 1);
    const body = {
      externalMessageId: 'chat-twice-2',
      contact: { externalId: 'visitor-twice', name: 'Відвідувач сайту' },
      text: 'доставка',
    };
    const both = await Promise.all([gw.postApi(body), gw.postApi(body), gw.postApi(body)]);
    expect(both.map((r) => r.status)).toEqual([200, 200, 200]);
    await eventually(async () => repliesTo('visitor-twice').length === 2);
    await sleep(600);
    expect(repliesTo('visitor-twice')).toHaveLength(2);
    expect(await botLines(id)).toHaveLength(2);
  });

  it('answers a pick from the talk as its greeting left it, even when ingest read the talk before that was saved', async () => {
    // A customer at an ordinary pace: the greeting, then the answer to "2".
    await write('visitor-steady', 'Добрий день!');
    await eventually(async () => repliesTo('visitor-steady').length === 1);
    await write('visitor-steady', '2');
    await eventually(async () => repliesTo('visitor-steady').length === 2);

    // A quick one: greeted, the talk saved after the greeting...
    const id = await write('visitor-quick', 'Добрий день!');
    await eventually(async () => repliesTo('visitor-quick').length === 1);
    const core = gw.gateway.inbox;
    const saved = await eventually(async () => {
      const talk = await core.store.bot.session(id);
      return talk && talk.version >= 1 ? talk : undefined;
    });
    // ...and their "2" taken by ingest, which read the talk as it was before that save (a message that came meanwhile).
    const contactId = contactIdFor('api', 'visitor-quick');
    const stored = await core.store.messages.recordInbound({
      id: inboundMessageIdFor('api:visitor-quick-pick'),
      conversationId: id,
      channel: 'api',
      sender: { type: 'contact', id: contactId, name: 'Відвідувач сайту' },
      text: '2',
      attachments: [],
      externalId: 'visitor-quick-pick',
      platformAt: null,
      source: null,
      raw: null,
      receivedAt: clock.now(),
    });
    if (!stored) throw new Error('the pick was not stored');
    const noted = await core.store.bot.expect(id, 'api', stored.message.id, stored.message.createdAt);
    await core.store.messages.markApplied(stored.message.id);
    const [conversation, contact] = await Promise.all([core.store.conversations.get(id), core.store.contacts.get(contactId)]);
    if (!conversation || !contact) throw new Error('the conversation or its contact is missing');
    const before = { ...noted, version: saved.version - 1, step: 'new' as const, unmatched: 0, offer: [] };
    await gw.gateway.bot.chatbot.turn(id, stored.message.id, {
      conversation,
      contact,
      message: stored.message,
      stored: Promise.resolve(),
      session: before,
    });

    // The bot read its talk again: the quick customer is answered as the steady one was, not greeted twice.
    await eventually(async () => repliesTo('visitor-quick').length === 2);
    expect(repliesTo('visitor-quick')).toEqual(repliesTo('visitor-steady'));
  });

  it('counts what it handled alone, why it handed off, and the questions it could not answer, most asked first', async () => {
    const supervisor = await gw.manager('supervisor', 'Віра Керівниця');
    // An hour on, so the range holds only this test's talks.
    clock.advance(60 * MINUTE);
    const from = new Date(clock.now().getTime() - MINUTE).toISOString();
    const done = await write('visitor-done', 'Доброго ранку');
    await eventually(async () => repliesTo('visitor-done').length === 1);
    await write('visitor-done', 'доставка');
    await eventually(async () => repliesTo('visitor-done').length === 2);
    const resolved = await gw.request('POST', `/api/conversations/${done}/status`, {
      token: supervisor.token,
      json: { status: 'resolved' },
    });
    expect(resolved.status).toBe(200);
    for (const [customer, questions] of [
      ['visitor-gift-1', ['Чи є подарункові сертифікати?', 'А на 1000 грн?']],
      ['visitor-gift-2', ['чи є подарункові сертифікати', 'Працюєте в неділю?']],
    ] as const) {
      await write(customer, 'Привіт');
      await eventually(async () => repliesTo(customer).length === 1);
      for (const [i, q] of questions.entries()) {
        await write(customer, q);
        await eventually(async () => repliesTo(customer).length === i + 2);
      }
    }
    const to = new Date(clock.now().getTime() + MINUTE).toISOString();
    const figures = await gw.request('GET', `/api/metrics/bot?${new URLSearchParams({ from, to })}`, { token: supervisor.token });
    expect(figures.status).toBe(200);
    expect(figures.body).toMatchObject({ conversations: 3, handledByBot: 1, handedOff: 2, reasons: [{ reason: 'unmatched', count: 2 }] });
    expect(figures.body.unmatched[0]).toEqual({ text: 'Чи є подарункові сертифікати?', count: 2 });
    expect(figures.body.unmatched).toHaveLength(3);
    const csv = await gw.request('GET', `/api/metrics/bot.csv?${new URLSearchParams({ from, to })}`, { token: supervisor.token });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.body).toContain('handled_by_bot,1');
    expect(csv.body).toContain('Чи є подарункові сертифікати?,2');
    const agent = await gw.manager('agent', 'Ліна Агентка');
    expect((await gw.request('GET', `/api/metrics/bot?${new URLSearchParams({ from, to })}`, { token: agent.token })).status).toBe(403);
    expect((await gw.request('GET', `/api/metrics/bot?from=${to}&to=${from}`, { token: supervisor.token })).status).toBe(400);
  });

  it('refuses bad flows with 400 and keeps the ones it had; only admins edit them', async () => {
    const before = await gw.request('GET', '/api/bot/flows', { token: admin.token });
    expect(before.status).toBe(200);
    const bad = await gw.request('PUT', '/api/bot/flows', {
      token: admin.token,
      json: { ...before.body.flows, menu: [{ id: 'x y', title: 'Занадто довга назва пункту меню', action: 'answer', answerId: 'немає' }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INBOX.BAD_INPUT');
    expect((await gw.request('GET', '/api/bot/flows', { token: admin.token })).body).toEqual(before.body);
    const agent = await gw.manager('agent', 'Петро Агент');
    expect((await gw.request('GET', '/api/bot/flows', { token: agent.token })).status).toBe(403);

    const changed = { ...before.body.flows, handOff: { ...before.body.flows.handOff, words: ['скарга'] }, version: before.body.version };
    const saved = await gw.request('PUT', '/api/bot/flows', { token: admin.token, json: changed });
    expect(saved.status).toBe(200);
    expect(saved.body.version).toBe(before.body.version + 1);
    const stale = await gw.request('PUT', '/api/bot/flows', { token: admin.token, json: changed });
    expect(stale.status).toBe(409);
  });
});
