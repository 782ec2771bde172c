import { type FormContact, formMessage } from './fixtures/site-form';
import { olena, textUpdate } from './fixtures/telegram';
import { eventually, type SocketRecorder, TestGateway, type TestManager } from './support/gateway';

interface Lead {
  id: string;
  cycle: number;
  stageId: string;
  stageKind: string;
  source: string | null;
  amount: number | null;
  contactedAt: string | null;
  endedAt: string | null;
  lossReasonId: string | null;
}

const customer = (externalId: string, name: string, phone?: string): FormContact => ({
  externalId,
  name,
  email: `${externalId}@example.com`,
  ...(phone ? { phone } : {}),
});

describe('the sales pipeline: leads through their stages', () => {
  let gw: TestGateway;
  let admin: TestManager;
  let supervisor: TestManager & { socket: SocketRecorder };
  let iryna: TestManager;
  let bohdan: TestManager;
  beforeAll(async () => {
    gw = await TestGateway.start();
    admin = await gw.manager('admin', 'Адміністратор Алла');
    supervisor = await gw.online('supervisor', 'Світлана Коваль');
    iryna = await gw.manager('agent', 'Ірина Бондар');
    bohdan = await gw.manager('agent', 'Богдан Ткач');
  });
  afterAll(async () => {
    await gw.close();
  });

  async function conversationOf(contact: FormContact, text: string): Promise<string> {
    expect((await gw.postApi(formMessage(contact, text))).status).toBeLessThan(300);
    const message = await supervisor.socket.waitFor('message:new', (p) => p.message.text === text);
    return message.conversation.id;
  }
  const leadOf = async (id: string, token = supervisor.token): Promise<{ lead: Lead; moves: any[] }> =>
    (await gw.request('GET', `/api/conversations/${id}/lead`, { token })).body;
  const move = (id: string, json: Record<string, unknown>, token = supervisor.token) =>
    gw.request('POST', `/api/conversations/${id}/stage`, { token, json });
  const reply = (id: string, text: string, token = supervisor.token) =>
    gw.request('POST', `/api/conversations/${id}/messages`, { token, json: { text } });

  it('starts with the default stages, in order, that every manager reads', async () => {
    const res = await gw.request('GET', '/api/pipeline/stages', { token: iryna.token });
    expect(res.status).toBe(200);
    expect(res.body.items.map((s: { id: string; label: string; kind: string }) => `${s.id} ${s.label} ${s.kind}`)).toEqual([
      'new Новий open',
      'contacted Контакт open',
      'qualified Кваліфіковано open',
      'proposal Пропозиція open',
      'won Виграно won',
      'lost Втрачено lost',
    ]);
    expect((await gw.request('GET', '/api/pipeline/stages')).status).toBe(401);
  });

  it('opens a lead at the first stage on the customer’s first message, and the first reply moves it to Контакт', async () => {
    const text = 'Добрий день, скільки коштує диван «Верона»?';
    expect((await gw.postTelegram(textUpdate(olena, text))).status).toBe(200);
    const id = (await supervisor.socket.waitFor('message:new', (p) => p.message.text === text)).conversation.id;
    const first = await leadOf(id);
    expect(first.lead).toMatchObject({ cycle: 1, stageId: 'new', stageKind: 'open', source: null, contactedAt: null });
    expect(first.moves).toMatchObject([{ seq: 1, from: null, to: 'new', msInFrom: null, byAgentId: null }]);

    expect((await reply(id, 'Добрий день! «Верона» коштує 18 900 грн.')).status).toBe(201);
    const updated = await supervisor.socket.waitFor('lead:updated', (p) => p.lead.conversationId === id && p.lead.stageId === 'contacted');
    expect(updated.lead.contactedAt).not.toBeNull();
    const after = await leadOf(id);
    expect(after.moves.map((m) => `${m.from}→${m.to}`)).toEqual(['null→new', 'new→contacted']);
    expect(after.moves[1]).toMatchObject({ byAgentId: null });

    // A second reply changes nothing: the lead is contacted once.
    await reply(id, 'Можемо привезти в суботу.');
    await gw.inbox.pipeline.settled();
    expect((await leadOf(id)).moves).toHaveLength(2);
  });

  it('keeps where a lead came from: a site form’s leads carry its name', async () => {
    const id = await conversationOf(customer('form-halyna', 'Галина Мороз'), 'Чи можна замовити доставку на вихідні?');
    expect((await leadOf(id)).lead.source).toBe('site-form');
  });

  it('refuses a stage that needs an amount or a phone the lead lacks (400, nothing moves), and takes it once given', async () => {
    const stage = await gw.request('POST', '/api/pipeline/stages', {
      token: admin.token,
      json: { label: 'Рахунок виставлено', requires: ['amount', 'phone'] },
    });
    expect(stage.status).toBe(201);
    const id = await conversationOf(customer('form-oleh', 'Олег Гнатюк'), 'Потрібна шафа-купе 2 метри');
    const noAmount = await move(id, { stageId: stage.body.id });
    expect(noAmount.status).toBe(400);
    expect(noAmount.body.error.code).toBe('PIPELINE.AMOUNT_REQUIRED');
    const noPhone = await move(id, { stageId: stage.body.id, amount: 14500 });
    expect(noPhone.status).toBe(400);
    expect(noPhone.body.error.code).toBe('PIPELINE.PHONE_REQUIRED');
    expect((await leadOf(id)).lead).toMatchObject({ stageId: 'new', amount: null });

    const withPhone = await conversationOf(customer('form-vira', 'Віра Лисенко', '+380671112233'), 'Шафа-купе, 2,4 м, біла');
    const moved = await move(withPhone, { stageId: stage.body.id, amount: 16200 });
    expect(moved.status).toBe(200);
    expect(moved.body.lead).toMatchObject({ stageId: stage.body.id, amount: 16200 });
    const unknown = await move(withPhone, { stageId: 'nowhere' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('PIPELINE.UNKNOWN_STAGE');
    expect((await move(withPhone, { stageId: 'won', amount: -5 })).status).toBe(400);
    await gw.request('DELETE', `/api/pipeline/stages/${stage.body.id}`, { token: admin.token });
  });

  it('asks the status route for what the won stage needs, as the stage route does: nothing changes without it', async () => {
    const needsAmount = await gw.request('PATCH', '/api/pipeline/stages/won', { token: admin.token, json: { requires: ['amount'] } });
    expect(needsAmount.status).toBe(200);
    try {
      const id = await conversationOf(customer('form-taras', 'Тарас Бондар'), 'Беру диван «Верона», як оплатити?');
      await gw.inbox.pipeline.settled();
      const resolve = () =>
        gw.request('POST', `/api/conversations/${id}/status`, { token: supervisor.token, json: { status: 'resolved', outcome: 'won' } });
      const refused = await resolve();
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('PIPELINE.AMOUNT_REQUIRED');
      expect(refused.body.error.message).toContain(`/api/conversations/${id}/stage`);
      const conversation = await gw.request('GET', `/api/conversations/${id}`, { token: supervisor.token });
      expect(conversation.body.status).not.toBe('resolved');
      expect((await leadOf(id)).lead).toMatchObject({ stageId: 'new', endedAt: null });

      // The amount given on the lead where it stands, the status route closes it as won.
      expect((await move(id, { stageId: 'new', amount: 23_900 })).status).toBe(200);
      expect((await resolve()).status).toBe(200);
      await gw.inbox.pipeline.settled();
      expect((await leadOf(id)).lead).toMatchObject({ stageId: 'won', amount: 23_900 });
    } finally {
      await gw.request('PATCH', '/api/pipeline/stages/won', { token: admin.token, json: { requires: [] } });
    }
  });

  it('closes the lead as lost only with a reason, resolving the conversation as the status route does', async () => {
    const id = await conversationOf(customer('form-roman', 'Роман Кравець'), 'Чи є у вас ліжко 160×200?');
    const none = await move(id, { stageId: 'lost', lossNote: 'дорого' });
    expect(none.status).toBe(400);
    expect(none.body.error.code).toBe('INBOX.LOSS_REASON_REQUIRED');
    expect((await move(id, { stageId: 'lost', lossReasonId: 'f'.repeat(24) })).body.error.code).toBe('INBOX.UNKNOWN_LOSS_REASON');
    expect((await leadOf(id)).lead.stageId).toBe('new');

    const lost = await move(id, { stageId: 'lost', lossReason: 'ціна', lossNote: 'знайшов дешевше' });
    expect(lost.status).toBe(200);
    const price = (await gw.request('GET', '/api/loss-reasons', { token: admin.token })).body.items[0];
    expect(lost.body.lead).toMatchObject({ stageId: 'lost', stageKind: 'lost', lossReasonId: price.id });
    expect(lost.body.lead.endedAt).not.toBeNull();
    const conversation = (await gw.request('GET', `/api/conversations/${id}`, { token: admin.token })).body;
    expect(conversation).toMatchObject({ status: 'resolved', outcome: 'lost', lossReason: 'Ціна', lossNote: 'знайшов дешевше' });
    const moves = (await leadOf(id)).moves;
    expect(moves.at(-1)).toMatchObject({ from: 'new', to: 'lost', lossReason: 'Ціна', byAgentId: supervisor.agent.id });

    const again = await move(id, { stageId: 'contacted' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('PIPELINE.LEAD_CLOSED');
  });

  it('follows the status route: won lands in Виграно, and the customer writing again starts a new lead at Новий', async () => {
    const contact = customer('form-daria', 'Дарія Савчук');
    const id = await conversationOf(contact, 'Хочу замовити стіл «Лофт»');
    await leadOf(id);
    const won = await gw.request('POST', `/api/conversations/${id}/status`, {
      token: supervisor.token,
      json: { status: 'resolved', outcome: 'won' },
    });
    expect(won.status).toBe(200);
    await supervisor.socket.waitFor('lead:updated', (p) => p.lead.conversationId === id && p.lead.stageId === 'won');
    const closed = await leadOf(id);
    expect(closed.lead).toMatchObject({ cycle: 1, stageId: 'won', stageKind: 'won' });
    expect(closed.moves.at(-1)).toMatchObject({ from: 'new', to: 'won', byAgentId: supervisor.agent.id });

    await conversationOf(contact, 'А ще потрібні два стільці до нього');
    const reopened = await eventually(async () => {
      const now = await leadOf(id);
      return now.lead.cycle === 2 && now;
    });
    expect(reopened.lead).toMatchObject({ cycle: 2, stageId: 'new', endedAt: null });
    expect(reopened.moves).toMatchObject([{ seq: 1, from: null, to: 'new' }]);
  });

  it('ends a lead resolved with no outcome where it stands, and a manager reopening it takes the same deal up again', async () => {
    const id = await conversationOf(customer('form-iryna-k', 'Ірина Карпенко'), 'Підкажіть, чи є комод у горіху?');
    expect((await move(id, { stageId: 'qualified' })).status).toBe(200);
    const changes: { from: string | null; to: string; byAgentId: string | null }[] = [];
    gw.inbox.events.on('lead:stage-changed', (c) => {
      if (c.conversation.id === id) changes.push({ from: c.from?.id ?? null, to: c.to.id, byAgentId: c.byAgentId });
    });
    await gw.request('POST', `/api/conversations/${id}/status`, { token: supervisor.token, json: { status: 'resolved' } });
    await gw.inbox.pipeline.settled();
    const ended = await leadOf(id);
    expect(ended.lead).toMatchObject({ stageId: 'qualified' });
    expect(ended.lead.endedAt).not.toBeNull();
    expect(
      (await gw.request('GET', '/api/pipeline/board', { token: supervisor.token })).body.columns[2].leads.map(
        (c: any) => c.lead.conversationId,
      ),
    ).not.toContain(id);

    await gw.request('POST', `/api/conversations/${id}/status`, { token: supervisor.token, json: { status: 'open' } });
    await gw.inbox.pipeline.settled();
    expect((await leadOf(id)).lead).toMatchObject({ cycle: 1, stageId: 'qualified', endedAt: null });
    expect((await move(id, { stageId: 'won', fromStageId: 'qualified' })).status).toBe(200);
    expect(changes).toEqual([{ from: 'qualified', to: 'won', byAgentId: supervisor.agent.id }]);
  });

  it('lands one move when two managers move the same lead at once', async () => {
    const id = await conversationOf(customer('form-taras', 'Тарас Білик'), 'Комод на 4 шухляди є в наявності?');
    await leadOf(id);
    const [a, b] = await Promise.all([
      move(id, { fromStageId: 'new', stageId: 'qualified' }, admin.token),
      move(id, { fromStageId: 'new', stageId: 'proposal' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect([a.body, b.body].find((r) => r.error)?.error.code).toBe('INBOX.CONFLICT');
    const { lead, moves } = await leadOf(id);
    expect(moves).toHaveLength(2);
    expect(lead.stageId).toBe(moves[1].to);
  });

  it('lets only admins keep the stages: add, rename, reorder, switch off (never the last of its kind)', async () => {
    expect((await gw.request('POST', '/api/pipeline/stages', { token: iryna.token, json: { label: 'Демо' } })).status).toBe(403);
    const added = await gw.request('POST', '/api/pipeline/stages', { token: admin.token, json: { label: 'Демо показ' } });
    expect(added.body).toMatchObject({ label: 'Демо показ', kind: 'open', requires: [], active: true });
    const renamed = await gw.request('PATCH', `/api/pipeline/stages/${added.body.id}`, {
      token: admin.token,
      json: { label: 'Демонстрація', order: 3.5 },
    });
    expect(renamed.status).toBe(400);
    const moved = await gw.request('PATCH', `/api/pipeline/stages/${added.body.id}`, {
      token: admin.token,
      json: { label: 'Демонстрація', order: 0 },
    });
    expect(moved.body).toMatchObject({ label: 'Демонстрація', order: 0 });
    const off = await gw.request('DELETE', `/api/pipeline/stages/${added.body.id}`, { token: admin.token });
    expect(off.body.active).toBe(false);
    const lastWon = await gw.request('DELETE', '/api/pipeline/stages/won', { token: admin.token });
    expect(lastWon.status).toBe(409);
    expect(lastWon.body.error.code).toBe('PIPELINE.LAST_STAGE_OF_KIND');
    const empty = await gw.request('POST', '/api/pipeline/stages', { token: admin.token, json: { label: ' ', kind: 'open' } });
    expect(empty.status).toBe(400);
    const list = (await gw.request('GET', '/api/pipeline/stages', { token: iryna.token })).body.items;
    expect(list[0]).toMatchObject({ label: 'Демонстрація', active: false });
  });

  it('filters the conversation list by stage, outcome and loss reason, and shows the board by stage', async () => {
    const id = await conversationOf(customer('form-lesia', 'Леся Гуменюк'), 'Матрац ортопедичний 90×190, яка ціна?');
    await leadOf(id);
    expect((await move(id, { stageId: 'proposal' })).status).toBe(200);
    const list = async (query: string) =>
      (await gw.request('GET', `/api/conversations?${query}`, { token: supervisor.token })).body.items.map((c: { id: string }) => c.id);
    expect(await list('stageId=proposal')).toContain(id);
    expect(await list('stageId=new')).not.toContain(id);
    const price = (await gw.request('GET', '/api/loss-reasons', { token: admin.token })).body.items[0];
    const lostOnPrice = await list(`lossReasonId=${price.id}`);
    expect(lostOnPrice.length).toBeGreaterThan(0);
    expect(lostOnPrice).not.toContain(id);
    expect(await list(`outcome=lost&lossReasonId=${price.id}`)).toEqual(lostOnPrice);
    expect(await list(`outcome=won&lossReasonId=${price.id}`)).toEqual([]);
    expect((await gw.request('GET', '/api/conversations?outcome=maybe', { token: supervisor.token })).status).toBe(400);

    const board = await gw.request('GET', '/api/pipeline/board', { token: supervisor.token });
    expect(board.status).toBe(200);
    expect(board.body.columns.map((c: { stage: { id: string } }) => c.stage.id)).toEqual(['new', 'contacted', 'qualified', 'proposal']);
    const proposal = board.body.columns.find((c: { stage: { id: string } }) => c.stage.id === 'proposal');
    expect(proposal.leads.map((card: { contactName: string }) => card.contactName)).toContain('Леся Гуменюк');
    expect(proposal.count).toBe(proposal.leads.length);

    // An agent's board is their own and the unassigned; another's is refused.
    expect((await gw.request('GET', `/api/pipeline/board?assigneeId=${bohdan.agent.id}`, { token: iryna.token })).status).toBe(403);
    expect((await gw.request('GET', '/api/pipeline/board?assigneeId=none', { token: iryna.token })).status).toBe(200);
  });

  it('lets an agent move only the leads of conversations they may work on', async () => {
    const id = await conversationOf(customer('form-yurii', 'Юрій Поліщук'), 'Доброго дня, цікавить кухня на замовлення');
    await gw.request('POST', `/api/conversations/${id}/assign`, { token: supervisor.token, json: { agentId: bohdan.agent.id } });
    const refused = await move(id, { stageId: 'qualified' }, iryna.token);
    expect(refused.status).toBe(403);
    expect((await move(id, { stageId: 'qualified' }, bohdan.token)).status).toBe(200);
    await gw.inbox.pipeline.settled();
    expect((await leadOf(id)).lead).toMatchObject({ stageId: 'qualified' });
  });

  it('finishes a move whose process died between the lead and its record: the next reader stores it once', async () => {
    const id = await conversationOf(customer('form-nadia', 'Надія Остапенко'), 'Добрий вечір, а є знижки на подушки?');
    await leadOf(id);
    const lead = await gw.inbox.store.pipeline.latestLead(id);
    if (!lead) throw new Error('no lead');
    const move = {
      id: `${lead.id}:2`,
      leadId: lead.id,
      conversationId: id,
      seq: 2,
      channel: lead.channel,
      source: lead.source,
      assigneeId: null,
      byAgentId: supervisor.agent.id,
      from: 'new',
      to: 'qualified',
      toKind: 'open' as const,
      at: new Date(),
      msInFrom: 1000,
      amount: null,
      lossReasonId: null,
      lossReason: null,
    };
    // The guarded write of the lead lands; the process dies before the move's own record.
    expect(await gw.inbox.store.pipeline.moveLead(lead, { move })).not.toBeNull();
    const read = await leadOf(id);
    expect(read.lead.stageId).toBe('qualified');
    expect(read.moves.map((m) => `${m.from}→${m.to}`)).toEqual(['null→new', 'new→qualified']);
    expect(await gw.inbox.pipeline.settlePending()).toBe(0);
    expect((await leadOf(id)).moves).toHaveLength(2);
  });
});
