import { ann, olena, textUpdate } from './fixtures/telegram';
import { TestGateway } from './support/gateway';
import { figuresTeam } from './support/inbox-reader';

/**
 * A scripted morning with known timestamps; every figure below is worked out by hand.
 *
 * 09:00:00 Ann writes (telegram)            09:02:00 Iryna answers   → first response 120 s
 * 09:05:00 Olena writes (telegram)          09:30:00 Petro answers   → first response 1500 s (target 5 min: breached)
 * 09:10:00 Ann writes, 09:11:00 again       09:15:00 Iryna answers   → reply 300 s (the turn began at 09:10)
 * 09:20:00 a site-form lead (api)           never answered           → unanswered, past its 5 min target at 10:00
 */
describe('response-time figures over a scripted history', () => {
  let gw: TestGateway;
  let now = new Date('2026-11-02T09:00:00.000Z');
  const at = (hhmmss: string) => {
    now = new Date(`2026-11-02T${hhmmss}.000Z`);
  };
  let supervisorToken: string;
  let irynaId: string;
  let petroId: string;

  beforeAll(async () => {
    gw = await TestGateway.start({ clock: () => new Date(now) });
    const team = await figuresTeam(gw, 'Supervisor');
    const { iryna, petro, conversationOf, reply } = team;
    irynaId = iryna.agent.id;
    petroId = petro.agent.id;
    supervisorToken = team.supervisorToken;

    at('09:00:00');
    await gw.postTelegram(textUpdate(ann, 'Hi! Is the blue jacket available in M?'));
    at('09:02:00');
    await reply(iryna.token, await conversationOf('Ann'), 'Hello Ann, yes it is.');
    at('09:05:00');
    await gw.postTelegram(textUpdate(olena, 'Добрий день, чи можна повернути товар?'));
    at('09:10:00');
    await gw.postTelegram(textUpdate(ann, 'Great, can you reserve it?'));
    at('09:11:00');
    await gw.postTelegram(textUpdate(ann, 'Until Friday?'));
    at('09:15:00');
    await reply(iryna.token, await conversationOf('Ann'), 'Reserved until Friday.');
    at('09:20:00');
    await gw.postApi({ externalMessageId: 'lead-77', contact: { externalId: 'v-77', name: 'Bob' }, text: 'Please call me back' });
    at('09:30:00');
    await reply(petro.token, await conversationOf('Олена Коваленко'), 'Так, протягом 14 днів.');
    at('10:00:00');
  });
  afterAll(async () => {
    await gw.close();
  });

  const range = 'from=2026-11-02T09:00:00Z&to=2026-11-02T10:00:00Z';

  it('computes first-response, reply, unanswered and target figures per channel', async () => {
    const res = await gw.request('GET', `/api/metrics/response-times?${range}&groupBy=channel`, { token: supervisorToken });
    expect(res.status).toBe(200);
    expect(res.body.items).toMatchObject([
      {
        key: 'api',
        firstResponse: { count: 0, avgMs: null, p50Ms: null, p90Ms: null, p95Ms: null, maxMs: null },
        reply: { count: 0, avgMs: null, p50Ms: null, p90Ms: null, p95Ms: null, maxMs: null },
        unanswered: 1,
        slaMet: 0,
        slaBreached: 1,
      },
      {
        key: 'telegram',
        firstResponse: { count: 2, avgMs: 810_000, p50Ms: 120_000, p90Ms: 1_500_000, p95Ms: 1_500_000, maxMs: 1_500_000 },
        reply: { count: 3, avgMs: 640_000, p50Ms: 300_000, p90Ms: 1_500_000, p95Ms: 1_500_000, maxMs: 1_500_000 },
        unanswered: 0,
        slaMet: 1,
        slaBreached: 1,
      },
    ]);
    // Leads, the unanswered share and how long the unanswered ones have waited (Bob: 40 min at 10:00).
    const [api, telegram] = res.body.items;
    expect(api).toMatchObject({ leads: 1, unansweredPastTarget: 1, unansweredShare: 1 });
    expect(api.ageing).toEqual({ under5m: 0, '5to15m': 0, '15to60m': 1, '1to4h': 0, '4to24h': 0, over24h: 0 });
    expect(telegram).toMatchObject({ leads: 2, unanswered: 0, unansweredPastTarget: 0, unansweredShare: 0 });
  });

  it('credits each response to the agent who sent it', async () => {
    const res = await gw.request('GET', `/api/metrics/response-times?${range}&groupBy=agent`, { token: supervisorToken });
    const byKey = Object.fromEntries(res.body.items.map((row: { key: string }) => [row.key, row]));
    expect(byKey[irynaId]).toMatchObject({
      firstResponse: { count: 1, avgMs: 120_000, maxMs: 120_000 },
      reply: { count: 2, avgMs: 210_000, p50Ms: 120_000, maxMs: 300_000 },
      slaMet: 1,
      slaBreached: 0,
    });
    expect(byKey[petroId]).toMatchObject({ firstResponse: { count: 1, avgMs: 1_500_000 }, slaBreached: 1 });
    expect(byKey.unassigned).toMatchObject({ unanswered: 1, slaBreached: 1 });
  });

  it('narrows to one channel', async () => {
    const res = await gw.request('GET', `/api/metrics/response-times?${range}&channel=api`, { token: supervisorToken });
    expect(res.body.items.map((row: { key: string }) => row.key)).toEqual(['api']);
  });

  it('refuses a range that ends before it starts, and agents', async () => {
    const bad = await gw.request('GET', '/api/metrics/response-times?from=2026-11-02T10:00:00Z&to=2026-11-02T09:00:00Z', {
      token: supervisorToken,
    });
    expect(bad.status).toBe(400);
    const agent = await gw.manager('agent', 'Curious');
    expect((await gw.request('GET', `/api/metrics/response-times?${range}`, { token: agent.token })).status).toBe(403);
  });
});
