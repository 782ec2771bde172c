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

describe('a gateway killed after the bot’s answer is stored, before it is sent', () => {
  const crash = gatewayProcessPerTest();

  it('sends the stored answer after the restart, once, and the repair pass adds no second one', async () => {
    const gw = await crash.start({ env: { BOT_REPAIR_AFTER: '1s' } });
    const admin = await gw.manager('admin', 'Ірина Адміністраторка');
    expect((await gw.request('PATCH', '/api/bot', { token: admin.token, json: { enabled: true } })).status).toBe(200);
    expect((await gw.postTelegram(textUpdate(olena, 'Добрий день!', { updateId: 7101, messageId: 401 }))).status).toBe(200);
    await gw.telegram.waitForCalls('sendMessage', 1);

    const delivery = defaultFlows.answers[1]?.text ?? '';
    // The answer's insert, claimed by the attempt that would send it, is stored; the gateway never hears so, and
    // dies before sending. Its attempt's lease runs out, and the outbox of the restarted gateway takes it up.
    const held = crash.tap.holdAnswer(botAnswer(delivery), { label: 'the stored answer to "2"' });
    expect((await gw.postTelegram(textUpdate(olena, '2', { updateId: 7102, messageId: 402 }))).status).toBe(200);
    await held;
    await gw.kill();
    await gw.restart();

    await gw.telegram.waitForCalls('sendMessage', 2, 40_000);
    // Past the repair pass's delay, twice over: the message it answers is owed nothing, so nothing more is said.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const texts = gw.telegram.callsTo('sendMessage').map((c) => (c.body as { text: string }).text);
    expect(texts).toEqual([defaultFlows.greeting.inHours, delivery]);
    const list = await gw.request('GET', '/api/conversations?status=pending', { token: admin.token });
    const [conversation] = list.body.items;
    const said = await eventually(async () => {
      const history = await gw.request('GET', `/api/conversations/${conversation.id}/messages`, { token: admin.token });
      const bot = history.body.items.filter((m: { sender: { type: string } }) => m.sender.type === 'bot');
      return bot.length === 2 && bot.every((m: { status: string }) => m.status === 'sent') ? bot : undefined;
    });
    expect(said.map((m: { text: string }) => m.text)).toEqual([defaultFlows.greeting.inHours, delivery]);
  }, 120_000);
});
