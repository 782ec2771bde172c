import { formMessage, marta } from './fixtures/site-form';
import { olena, textUpdate } from './fixtures/telegram';
import { ManualClock } from './support/clock';
import { TestGateway } from './support/gateway';

/**
 * A store from before interactions were kept: the conversations are there, the customers' days and spans are not.
 * The first start sweeps them in once, from each customer's first and latest message.
 */
describe('interactions from the history stored before they were kept', () => {
  const clock = new ManualClock('2024-01-10T10:00:00Z');
  let before: TestGateway;
  let after: TestGateway;

  beforeAll(async () => {
    before = await TestGateway.start({ clock: clock.now });
    await before.inbox.backfilled;
    expect((await before.postApi(formMessage(marta, 'Добрий день! Чи є подарункові сертифікати?'))).status).toBe(200);
    clock.set('2024-01-20T10:00:00Z');
    expect((await before.postTelegram(textUpdate(olena, 'Привіт! Чи є ця сукня в синьому кольорі?'))).status).toBe(200);
    clock.set('2024-02-05T10:00:00Z');
    expect((await before.postTelegram(textUpdate(olena, 'А в зеленому?'))).status).toBe(200);
    // The store as an older build left it: no interactions kept, and no sweep done.
    for (const name of ['contact_activity', 'contact_spans']) await (await before.collection(name)).deleteMany({});
    await (await before.collection('checkpoints')).deleteOne({ _id: 'contact-activity-backfill' } as never);
    await before.stop();
    clock.set('2024-04-01T09:00:00Z');
    after = await TestGateway.start({ clock: clock.now, database: before.database });
  }, 60_000);

  afterAll(async () => {
    await after.close();
  });

  it('knows who went quiet and who was active, right after the first start', async () => {
    expect(await after.inbox.backfilled).toBe(2);
    const sam = await after.manager('supervisor', 'Оксана Левченко');
    const quiet = await after.request('GET', '/api/contacts/inactive?days=30', { token: sam.token });
    expect(quiet.body.items.map((c: { name: string; lastInteractionAt: string }) => [c.name, c.lastInteractionAt])).toEqual([
      ['Олена Коваленко', '2024-02-05T10:00:00.000Z'],
      ['Марта Шевченко', '2024-01-10T10:00:00.000Z'],
    ]);
    const churn = await after.request('GET', '/api/metrics/churn?from=2024-02-01T00:00:00%2B02:00&to=2024-03-01T00:00:00%2B02:00', {
      token: sam.token,
    });
    expect(churn.body.items).toEqual([expect.objectContaining({ c1: 2, c2: 1, c3: 0 })]);
  });

  it('sweeps once: a later start finds the sweep done', async () => {
    await after.stop();
    after = await TestGateway.start({ clock: clock.now, database: before.database });
    expect(await after.inbox.backfilled).toBe(0);
  });
});
