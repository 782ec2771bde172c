import { defaultFlows } from '../bot/flows';
import { ann, buttonPress, olena, textUpdate } from './fixtures/telegram';
import { ManualClock } from './support/clock';
import { eventually, sleep, TestGateway } from './support/gateway';
import { InboxReader } from './support/inbox-reader';

const MINUTE = 60_000;

/** The default menu as Telegram draws it: each title too long to share a row but the first and third. */
const menuKeyboard = [
  [{ text: 'Ціни / Prices', callback_data: 'prices' }],
  [{ text: 'Доставка / Delivery', callback_data: 'delivery' }],
  [{ text: 'Замовити / Order', callback_data: 'order' }],
  [{ text: 'Менеджер / Manager', callback_data: 'manager' }],
];

describe('the chatbot on Telegram with its menu as an inline keyboard', () => {
  let gw: TestGateway;
  let inbox: InboxReader;
  const clock = new ManualClock('2026-12-01T10:00:00Z');

  beforeAll(async () => {
    gw = await TestGateway.start({ clock: clock.now });
    inbox = new InboxReader(gw);
    const admin = await gw.manager('admin', 'Ірина Адміністраторка');
    expect((await gw.request('PATCH', '/api/bot', { token: admin.token, json: { enabled: true } })).status).toBe(200);
  });
  afterAll(async () => {
    await gw.close();
  });

  const sent = () => gw.telegram.callsTo('sendMessage').map((c) => c.body as { chat_id: string; text: string; reply_markup?: unknown });

  it('greets with the keyboard, answers a press once however often it comes, and hands off on "оператор" with the clock starting then', async () => {
    const agent = await gw.online('agent', 'Оксана Менеджерка');
    expect((await gw.postTelegram(textUpdate(olena, 'Добрий день!'))).status).toBe(200);
    await gw.telegram.waitForCalls('sendMessage', 1);
    expect(sent()[0]).toEqual({
      chat_id: String(olena.id),
      text: defaultFlows.greeting.inHours,
      reply_markup: { inline_keyboard: menuKeyboard },
    });

    // The customer presses "Доставка" on that very message; Telegram delivers the press again before it hears back.
    const press = buttonPress(olena, menuKeyboard, 'delivery');
    const callbackQueryId = (press.callback_query as { id: string }).id;
    const replies = [await gw.postTelegram(press), await gw.postTelegram(press)];
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ method: 'answerCallbackQuery', callback_query_id: callbackQueryId });
    }
    await gw.telegram.waitForCalls('sendMessage', 2);
    await sleep(600);
    expect(sent().slice(1)).toEqual([
      { chat_id: String(olena.id), text: defaultFlows.answers[1]?.text, reply_markup: { inline_keyboard: menuKeyboard } },
    ]);

    const conversation = await eventually(() => inbox.conversationOf({ channel: 'telegram', externalId: String(olena.id) }));
    expect(conversation).toMatchObject({ status: 'pending', heldByBot: true, assigneeId: null, awaitingReplySince: null });
    const pressed = (await inbox.messagesOf(conversation.id)).filter((m) => m.direction === 'in');
    expect(pressed.map((m) => m.text)).toEqual(['Добрий день!', 'Доставка / Delivery']);

    clock.advance(7 * MINUTE);
    const handOffAt = clock.now().toISOString();
    await gw.postTelegram(textUpdate(olena, 'оператор'));
    const open = await agent.socket.waitFor(
      'conversation:updated',
      (p) => p.conversation.id === conversation.id && p.conversation.status === 'open',
    );
    expect(open.conversation).toMatchObject({ assigneeId: agent.agent.id, awaitingReplySince: handOffAt });
    expect(open.conversation.heldByBot).toBeUndefined();
    expect(open.conversation.firstResponseDueAt).toBe(new Date(clock.now().getTime() + 5 * MINUTE).toISOString());
    await gw.telegram.waitForCalls('sendMessage', 3);
    expect(sent()[2]).toEqual({ chat_id: String(olena.id), text: defaultFlows.handOff.text });
    const history = await inbox.messagesOf(conversation.id);
    expect(history.filter((m) => m.sender.type === 'bot').map((m) => m.text)).toEqual([
      defaultFlows.greeting.inHours,
      defaultFlows.answers[1]?.text,
      defaultFlows.handOff.text,
    ]);
    expect(history.find((m) => m.note)?.text).toBeTruthy();
  });

  it('hands off when the customer presses "Менеджер / Manager", with the note of why', async () => {
    const agent = await gw.online('agent', 'Тарас Продавець');
    await gw.postTelegram(textUpdate(ann, 'Hi, I have a question about my order'));
    await eventually(async () => sent().filter((b) => b.chat_id === String(ann.id)).length === 1);
    const press = buttonPress(ann, menuKeyboard, 'manager');
    const reply = await gw.postTelegram(press);
    expect(reply.body).toEqual({ method: 'answerCallbackQuery', callback_query_id: (press.callback_query as { id: string }).id });

    const conversation = await eventually(() => inbox.conversationOf({ channel: 'telegram', externalId: String(ann.id) }));
    const open = await agent.socket.waitFor(
      'conversation:updated',
      (p) => p.conversation.id === conversation.id && p.conversation.status === 'open',
    );
    expect(open.conversation).toMatchObject({ assigneeId: agent.agent.id, awaitingReplySince: clock.now().toISOString() });
    await eventually(async () => sent().filter((b) => b.chat_id === String(ann.id)).length === 2);
    expect(sent().filter((b) => b.chat_id === String(ann.id))[1]).toEqual({ chat_id: String(ann.id), text: defaultFlows.handOff.text });
    const note = (await inbox.messagesOf(conversation.id)).find((m) => m.note);
    expect(note?.text).toContain('Причина / Reason: клієнт обрав «менеджер» / the customer picked a manager');
  });
});
