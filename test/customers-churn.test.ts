import { type FormContact, formMessage, john, marta, oksana, petro } from './fixtures/site-form';
import { ann, olena, textUpdate } from './fixtures/telegram';
import { ManualClock } from './support/clock';
import { FakeCallback } from './support/fake-callback';
import { TestGateway, type TestManager } from './support/gateway';

const halyna: FormContact = { externalId: 'form-halyna', name: 'Галина Ткачук', email: 'halyna@example.com' };
const taras = { id: 380671112233, is_bot: false, first_name: 'Тарас', last_name: 'Гнатюк', username: 'taras_h', language_code: 'uk' };

/**
 * A scripted history with known timestamps (ACTIVE_CUSTOMER_WINDOW 30 days), replayed through the real webhooks, and
 * the churn of February and March 2024 (Kyiv months) checked against the counts worked out by hand.
 *
 *  moments    t0 = Feb 1 00:00 Kyiv (01-31 22:00Z), window [01-01 22:00Z, 01-31 22:00Z)
 *             t1 = Mar 1 00:00 Kyiv (02-29 22:00Z), window [01-30 22:00Z, 02-29 22:00Z)
 *             t2 = Apr 1 00:00 Kyiv (03-31 21:00Z, summer time), window [03-01 21:00Z, 03-31 21:00Z)
 *
 *  customer          writes (UTC)                         t0  t1  t2  new in
 *  Марта   api       12-20 10:00, 01-15 10:00 (answered 02-10) ✓   ·   ·   —   (a manager's reply is no interaction)
 *  John    api       01-20 12:00, 02-20 12:00               ✓   ✓   ·   —
 *  Оксана  api       01-31 21:59 (23:59 Kyiv)               ✓   ✓   ·   —
 *  Петро   api       01-31 22:00 (exactly t0), 03-10 09:00  ·   ✓   ✓   Feb
 *  Галина  api       02-05 15:00 (posted twice)             ·   ✓   ·   Feb
 *  Олена   telegram  02-10 08:00, 03-20 08:00               ·   ✓   ✓   Feb
 *  Тарас   telegram  01-10 09:00, 03-25 09:00 (came back)   ✓   ·   ✓   —
 *  Ann     telegram  03-05 11:00                            ·   ·   ✓   Mar
 *
 *  February: C1 = 4, C2 = 5, C3 = 3 → (C1 − C2)/C1 = −0.25, (C1 + C3 − C2)/C1 = 0.5
 *  March:    C1 = 5, C2 = 4, C3 = 1 → 0.2 and 0.4
 *  Telegram only: February 1, 1, 1 → 0 and 1; March 1, 3, 1 → −2 and −1
 */
