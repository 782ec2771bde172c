import { outOfHoursText } from '../automations/auto-reply';
import { parseBusinessHours } from '../automations/business-hours';
import { defaultFlows } from '../bot/flows';
import { ann, olena, textUpdate } from './fixtures/telegram';
import { ManualClock } from './support/clock';
import { sleep, TestGateway } from './support/gateway';

const HOURS = 'Mon-Fri 09:00-18:00 Europe/Kyiv';

describe('out of business hours the bot greets with its out-of-hours text instead of the auto-reply', () => {
  let gw: TestGateway;
  let token: string;
  // Saturday evening in Kyiv: closed until Monday 09:00.
  const clock = new ManualClock('2026-12-05T18:30:00Z');

  beforeAll(async () => {
    gw = await TestGateway.start({ clock: clock.now, env: { BUSINESS_HOURS: HOURS } });
    ({ token } = await gw.manager('admin', 'Ірина Адміністраторка'));
  });
  afterAll(async () => {
    await gw.close();
  });

  const textsTo = (chatId: number) =>
    gw.telegram
      .callsTo('sendMessage')
      .filter((c) => (c.body as { chat_id: string }).chat_id === String(chatId))
      .map((c) => (c.body as { text: string }).text);

  it('with the bot on: one answer, the bot’s out-of-hours greeting', async () => {
    expect((await gw.request('PATCH', '/api/bot', { token, json: { enabled: true } })).status).toBe(200);
    await gw.postTelegram(textUpdate(olena, 'Добрий вечір! Ви ще працюєте?', { updateId: 8101, messageId: 801 }));
    await gw.telegram.waitForCalls('sendMessage', 1);
    await sleep(500);
    expect(textsTo(olena.id)).toEqual([defaultFlows.greeting.outOfHours]);
  });

  it('with the bot off: the single out-of-hours auto-reply, as before', async () => {
    expect((await gw.request('PATCH', '/api/bot', { token, json: { enabled: false } })).status).toBe(200);
    await gw.postTelegram(textUpdate(ann, 'Hi, are you open tomorrow?', { updateId: 8102, messageId: 802 }));
    await gw.telegram.waitForCalls('sendMessage', 2);
    const calendar = parseBusinessHours(HOURS);
    expect(textsTo(ann.id)).toEqual([outOfHoursText(calendar.nextOpening(clock.now()), calendar)]);
  });
});
