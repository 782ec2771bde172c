import { formMessage, marta } from './fixtures/site-form';
import { ann, olena, textUpdate } from './fixtures/telegram';
import { ManualClock } from './support/clock';
import { type SocketRecorder, TestGateway, type TestManager } from './support/gateway';

/**
 * The report's unanswered leads and waits of now are read from the conversations themselves, so they follow every
 * write through the real gateway (webhooks, the managers' API, the escalation pass) with nothing kept beside them.
 */
describe('unanswered leads and the waits of now, from the conversations', () => {
  const clock = new ManualClock('2024-03-04T09:00:00Z');
  let gw: TestGateway;
  let iryna: TestManager;
  let bohdan: TestManager;
  let sam: TestManager;
  let samSocket: SocketRecorder;
  const ids: Record<string, string> = {};

  const at = (hhmm: string) => clock.set(`2024-03-04T${hhmm}:00Z`);
  const conversationOf = async (text: string) =>
    (await samSocket.waitFor('message:new', (p) => p.message.text === text)).conversation.id as string;
  const view = async (id: string) => (await gw.request('GET', `/api/conversations/${id}`, { token: sam.token })).body;
  const report = async (from: string, to: string, groupBy: 'channel' | 'agent' = 'channel', channel?: string) => {
    const res = await gw.request(
      'GET',
      `/api/metrics/response-times?from=2024-03-04T${from}:00Z&to=2024-03-04T${to}:00Z&groupBy=${groupBy}${channel ? `&channel=${channel}` : ''}`,
      { token: sam.token },
    );
    expect(res.status).toBe(200);
    return Object.fromEntries(res.body.items.map((row: { key: string }) => [row.key, row]));
  };
  const ageing = (bucket?: string) => {
    const all = { under5m: 0, '5to15m': 0, '15to60m': 0, '1to4h': 0, '4to24h': 0, over24h: 0 };
    return bucket ? { ...all, [bucket]: 1 } : all;
  };
  const waitingGauge = async () =>
    /^inbox_waiting_conversations\{channel="telegram"\} (\d+)$/m.exec(await (await fetch(`${gw.url}/metrics`)).text())?.[1];

  beforeAll(async () => {
    gw = await TestGateway.start({ clock: clock.now, env: { ESCALATION_AFTER: '10m', SLA_FIRST_RESPONSE: '5m' } });
    iryna = await gw.online('agent', 'Ірина Бондар');
    bohdan = await gw.online('agent', 'Богдан Кравець');
    ({ socket: samSocket, ...sam } = await gw.online('supervisor', 'Supervisor Sam'));
  }, 60_000);

  afterAll(async () => {
    await gw.close();
  });

  it('counts a customer who writes as waiting and as an unanswered lead until a manager answers', async () => {
    at('09:00');
    await gw.postTelegram(textUpdate(olena, 'Доброго дня! Чи є ця сукня в розмірі M?'));
    const id = await conversationOf('Доброго дня! Чи є ця сукня в розмірі M?');
    ids.olena = id;
    const assignee = (await view(id)).assigneeId as string;
    expect([iryna.agent.id, bohdan.agent.id]).toContain(assignee);
    at('09:01');
    expect((await report('09:00', '09:30')).telegram).toMatchObject({
      leads: 1,
      unanswered: 1,
      unansweredPastTarget: 0,
      ageing: ageing('under5m'),
    });
    expect((await report('09:00', '09:30', 'agent'))[assignee]).toMatchObject({ leads: 1, unanswered: 1, ageing: ageing('under5m') });
    expect(await waitingGauge()).toBe('1');

    at('09:02');
    const answered = await gw.request('POST', `/api/conversations/${id}/messages`, {
      token: sam.token,
      json: { text: 'Вітаю, Олено! Так, розмір M є.' },
    });
    expect(answered.status).toBe(201);
    // Answered: a lead with its first response, nobody waiting.
    expect((await report('09:00', '09:30')).telegram).toMatchObject({ leads: 1, unanswered: 0, ageing: ageing() });
    expect(await waitingGauge()).toBeUndefined();
  });

  it('moves with the conversation when the escalation hands it over and when a supervisor assigns it', async () => {
    at('09:05');
    await gw.postTelegram(textUpdate(ann, 'Hi! Can I still change the delivery address for my order?'));
    const id = await conversationOf('Hi! Can I still change the delivery address for my order?');
    ids.ann = id;
    const first = (await view(id)).assigneeId as string;
    const other = first === iryna.agent.id ? bohdan.agent.id : iryna.agent.id;
    expect((await report('09:00', '09:30', 'agent'))[first]).toMatchObject({ unanswered: 1, ageing: ageing('under5m') });

    at('09:15');
    await gw.automations.tick();
    expect((await view(id)).assigneeId).toBe(other);
    // Ten minutes of waiting, now counted for the agent it was handed to; past its 09:10 target.
    expect((await report('09:00', '09:30', 'agent'))[other]).toMatchObject({
      unanswered: 1,
      unansweredPastTarget: 1,
      ageing: ageing('5to15m'),
    });

    at('09:16');
    const assigned = await gw.request('POST', `/api/conversations/${id}/assign`, { token: sam.token, json: { agentId: first } });
    expect(assigned.status).toBe(200);
    const byAgent = await report('09:00', '09:30', 'agent');
    expect(byAgent[first]).toMatchObject({ unanswered: 1, ageing: ageing('5to15m') });
    expect(byAgent[other]?.unanswered ?? 0).toBe(0);
  });

  it('keeps a lead resolved without an answer as unanswered, no longer waiting', async () => {
    at('09:20');
    await gw.postApi(formMessage(marta, 'Добрий день, передзвоніть мені щодо оптового замовлення.'));
    const id = await conversationOf('Добрий день, передзвоніть мені щодо оптового замовлення.');
    at('09:21');
    const reasons = (await gw.request('GET', '/api/loss-reasons', { token: sam.token })).body.items;
    const other = reasons.find((r: { label: string }) => r.label === 'Інше');
    const resolved = await gw.request('POST', `/api/conversations/${id}/status`, {
      token: sam.token,
      json: { status: 'resolved', outcome: 'lost', lossReasonId: other.id, lossNote: 'duplicate of a phone order' },
    });
    expect(resolved.status).toBe(200);
    expect((await report('09:00', '09:30')).api).toMatchObject({ leads: 1, unanswered: 1, unansweredShare: 1, ageing: ageing() });
  });

  it('feeds the report: leads are first responses plus the unanswered, of the range; the waits are of now', async () => {
    at('09:25');
    await gw.automations.tick();
    // 09:00–09:30: Олена answered at 09:02, Ann still waiting since 09:05 (20 min at 09:25), Марта resolved unanswered.
    const morning = await report('09:00', '09:30');
    expect(morning.telegram).toMatchObject({ leads: 2, unanswered: 1, unansweredPastTarget: 1, slaBreached: 1, ageing: ageing('15to60m') });
    expect(morning.api).toMatchObject({ leads: 1, unanswered: 1, unansweredPastTarget: 1, unansweredShare: 1, ageing: ageing() });

    // From 09:03 Олена's first response is out of the range, and with it her lead.
    expect((await report('09:03', '09:30')).telegram).toMatchObject({ leads: 1, unanswered: 1, unansweredShare: 1 });
    // A range before any of it: no leads, but whoever waits now still shows in the ageing.
    expect(await report('08:00', '09:00')).toEqual({
      telegram: expect.objectContaining({ leads: 0, unanswered: 0, unansweredShare: null, ageing: ageing('15to60m') }),
    });
    // One channel: its waits only.
    expect(Object.keys(await report('09:00', '09:30', 'channel', 'api'))).toEqual(['api']);
    expect(await report('09:00', '09:30', 'agent', 'telegram')).toEqual({
      [ids.ann === undefined ? '' : (await view(ids.ann)).assigneeId]: expect.objectContaining({
        unanswered: 1,
        ageing: ageing('15to60m'),
      }),
      [sam.agent.id]: expect.objectContaining({ leads: 1, unanswered: 0, ageing: ageing() }),
    });
  });
});