describe('churn over a replayed history', () => {
  const clock = new ManualClock('2023-12-20T10:00:00Z');
  let gw: TestGateway;
  let sam: TestManager;
  let iryna: TestManager;
  let callback: FakeCallback;
  const range = 'from=2024-02-01T00:00:00%2B02:00&to=2024-04-01T00:00:00%2B03:00';

  const form = async (when: string, who: FormContact, text: string, externalMessageId?: string) => {
    clock.set(when);
    const body = formMessage(who, text);
    const res = await gw.postApi(externalMessageId ? { ...body, externalMessageId } : body);
    expect(res.status).toBe(200);
  };
  const telegram = async (when: string, who: typeof olena | typeof ann, text: string) => {
    clock.set(when);
    const res = await gw.postTelegram(textUpdate(who, text, { date: Math.floor(new Date(when).getTime() / 1000) }));
    expect(res.status).toBe(200);
  };
  const churn = async (query: string) => {
    const res = await gw.request('GET', `/api/metrics/churn?${query}`, { token: sam.token });
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    callback = await new FakeCallback().start();
    gw = await TestGateway.start({ clock: clock.now, env: { ACTIVE_CUSTOMER_WINDOW: '30d', API_CHANNEL_CALLBACK_URL: callback.url } });
    sam = await gw.manager('supervisor', 'Supervisor Sam');
    iryna = await gw.manager('agent', 'Ірина Бондар');

    await form('2023-12-20T10:00:00Z', marta, 'Добрий день! Чи є подарункові сертифікати?');
    await telegram('2024-01-10T09:00:00Z', taras, 'Вітаю, коли буде знижка на кавоварки?');
    await form('2024-01-15T10:00:00Z', marta, 'Дякую, сертифікат отримала.');
    await form('2024-01-20T12:00:00Z', john, 'Hi, is the coffee grinder back in stock?');
    await form('2024-01-31T21:59:00Z', oksana, 'Добрий вечір, чи працюєте завтра?');
    await form('2024-01-31T22:00:00Z', petro, 'Доброї ночі! Хочу замовити чайник.');
    await form('2024-02-05T15:00:00Z', halyna, 'Скільки коштує доставка до Львова?', 'form-halyna-1');
    // The same form posted again (a retried request): the same interaction.
    await form('2024-02-05T15:00:00Z', halyna, 'Скільки коштує доставка до Львова?', 'form-halyna-1');
    await telegram('2024-02-10T08:00:00Z', olena, 'Привіт! Чи є ця сукня в синьому кольорі?');
    clock.set('2024-02-10T09:00:00Z');
    const [martaConversation] = (await gw.request('GET', `/api/conversations?q=${encodeURIComponent('Марта')}`, { token: sam.token })).body
      .items;
    const reply = await gw.request('POST', `/api/conversations/${martaConversation.id}/messages`, {
      token: sam.token,
      json: { text: 'Марто, у нас нові сертифікати до 14 лютого!' },
    });
    expect(reply.status).toBe(201);
    await form('2024-02-20T12:00:00Z', john, 'Thanks, ordered it.');
    await telegram('2024-03-05T11:00:00Z', ann, 'Hello! Do you ship to Poland?');
    await form('2024-03-10T09:00:00Z', petro, 'Чайник прийшов, дякую!');
    await telegram('2024-03-20T08:00:00Z', olena, 'А є такі самі в зеленому?');
    await telegram('2024-03-25T09:00:00Z', taras, 'Я знову тут: чи є знижка зараз?');
    clock.set('2024-04-01T09:00:00Z');
  }, 120_000);

  afterAll(async () => {
    await gw.close();
    await callback.stop();
  });

  it('reports each Kyiv month with C1, C2, C3 and both rates, as worked out by hand', async () => {
    expect(await churn(`${range}&interval=month`)).toEqual({
      windowDays: 30,
      items: [
        { start: '2024-01-31T22:00:00.000Z', end: '2024-02-29T22:00:00.000Z', c1: 4, c2: 5, c3: 3, churnNet: -0.25, churnWithNew: 0.5 },
        { start: '2024-02-29T22:00:00.000Z', end: '2024-03-31T21:00:00.000Z', c1: 5, c2: 4, c3: 1, churnNet: 0.2, churnWithNew: 0.4 },
      ],
    });
  });

  it('counts one channel on its own', async () => {
    const { items } = await churn(`${range}&channel=telegram`);
    expect(items.map((r: Record<string, unknown>) => [r.c1, r.c2, r.c3, r.churnNet, r.churnWithNew])).toEqual([
      [1, 1, 1, 0, 1],
      [1, 3, 1, -2, -1],
    ]);
  });

  it('gives the same figures as CSV, the rates in percent', async () => {
    const res = await gw.request('GET', `/api/metrics/churn.csv?${range}`, { token: sam.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.body).toBe(
      'start,end,c1_active_at_start,c2_active_at_end,c3_new,churn_net_percent,churn_with_new_percent\n' +
        '2024-01-31T22:00:00.000Z,2024-02-29T22:00:00.000Z,4,5,3,-25.00,50.00\n' +
        '2024-02-29T22:00:00.000Z,2024-03-31T21:00:00.000Z,5,4,1,20.00,40.00\n',
    );
  });

  it('refuses a reversed range or an unknown interval with a 400, and agents with a 403', async () => {
    const reversed = await gw.request('GET', '/api/metrics/churn?from=2024-04-01T00:00:00Z&to=2024-02-01T00:00:00Z', { token: sam.token });
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.message).toContain('"from" must be before "to"');
    const daily = await gw.request('GET', `/api/metrics/churn?${range}&interval=day`, { token: sam.token });
    expect(daily.status).toBe(400);
    expect(daily.body.error.code).toBe('INBOX.BAD_INPUT');
    expect((await gw.request('GET', `/api/metrics/churn?${range}`, { token: iryna.token })).status).toBe(403);
  });
});
