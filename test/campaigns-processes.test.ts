import { textUpdate } from './fixtures/telegram';
import { ManualClock } from './support/clock';
import { eventually, TestGateway, type TestManager } from './support/gateway';

const TEXT = 'Ми сумуємо! Знижка 15% до неділі: shop.example/sale';
const customers = Array.from({ length: 12 }, (_, i) => ({
  id: 380670000100 + i,
  is_bot: false,
  first_name: `Клієнтка ${i + 1}`,
  last_name: 'Бойко',
  username: `boyko_${i + 1}`,
  language_code: 'uk',
}));

/**
 * Two gateway processes on one store send one campaign: each customer gets exactly one message, and a recipient held
 * by a pass whose process died is sent by the other once the hold runs out.
 */
describe('a campaign sent by two processes', () => {
  const clock = new ManualClock('2024-03-01T09:00:00Z');
  let a: TestGateway;
  let b: TestGateway;
  let sam: TestManager;
  const sentTo = () =>
    [...a.telegram.callsTo('sendMessage'), ...b.telegram.callsTo('sendMessage')]
      .filter((c) => c.body.text === TEXT)
      .map((c) => String(c.body.chat_id));

  beforeAll(async () => {
    a = await TestGateway.start({ clock: clock.now });
    b = await TestGateway.start({ clock: clock.now, database: a.database });
    sam = await a.manager('supervisor', 'Оксана Левченко');
    for (const customer of customers)
      expect((await a.postTelegram(textUpdate(customer, 'Чи є знижки на весняну колекцію?'))).status).toBe(200);
    clock.set('2024-04-15T09:00:00Z');
  }, 60_000);

  afterAll(async () => {
    await b.stop();
    await a.close();
  });

  it('sends each customer one message, whichever process takes them, and resumes what a dead pass held', async () => {
    const created = await a.request('POST', '/api/campaigns', {
      token: sam.token,
      json: {
        name: 'Весна',
        filter: { inactiveDays: 30, channel: 'telegram' },
        template: { name: 'spring_sale', language: 'uk' },
        text: TEXT,
      },
    });
    expect(created.body).toMatchObject({ status: 'sending', total: 12 });
    // A pass that held the last recipient of the second and died before sending (the hold is in the store).
    const last = (await a.inbox.store.campaigns.due(new Date(clock.now().getTime() + 1000), 12)).at(-1);
    if (!last) throw new Error('nothing due within the second');
    expect(await a.inbox.store.campaigns.hold(last, new Date(clock.now().getTime() + 30_000))).toBe(true);

    clock.set('2024-04-15T09:00:01Z');
    await Promise.all([
      a.automations.sendCampaigns(),
      b.automations.sendCampaigns(),
      a.automations.sendCampaigns(),
      b.automations.sendCampaigns(),
    ]);
    const progress = async () => (await b.request('GET', `/api/campaigns/${created.body.id}`, { token: sam.token })).body;
    expect(await progress()).toMatchObject({ pending: 1, sent: 11 });
    await eventually(async () => sentTo().length === 11);

    // The hold runs out: the other process takes the customer up.
    clock.set('2024-04-15T09:00:32Z');
    await b.automations.sendCampaigns();
    expect(await progress()).toMatchObject({ status: 'done', pending: 0, sent: 12 });
    await eventually(async () => sentTo().length === 12);
    await Promise.all([a.automations.sendCampaigns(), b.automations.sendCampaigns()]);
    expect(new Set(sentTo()).size).toBe(12);
    expect(sentTo()).toHaveLength(12);
  });
});
