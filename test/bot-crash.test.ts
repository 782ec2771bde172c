import { defaultFlows } from '../bot/flows';
import { olena, textUpdate } from './fixtures/telegram';
import { eventually } from './support/gateway';
import { gatewayProcessPerTest } from './support/gateway-process';
import type { WireCommand } from './support/wire-tap';

/** The insert of one of the bot's answers, by its text. */
const botAnswer = (text: string) => (c: WireCommand) =>
  c.name === 'insert' &&
  c.collection === 'messages' &&
  (c.documents.documents ?? []).some((d) => (d.sender as { type?: string } | undefined)?.type === 'bot' && d.text === text);

describe('a gateway killed between a customer’s message and the bot’s answer', () => {
  const crash = gatewayProcessPerTest();

  it('gives the answer after the restart, once, though the customer never writes again', async () => {
    const gw = await crash.start({ env: { BOT_REPAIR_AFTER: '1s' } });
    const admin = await gw.manager('admin', 'Ірина Адміністраторка');
    expect((await gw.request('PATCH', '/api/bot', { token: admin.token, json: { enabled: true } })).status).toBe(200);
    expect((await gw.postTelegram(textUpdate(olena, 'Добрий день!', { updateId: 7001, messageId: 301 }))).status).toBe(200);
    await gw.telegram.waitForCalls('sendMessage', 1);

    const delivery = defaultFlows.answers[1]?.text ?? '';
    const held = crash.tap.hold(botAnswer(delivery), { label: 'the bot’s answer to "2"' });
    // Stored and acknowledged: Telegram will not send it again.
    expect((await gw.postTelegram(textUpdate(olena, '2', { updateId: 7002, messageId: 302 }))).status).toBe(200);
    await held;
    await gw.kill();
    await gw.restart();

    await gw.telegram.waitForCalls('sendMessage', 2, 20_000);
    const texts = gw.telegram.callsTo('sendMessage').map((c) => (c.body as { text: string }).text);
    expect(texts).toEqual([defaultFlows.greeting.inHours, delivery]);
    const list = await gw.request('GET', '/api/conversations?status=pending', { token: admin.token });
    const [conversation] = list.body.items;
    const said = await eventually(async () => {
      const history = await gw.request('GET', `/api/conversations/${conversation.id}/messages`, { token: admin.token });
      const bot = history.body.items.filter((m: { sender: { type: string } }) => m.sender.type === 'bot');
      return bot.length === 2 ? bot : undefined;
    });
    expect(said.map((m: { text: string }) => m.text)).toEqual([defaultFlows.greeting.inHours, delivery]);
  }, 60_000);
});
