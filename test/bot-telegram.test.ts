import { defaultFlows } from '../bot/flows';
import { olena, textUpdate } from './fixtures/telegram';
import { eventually, sleep, TestGateway } from './support/gateway';
import { InboxReader } from './support/inbox-reader';

describe('the chatbot on Telegram: greeting, menu, answer, a redelivered update answered once, and a hand-off', () => {
  let gw: TestGateway;
  let inbox: InboxReader;

  beforeAll(async () => {
    gw = await TestGateway.start();
    inbox = new InboxReader(gw);
    const admin = await gw.manager('admin', 'Ірина Адміністраторка');
    expect((await gw.request('PATCH', '/api/bot', { token: admin.token, json: { enabled: true } })).status).toBe(200);
  });
  afterAll(async () => {
    await gw.close();
  });

  const sentTexts = () => gw.telegram.callsTo('sendMessage').map((c) => (c.body as { text: string }).text);

  it('talks with the customer in the chat and hands them to the online agent on "людина"', async () => {
    const agent = await gw.online('agent', 'Оксана Менеджерка');
    expect((await gw.postTelegram(textUpdate(olena, 'Добрий день!', { updateId: 9001, messageId: 501 }))).status).toBe(200);
    await gw.telegram.waitForCalls('sendMessage', 1);
    expect(sentTexts()).toEqual([defaultFlows.greeting.inHours]);

    const pick = textUpdate(olena, '1', { updateId: 9002, messageId: 502 });
    const both = await Promise.all([gw.postTelegram(pick), gw.postTelegram(pick)]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    await gw.telegram.waitForCalls('sendMessage', 2);
    await sleep(500);
    expect(sentTexts()).toEqual([defaultFlows.greeting.inHours, defaultFlows.answers[0]?.text]);

    const conversation = await eventually(() => inbox.conversationOf({ channel: 'telegram', externalId: String(olena.id) }));
    expect(conversation).toMatchObject({ status: 'pending', heldByBot: true, assigneeId: null, awaitingReplySince: null });
    expect(agent.socket.of('message:new').some((p) => p.conversation.id === conversation.id)).toBe(true);

    await gw.postTelegram(textUpdate(olena, 'Можна з живою людиною поговорити?', { updateId: 9003, messageId: 503 }));
    const open = await agent.socket.waitFor(
      'conversation:updated',
      (p) => p.conversation.id === conversation.id && p.conversation.status === 'open',
    );
    expect(open.conversation).toMatchObject({ assigneeId: agent.agent.id });
    expect(open.conversation.awaitingReplySince).not.toBeNull();
    await gw.telegram.waitForCalls('sendMessage', 3);
    expect(sentTexts()[2]).toBe(defaultFlows.handOff.text);
    const bot = (await inbox.messagesOf(conversation.id)).filter((m) => m.sender.type === 'bot');
    expect(bot.map((m) => m.sender.name)).toEqual(['Бот', 'Бот', 'Бот']);
  });
});
