import { type FormContact, formMessage, john, marta, oksana, petro } from './fixtures/site-form';
import { olena, textUpdate } from './fixtures/telegram';
import { ManualClock } from './support/clock';
import { TestGateway, type TestManager } from './support/gateway';

const halyna: FormContact = { externalId: 'form-halyna', name: 'Галина Ткачук', email: 'halyna@example.com' };

interface InactiveContact {
  id: string;
  name: string;
  channel: string;
  conversationId: string;
  lastInteractionAt: string;
}

describe('inactive customers and saved views', () => {
  const clock = new ManualClock('2024-01-15T10:00:00Z');
  let gw: TestGateway;
  let sam: TestManager;
  let iryna: TestManager;
  let taras: TestManager;

  const form = async (when: string, who: FormContact, text: string) => {
    clock.set(when);
    expect((await gw.postApi(formMessage(who, text))).status).toBe(200);
  };
  const inactive = async (query: string, who: TestManager = sam) => {
    const res = await gw.request('GET', `/api/contacts/inactive?${query}`, { token: who.token });
    return res;
  };
  const names = (items: InactiveContact[]) => items.map((c) => [c.name, c.lastInteractionAt]);

  beforeAll(async () => {
    gw = await TestGateway.start({ clock: clock.now });
    sam = await gw.manager('supervisor', 'Оксана Левченко');
    iryna = await gw.manager('agent', 'Ірина Бондар');
    taras = await gw.manager('agent', 'Тарас Мельник');
    await form('2024-01-15T10:00:00Z', marta, 'Добрий день! Чи є подарункові сертифікати?');
    await form('2024-01-31T21:59:00Z', oksana, 'Добрий вечір, чи працюєте завтра?');
    await form('2024-02-05T15:00:00Z', halyna, 'Скільки коштує доставка до Львова?');
    await form('2024-02-20T12:00:00Z', john, 'Hi, is the coffee grinder back in stock?');
    await form('2024-03-10T09:00:00Z', petro, 'Хочу замовити чайник.');
    clock.set('2024-03-20T08:00:00Z');
    await gw.postTelegram(textUpdate(olena, 'Привіт! Чи є ця сукня в синьому кольорі?'));
    // Марта comes back: she is no longer silent since January.
    await form('2024-03-25T10:00:00Z', marta, 'Сертифікат ще діє?');
    clock.set('2024-04-01T09:00:00Z');
  }, 60_000);

  afterAll(async () => {
    await gw.close();
  });

  it('lists the customers silent for N days, the most recently silent first, with their latest interaction', async () => {
    const res = await inactive('days=30');
    expect(res.status).toBe(200);
    expect(names(res.body.items)).toEqual([
      ['John Carter', '2024-02-20T12:00:00.000Z'],
      ['Галина Ткачук', '2024-02-05T15:00:00.000Z'],
      ['Оксана Мельник', '2024-01-31T21:59:00.000Z'],
    ]);
    expect(res.body.nextCursor).toBeNull();
    expect((await inactive('days=50')).body.items.map((c: InactiveContact) => c.name)).toEqual(['Галина Ткачук', 'Оксана Мельник']);
    expect((await inactive('days=5&channel=telegram')).body.items.map((c: InactiveContact) => c.name)).toEqual(['Олена Коваленко']);
  });

  it('pages by cursor without losing or repeating anyone, each row opening its conversation', async () => {
    const first = await inactive('days=10&limit=3');
    expect(names(first.body.items).map(([n]) => n)).toEqual(['Олена Коваленко', 'Петро Іваненко', 'John Carter']);
    const second = await inactive(`days=10&limit=3&cursor=${first.body.nextCursor}`);
    expect(names(second.body.items).map(([n]) => n)).toEqual(['Галина Ткачук', 'Оксана Мельник']);
    expect(second.body.nextCursor).toBeNull();
    const [, petroRow] = first.body.items as InactiveContact[];
    const conversation = await gw.request('GET', `/api/conversations/${petroRow?.conversationId}`, { token: sam.token });
    expect(conversation.body.contact).toMatchObject({ id: petroRow?.id, name: 'Петро Іваненко' });
  });

  it('refuses a bad number of days or a forged cursor with a 400, and agents with a 403', async () => {
    const zero = await inactive('days=0');
    expect(zero.status).toBe(400);
    expect(zero.body.error.message).toContain('days must be at least 1');
    expect((await inactive('days=30&cursor=bm9wZQ')).status).toBe(400);
    expect((await inactive('days=30', iryna)).status).toBe(403);
  });

  it('saves a view of the lost-on-price leads for the team, seen by every manager, editable by supervisors only', async () => {
    const lossReasons = (await gw.request('GET', '/api/loss-reasons', { token: sam.token })).body.items as { id: string; label: string }[];
    const price = lossReasons[0];
    if (!price) throw new Error('no loss reasons');
    const created = await gw.request('POST', '/api/views', {
      token: sam.token,
      json: { name: 'Втрачено через ціну', kind: 'conversations', scope: 'team', filter: { outcome: 'lost', lossReasonId: price.id } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Втрачено через ціну', owner: 'team', editable: true, filter: { lossReasonId: price.id } });

    const seen = await gw.request('GET', '/api/views', { token: iryna.token });
    expect(seen.body.items).toEqual([expect.objectContaining({ id: created.body.id, editable: false })]);
    const renamed = await gw.request('PATCH', `/api/views/${created.body.id}`, { token: iryna.token, json: { name: 'Ціна' } });
    expect(renamed.status).toBe(403);
    expect((await gw.request('DELETE', `/api/views/${created.body.id}`, { token: iryna.token })).status).toBe(403);

    const teamView = await gw.request('POST', '/api/views', {
      token: iryna.token,
      json: { name: 'Мовчать місяць', kind: 'contacts', scope: 'team', filter: { inactiveDays: 30 } },
    });
    expect(teamView.status).toBe(403);
  });

  it('keeps a manager’s own views to themselves', async () => {
    const mine = await gw.request('POST', '/api/views', {
      token: iryna.token,
      json: { name: 'Silent for a month on Telegram', kind: 'contacts', filter: { inactiveDays: 30, channel: 'telegram' } },
    });
    expect(mine.status).toBe(201);
    expect(mine.body).toMatchObject({ owner: iryna.agent.id, editable: true });
    expect((await gw.request('GET', '/api/views', { token: iryna.token })).body.items.map((v: { name: string }) => v.name)).toEqual([
      'Silent for a month on Telegram',
      'Втрачено через ціну',
    ]);
    expect((await gw.request('GET', '/api/views', { token: taras.token })).body.items.map((v: { name: string }) => v.name)).toEqual([
      'Втрачено через ціну',
    ]);
    expect((await gw.request('PATCH', `/api/views/${mine.body.id}`, { token: taras.token, json: { name: 'Моє' } })).status).toBe(404);

    const changed = await gw.request('PATCH', `/api/views/${mine.body.id}`, {
      token: iryna.token,
      json: { filter: { inactiveDays: 60, channel: 'telegram' } },
    });
    expect(changed.body.filter).toEqual({ inactiveDays: 60, channel: 'telegram' });
    expect((await gw.request('DELETE', `/api/views/${mine.body.id}`, { token: iryna.token })).status).toBe(204);
    expect((await gw.request('GET', '/api/views', { token: iryna.token })).body.items).toHaveLength(1);
  });

  it('refuses a filter that does not fit the view’s list, or an unknown key, with a 400 and stores nothing', async () => {
    const before = (await gw.request('GET', '/api/views', { token: sam.token })).body.items;
    const statusOnContacts = await gw.request('POST', '/api/views', {
      token: sam.token,
      json: { name: 'Відкриті', kind: 'contacts', filter: { status: 'open' } },
    });
    expect(statusOnContacts.status).toBe(400);
    expect(statusOnContacts.body.error.message).toContain('a contacts view filters by inactiveDays, channel only, not by status');
    const unknown = await gw.request('POST', '/api/views', {
      token: sam.token,
      json: { name: 'VIP', kind: 'conversations', filter: { vip: true } },
    });
    expect(unknown.status).toBe(400);
    const wonWithReason = await gw.request('POST', '/api/views', {
      token: sam.token,
      json: { name: 'Дивне', kind: 'conversations', filter: { outcome: 'won', lossReasonId: '0123456789abcdef01234567' } },
    });
    expect(wonWithReason.status).toBe(400);
    expect((await gw.request('GET', '/api/views', { token: sam.token })).body.items).toEqual(before);
  });
});
