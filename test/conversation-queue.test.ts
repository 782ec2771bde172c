import { ann, olena, textUpdate } from './fixtures/telegram';
import { TestGateway, type TestManager } from './support/gateway';

describe('the waiting queue (GET /api/conversations?sort=waiting)', () => {
  let gw: TestGateway;
  let supervisor: TestManager;
  const taras = { id: 380_671_112_233, is_bot: false, first_name: 'Тарас', username: 'taras_sh', language_code: 'uk' } as typeof ann;

  beforeAll(async () => {
    gw = await TestGateway.start();
    supervisor = await gw.manager('supervisor', 'Оксана Левченко');
    await gw.postTelegram(textUpdate(olena, 'Доброго дня! Замовлення №1042 досі не прийшло.'));
    await gw.postTelegram(textUpdate(ann, 'Hi! Do you ship to Poland?'));
    await gw.postTelegram(textUpdate(taras, 'Чи працюєте ви в неділю?'));
    // Ann is answered; later Олена writes again, which makes her the latest message but not a shorter wait.
    const list = await gw.request('GET', '/api/conversations', { token: supervisor.token });
    const anns = list.body.items.find((c: { contact: { name: string } }) => c.contact.name === 'Ann');
    await gw.request('POST', `/api/conversations/${anns.id}/messages`, { token: supervisor.token, json: { text: 'Yes, in 3–5 days.' } });
    await gw.postTelegram(textUpdate(olena, 'Підкажіть, будь ласка, номер накладної.'));
  });
  afterAll(async () => {
    await gw.close();
  });

  it('lists only those waiting for a reply, longest wait first, whatever came last', async () => {
    const reply = await gw.request('GET', '/api/conversations?sort=waiting', { token: supervisor.token });
    expect(reply.body.items.map((c: { contact: { name: string } }) => c.contact.name)).toEqual(['Олена Коваленко', 'Тарас']);
    const recent = await gw.request('GET', '/api/conversations', { token: supervisor.token });
    expect(recent.body.items.map((c: { contact: { name: string } }) => c.contact.name)).toEqual(['Олена Коваленко', 'Ann', 'Тарас']);
  });

  it('pages through the queue with a cursor, without repeats or gaps', async () => {
    const first = await gw.request('GET', '/api/conversations?sort=waiting&status=open&limit=1', { token: supervisor.token });
    const second = await gw.request('GET', `/api/conversations?sort=waiting&status=open&limit=1&cursor=${first.body.nextCursor}`, {
      token: supervisor.token,
    });
    expect([...first.body.items, ...second.body.items].map((c: { contact: { name: string } }) => c.contact.name)).toEqual([
      'Олена Коваленко',
      'Тарас',
    ]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('refuses an order it does not know', async () => {
    const reply = await gw.request('GET', '/api/conversations?sort=loudest', { token: supervisor.token });
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toMatch(/^sort:/);
  });
});
