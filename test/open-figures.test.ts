import { Types } from 'mongoose';
import { formMessage, marta } from './fixtures/site-form';
import { ann, olena, textUpdate } from './fixtures/telegram';
import { ManualClock } from './support/clock';
import { type SocketRecorder, TestGateway, type TestManager } from './support/gateway';

/**
 * The open figures (a small document per customer waiting now, and per lead nobody answered, filed by the month of
 * its first message) follow the conversations through the real gateway: webhooks, the managers' API and the
 * escalation pass.
 * Every step stays within 30 minutes of the start, so no background reconciliation repairs them behind the test's back.
 */
describe('the open figures behind the response-time report', () => {
  const clock = new ManualClock('2024-03-04T09:00:00Z');
  let gw: TestGateway;
  let waits: Awaited<ReturnType<TestGateway['collection']>>;
  let leads: Awaited<ReturnType<TestGateway['collection']>>;
  let iryna: TestManager;
  let bohdan: TestManager;
  let sam: TestManager;
  let samSocket: SocketRecorder;
  const ids: Record<string, string> = {};

  const at = (hhmm: string) => clock.set(`2024-03-04T${hhmm}:00Z`);
  const conversationOf = async (text: string) =>
    (await samSocket.waitFor('message:new', (p) => p.message.text === text)).conversation.id as string;
  const view = async (id: string) => (await gw.request('GET', `/api/conversations/${id}`, { token: sam.token })).body;
  /** The stored figures of a conversation as one, with the fields the store left out (it drops nulls) as null. */
  const figureOf = async (id: string) => {
    const wait = await waits.findOne({ _id: new Types.ObjectId(id) });
    const lead = await leads.findOne({ _id: new Types.ObjectId(id) });
    const doc = wait ?? lead;
    if (!doc) return null;
    const iso = (d: Date | undefined | null) => d?.toISOString() ?? null;
    return {
      channel: doc.channel,
      assigneeId: doc.assigneeId?.toString() ?? null,
      waitingSince: iso(wait?.waitingSince),
      leadAt: iso(lead?.leadAt),
      leadDueAt: iso(lead?.leadDueAt),
    };
  };

  beforeAll(async () => {
    gw = await TestGateway.start({ clock: clock.now, env: { ESCALATION_AFTER: '10m', SLA_FIRST_RESPONSE: '5m' } });
    waits = await gw.collection('figures_waiting');
    // Leads are filed by the month of their first message: March 2024 here.
    leads = await gw.collection('figures_leads_202403');
    iryna = await gw.online('agent', 'Ірина Бондар');
    bohdan = await gw.online('agent', 'Богдан Кравець');
    ({ socket: samSocket, ...sam } = await gw.online('supervisor', 'Supervisor Sam'));
  }, 60_000);

  afterAll(async () => {
    await gw.close();
  });

  it('holds a customer who writes as waiting and as a lead until a manager answers', async () => {
    at('09:00');
    await gw.postTelegram(textUpdate(olena, 'Доброго дня! Чи є ця сукня в розмірі M?'));
    const id = await conversationOf('Доброго дня! Чи є ця сукня в розмірі M?');
    ids.olena = id;
    const assignee = (await view(id)).assigneeId as string;
    expect([iryna.agent.id, bohdan.agent.id]).toContain(assignee);
    expect(await figureOf(id)).toEqual({
      channel: 'telegram',
      assigneeId: assignee,
      waitingSince: '2024-03-04T09:00:00.000Z',
      leadAt: '2024-03-04T09:00:00.000Z',
      leadDueAt: '2024-03-04T09:05:00.000Z',
    });
    const waitingGauge = async () =>
      /^inbox_waiting_conversations\{channel="telegram"\} (\d+)$/m.exec(await (await fetch(`${gw.url}/metrics`)).text())?.[1];
    expect(await waitingGauge()).toBe('1');

    at('09:02');
    const answered = await gw.request('POST', `/api/conversations/${id}/messages`, {
      token: sam.token,
      json: { text: 'Вітаю, Олено! Так, розмір M є.' },
    });
    expect(answered.status).toBe(201);
    expect(await figureOf(id)).toBeNull();
    expect(await waitingGauge()).toBeUndefined();
  });

  it('moves with the conversation when the escalation hands it over and when a supervisor assigns it', async () => {
    at('09:05');
    await gw.postTelegram(textUpdate(ann, 'Hi! Can I still change the delivery address for my order?'));
    const id = await conversationOf('Hi! Can I still change the delivery address for my order?');
    const first = (await view(id)).assigneeId as string;
    const other = first === iryna.agent.id ? bohdan.agent.id : iryna.agent.id;
    expect((await figureOf(id))?.assigneeId).toBe(first);

    at('09:15');
    await gw.automations.tick();
    expect((await view(id)).assigneeId).toBe(other);
    expect(await figureOf(id)).toMatchObject({ assigneeId: other, waitingSince: '2024-03-04T09:05:00.000Z' });

    at('09:16');
    const assigned = await gw.request('POST', `/api/conversations/${id}/assign`, { token: sam.token, json: { agentId: first } });
    expect(assigned.status).toBe(200);
    expect(await figureOf(id)).toMatchObject({ assigneeId: first, leadAt: '2024-03-04T09:05:00.000Z' });
  });

  it('keeps a lead resolved without an answer as unanswered, no longer waiting', async () => {
    at('09:20');
    await gw.postApi(formMessage(marta, 'Добрий день, передзвоніть мені щодо оптового замовлення.'));
    const id = await conversationOf('Добрий день, передзвоніть мені щодо оптового замовлення.');
    at('09:21');
    const resolved = await gw.request('POST', `/api/conversations/${id}/status`, {
      token: sam.token,
      json: { status: 'resolved', outcome: 'lost', lossReason: 'duplicate of a phone order' },
    });
    expect(resolved.status).toBe(200);
    expect(await figureOf(id)).toMatchObject({
      channel: 'api',
      waitingSince: null,
      leadAt: '2024-03-04T09:20:00.000Z',
      leadDueAt: '2024-03-04T09:25:00.000Z',
    });
  });

  it('is reconciled with the conversations: a lost or stale figure is rewritten, a stray one goes', async () => {
    at('09:25');
    await gw.automations.tick();
    // Ann waits (and is a lead nobody answered); Марта's lead was closed unanswered.
    expect(await waits.countDocuments({})).toBe(1);
    expect(await leads.countDocuments({})).toBe(2);
    const annId = (await waits.findOne({}))?._id.toString() ?? '';
    const martaId = (await leads.findOne({ channel: 'api' }))?._id.toString() ?? '';
    const before = { ann: await figureOf(annId), marta: await figureOf(martaId) };

    // Марта's lead filed under the wrong month, Ann's hand-over missed (a crash between two writes); Олена, answered,
    // left with a wait.
    const february = await gw.collection('figures_leads_202402');
    await february.insertOne((await leads.findOne({ _id: new Types.ObjectId(martaId) })) ?? {});
    await leads.deleteOne({ _id: new Types.ObjectId(martaId) });
    await waits.updateOne({ _id: new Types.ObjectId(annId) }, { $set: { assigneeId: new Types.ObjectId(sam.agent.id) } });
    const olenaId = ids.olena ?? '';
    await waits.insertOne({ _id: new Types.ObjectId(olenaId), channel: 'telegram', assigneeId: null, waitingSince: clock.now() });

    expect(await gw.inbox.openFigures.rebuild()).toEqual({ waiting: 1, leads: 2, written: 2, removed: 1 });
    expect({ ann: await figureOf(annId), marta: await figureOf(martaId) }).toEqual(before);
    expect(await figureOf(olenaId)).toBeNull();
    expect(await february.countDocuments({})).toBe(0);
    expect(await gw.inbox.openFigures.rebuild()).toEqual({ waiting: 1, leads: 2, written: 0, removed: 0 });
  });

  it('feed the report: unanswered leads and waits come from them, leads are first responses plus the unanswered', async () => {
    const report = async (from: string, to: string) => {
      const res = await gw.request('GET', `/api/metrics/response-times?from=2024-03-04T${from}:00Z&to=2024-03-04T${to}:00Z`, {
        token: sam.token,
      });
      expect(res.status).toBe(200);
      return Object.fromEntries(res.body.items.map((row: { key: string }) => [row.key, row]));
    };
    const ageing = (waiting15to60m: number) => ({
      under5m: 0,
      '5to15m': 0,
      '15to60m': waiting15to60m,
      '1to4h': 0,
      '4to24h': 0,
      over24h: 0,
    });

    // 09:00–09:30: Олена answered at 09:02, Ann still waiting since 09:05 (20 min at 09:25), Марта resolved unanswered.
    const morning = await report('09:00', '09:30');
    expect(morning.telegram).toMatchObject({ leads: 2, unanswered: 1, unansweredPastTarget: 1, ageing: ageing(1) });
    expect(morning.api).toMatchObject({ leads: 1, unanswered: 1, unansweredShare: 1, ageing: ageing(0) });

    // From 09:03 Олена's first response is out of the range, and with it her lead.
    expect((await report('09:03', '09:30')).telegram).toMatchObject({ leads: 1, unanswered: 1, unansweredShare: 1 });
  });
});
