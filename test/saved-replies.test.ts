import { TestGateway, type TestManager } from './support/gateway';

interface SavedReply {
  id: string;
  scope: 'team' | 'personal';
  ownerId: string | null;
  shortcut: string;
  title: string;
  text: string;
  editable: boolean;
}

describe('saved replies', () => {
  let gw: TestGateway;
  let supervisor: TestManager;
  let iryna: TestManager;
  let taras: TestManager;
  const list = async (m: TestManager, q?: string) =>
    (await gw.request<{ items: SavedReply[] }>('GET', `/api/saved-replies${q ? `?q=${encodeURIComponent(q)}` : ''}`, { token: m.token }))
      .body.items;
  const add = (m: TestManager, json: unknown) => gw.request('POST', '/api/saved-replies', { token: m.token, json });

  beforeAll(async () => {
    gw = await TestGateway.start();
    supervisor = await gw.manager('supervisor', 'Оксана Левченко');
    iryna = await gw.manager('agent', 'Ірина Бондар');
    taras = await gw.manager('agent', 'Тарас Мельник');
  });
  afterAll(async () => {
    await gw.close();
  });

  it('lists the team’s replies and the manager’s own by shortcut, each manager seeing only their own personal ones', async () => {
    const price = await add(supervisor, {
      scope: 'team',
      shortcut: 'price',
      title: 'Ціни',
      text: 'Добрий день, {name}! Прайс на сайті: shop.example/prices',
    });
    expect(price.status).toBe(201);
    expect(price.body).toMatchObject({ scope: 'team', ownerId: null, shortcut: 'price', editable: true });
    expect(
      (await add(supervisor, { scope: 'team', shortcut: '/Delivery', title: 'Delivery', text: 'We ship across Ukraine in 1–3 days.' }))
        .body,
    ).toMatchObject({ shortcut: 'delivery' });
    const mine = await add(iryna, { shortcut: 'дякую', title: 'Подяка', text: 'Дякую за замовлення, {name}!' });
    expect(mine.body).toMatchObject({ scope: 'personal', ownerId: iryna.agent.id, editable: true });

    const seenByIryna = await list(iryna);
    expect(seenByIryna.map((r) => [r.shortcut, r.editable])).toEqual([
      ['delivery', false],
      ['price', false],
      ['дякую', true],
    ]);
    expect((await list(taras)).map((r) => r.shortcut)).toEqual(['delivery', 'price']);
  });

  it('searches the shortcut, the title and the text, case aside', async () => {
    expect((await list(iryna, 'PRI')).map((r) => r.shortcut)).toEqual(['price']);
    expect((await list(iryna, 'подяка')).map((r) => r.shortcut)).toEqual(['дякую']);
    expect((await list(iryna, 'ukraine')).map((r) => r.shortcut)).toEqual(['delivery']);
    expect(await list(iryna, '(')).toEqual([]);
  });

  it('lets only supervisors and admins add, change or delete the team’s replies: an agent gets 403 and nothing changes', async () => {
    const before = await list(iryna);
    const price = before.find((r) => r.shortcut === 'price');
    if (!price) throw new Error('no /price');

    const added = await add(iryna, { scope: 'team', shortcut: 'знижка', title: 'Знижка', text: 'Знижка 10% до неділі.' });
    expect(added.status).toBe(403);
    expect(added.body.error.code).toBe('AUTH.FORBIDDEN');
    const changed = await gw.request('PATCH', `/api/saved-replies/${price.id}`, { token: iryna.token, json: { text: 'Усе безкоштовно!' } });
    expect(changed.status).toBe(403);
    const deleted = await gw.request('DELETE', `/api/saved-replies/${price.id}`, { token: iryna.token });
    expect(deleted.status).toBe(403);
    expect(await list(iryna)).toEqual(before);

    const edited = await gw.request('PATCH', `/api/saved-replies/${price.id}`, {
      token: supervisor.token,
      json: { title: 'Ціни та прайс' },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ shortcut: 'price', title: 'Ціни та прайс', text: price.text });
  });

  it('keeps a manager’s personal reply theirs: another manager, even a supervisor, finds no such reply', async () => {
    const mine = (await list(iryna)).find((r) => r.shortcut === 'дякую');
    if (!mine) throw new Error('no /дякую');
    for (const other of [taras, supervisor]) {
      const changed = await gw.request('PATCH', `/api/saved-replies/${mine.id}`, { token: other.token, json: { text: 'Чуже' } });
      expect(changed.status).toBe(404);
      expect((await gw.request('DELETE', `/api/saved-replies/${mine.id}`, { token: other.token })).status).toBe(404);
    }
    expect((await list(iryna)).find((r) => r.id === mine.id)?.text).toBe('Дякую за замовлення, {name}!');
  });

  it('refuses a shortcut its owner already has with 409, on adding and on renaming, and takes the same one for someone else', async () => {
    const again = await add(supervisor, { scope: 'team', shortcut: 'PRICE', title: 'Ще раз', text: 'Інший текст' });
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({ code: 'SAVED_REPLY.SHORTCUT_TAKEN', message: 'the team has a saved reply /price already' });

    const delivery = (await list(supervisor)).find((r) => r.shortcut === 'delivery');
    const renamed = await gw.request('PATCH', `/api/saved-replies/${delivery?.id}`, {
      token: supervisor.token,
      json: { shortcut: 'price' },
    });
    expect(renamed.status).toBe(409);
    expect(renamed.body.error.code).toBe('SAVED_REPLY.SHORTCUT_TAKEN');
    expect((await list(supervisor)).find((r) => r.id === delivery?.id)?.shortcut).toBe('delivery');

    // A personal reply may share a shortcut with the team's, and another manager's.
    expect((await add(taras, { shortcut: 'price', title: 'Мої ціни', text: 'Оптові ціни — на запит.' })).status).toBe(201);
    expect((await add(taras, { shortcut: 'дякую', title: 'Дякую', text: 'Дякую!' })).status).toBe(201);
    expect((await add(taras, { shortcut: 'дякую', title: 'Дякую двічі', text: 'Дякую ще раз!' })).body.error).toEqual({
      code: 'SAVED_REPLY.SHORTCUT_TAKEN',
      message: 'you have a saved reply /дякую already',
    });
  });

  it('answers a bad body with 400 naming the fields, and changes nothing', async () => {
    const before = await list(supervisor);
    for (const json of [
      { scope: 'team', shortcut: 'з пробілом', title: 'Пробіл', text: 'Текст' },
      { scope: 'team', shortcut: 'a'.repeat(33), title: 'Довгий', text: 'Текст' },
      { scope: 'everyone', shortcut: 'all', title: 'Усім', text: 'Текст' },
      { shortcut: 'empty', title: '', text: '   ' },
      { shortcut: 'extra', title: 'Зайве', text: 'Текст', ownerId: taras.agent.id },
    ]) {
      const answer = await add(supervisor, json);
      expect([answer.status, answer.body.error.code]).toEqual([400, 'INBOX.BAD_INPUT']);
    }
    const empty = await add(supervisor, { shortcut: 'empty', title: '', text: '   ' });
    expect(empty.body.error.message).toMatch(/title: .+; text: /);

    const price = before.find((r) => r.shortcut === 'price');
    for (const json of [{}, { shortcut: 'ще раз' }, { text: '' }, { scope: 'personal' }]) {
      const answer = await gw.request('PATCH', `/api/saved-replies/${price?.id}`, { token: supervisor.token, json });
      expect(answer.status).toBe(400);
    }
    expect((await gw.request('PATCH', '/api/saved-replies/not-an-id', { token: supervisor.token, json: { text: 'x' } })).status).toBe(404);
    expect(await list(supervisor)).toEqual(before);
  });

  it('deletes a reply its owner may edit, once', async () => {
    const mine = (await list(taras)).find((r) => r.shortcut === 'price' && r.scope === 'personal');
    expect((await gw.request('DELETE', `/api/saved-replies/${mine?.id}`, { token: taras.token })).status).toBe(204);
    expect((await gw.request('DELETE', `/api/saved-replies/${mine?.id}`, { token: taras.token })).status).toBe(404);
    expect((await list(taras)).map((r) => `${r.scope}:${r.shortcut}`)).toEqual(['team:delivery', 'team:price', 'personal:дякую']);
    expect((await gw.request('GET', '/api/saved-replies')).status).toBe(401);
  });
});
