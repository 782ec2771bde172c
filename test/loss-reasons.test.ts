import { formMessage, john, marta, oksana } from './fixtures/site-form';
import { TestGateway, type TestManager } from './support/gateway';

interface Reason {
  id: string;
  label: string;
  active: boolean;
  order: number;
}

describe('the loss reasons admins keep', () => {
  let gw: TestGateway;
  let admin: TestManager;
  let agent: TestManager;
  beforeAll(async () => {
    gw = await TestGateway.start();
    admin = await gw.manager('admin', 'Адміністратор Алла');
    agent = await gw.manager('agent', 'Ірина Бондар');
  });
  afterAll(async () => {
    await gw.close();
  });

  const reasons = async (token = agent.token): Promise<Reason[]> => (await gw.request('GET', '/api/loss-reasons', { token })).body.items;
  async function leadOf(contact: typeof marta, text: string): Promise<string> {
    await gw.postApi(formMessage(contact, text));
    const list = await gw.request('GET', '/api/conversations', { token: admin.token });
    return list.body.items.find((c: { contact: { name: string } }) => c.contact.name === contact.name).id;
  }
  const closeLost = (id: string, body: Record<string, unknown>) =>
    gw.request('POST', `/api/conversations/${id}/status`, { token: agent.token, json: { status: 'resolved', outcome: 'lost', ...body } });

  it('starts with a default list, in order, that every signed-in manager reads', async () => {
    const list = await reasons();
    expect(list.map((r) => r.label)).toEqual(['Ціна', 'Обрали конкурента', 'Не відповідає', 'Немає в наявності', 'Інше']);
    expect(list.every((r) => r.active)).toBe(true);
    expect((await gw.request('GET', '/api/loss-reasons')).status).toBe(401);
  });

  it('lets only admins add, rename, reorder and deactivate (403 for an agent, nothing changes)', async () => {
    const before = await reasons();
    const price = before[0] as Reason;
    expect((await gw.request('POST', '/api/loss-reasons', { token: agent.token, json: { label: 'Дорога доставка' } })).status).toBe(403);
    expect((await gw.request('PATCH', `/api/loss-reasons/${price.id}`, { token: agent.token, json: { label: 'Ціна!' } })).status).toBe(403);
    const refused = await gw.request('DELETE', `/api/loss-reasons/${price.id}`, { token: agent.token });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('AUTH.FORBIDDEN');
    expect(await reasons()).toEqual(before);

    const added = await gw.request('POST', '/api/loss-reasons', { token: admin.token, json: { label: 'Дорога доставка' } });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ label: 'Дорога доставка', active: true, order: 6 });
    const empty = await gw.request('POST', '/api/loss-reasons', { token: admin.token, json: { label: '  ' } });
    expect(empty.status).toBe(400);

    const renamed = await gw.request('PATCH', `/api/loss-reasons/${price.id}`, { token: admin.token, json: { label: 'Висока ціна' } });
    expect(renamed.body).toMatchObject({ id: price.id, label: 'Висока ціна', active: true });
    await gw.request('PATCH', `/api/loss-reasons/${added.body.id}`, { token: admin.token, json: { order: 0 } });
    const removed = await gw.request('DELETE', `/api/loss-reasons/${before[3]?.id}`, { token: admin.token });
    expect(removed.body).toMatchObject({ label: 'Немає в наявності', active: false });

    const after = await reasons();
    expect(after.map((r) => `${r.label}${r.active ? '' : ' (off)'}`)).toEqual([
      'Дорога доставка',
      'Висока ціна',
      'Обрали конкурента',
      'Не відповідає',
      'Немає в наявності (off)',
      'Інше',
    ]);
    expect((await gw.request('PATCH', `/api/loss-reasons/${'0'.repeat(24)}`, { token: admin.token, json: { label: 'x' } })).status).toBe(
      404,
    );
  });

  it('refuses to close a lead as lost without a reason, or with an unknown or inactive one, and changes nothing', async () => {
    const id = await leadOf(marta, 'Скільки коштує доставка до Одеси?');
    const inactive = (await reasons()).find((r) => !r.active) as Reason;

    const none = await closeLost(id, { lossNote: 'передумала' });
    expect(none.status).toBe(400);
    expect(none.body.error.code).toBe('INBOX.LOSS_REASON_REQUIRED');
    const unknown = await closeLost(id, { lossReasonId: 'f'.repeat(24) });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('INBOX.UNKNOWN_LOSS_REASON');
    const off = await closeLost(id, { lossReasonId: inactive.id });
    expect(off.status).toBe(400);
    expect(off.body.error.code).toBe('INBOX.UNKNOWN_LOSS_REASON');
    const garbled = await closeLost(id, { lossReasonId: 'price' });
    expect(garbled.status).toBe(400);

    const now = (await gw.request('GET', `/api/conversations/${id}`, { token: agent.token })).body;
    expect(now).toMatchObject({ status: 'open', outcome: null, lossReason: null, lossReasonId: null, lossNote: null });
    expect(now.awaitingReplySince).not.toBeNull();
  });

  it('takes the contract’s lossReason as an active reason’s label, and refuses words that name none', async () => {
    const id = await leadOf(marta, 'А доставка в Житомир буде до п’ятниці?');
    const free = await closeLost(id, { lossReason: 'просто передумала' });
    expect(free.status).toBe(400);
    expect(free.body.error.code).toBe('INBOX.UNKNOWN_LOSS_REASON');
    expect(free.body.error.message).toContain('Обрали конкурента');
    const price = (await reasons()).find((r) => r.label === 'Висока ціна') as Reason;
    const lost = await closeLost(id, { lossReason: 'висока ціна' });
    expect(lost.status).toBe(200);
    expect(lost.body).toMatchObject({ outcome: 'lost', lossReason: 'Висока ціна', lossReasonId: price.id });
  });

  it('keeps the label a lead was lost with when admins rename or deactivate the reason later', async () => {
    const id = await leadOf(john, 'Do you have the blue one in XL?');
    const competitor = (await reasons()).find((r) => r.label === 'Обрали конкурента') as Reason;
    const lost = await closeLost(id, { lossReasonId: competitor.id, lossNote: 'found it cheaper on Rozetka' });
    expect(lost.body).toMatchObject({
      status: 'resolved',
      outcome: 'lost',
      lossReason: 'Обрали конкурента',
      lossReasonId: competitor.id,
      lossNote: 'found it cheaper on Rozetka',
    });
    await gw.request('PATCH', `/api/loss-reasons/${competitor.id}`, { token: admin.token, json: { label: 'Купили в іншому магазині' } });
    await gw.request('DELETE', `/api/loss-reasons/${competitor.id}`, { token: admin.token });
    const later = (await gw.request('GET', `/api/conversations/${id}`, { token: agent.token })).body;
    expect(later).toMatchObject({ lossReason: 'Обрали конкурента', lossReasonId: competitor.id });

    // A reason is needed only for a loss: a won lead and a plain resolve take none.
    const won = await leadOf(oksana, 'Беру, оформлюйте!');
    const closed = await gw.request('POST', `/api/conversations/${won}/status`, {
      token: agent.token,
      json: { status: 'resolved', outcome: 'won' },
    });
    expect(closed.body).toMatchObject({ status: 'resolved', outcome: 'won', lossReason: null, lossReasonId: null });
  });
});
