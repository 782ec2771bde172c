import { ann, olena, textUpdate } from './fixtures/telegram';
import { TestGateway } from './support/gateway';
import { figuresTeam } from './support/inbox-reader';

/**
 * A scripted Monday (Kyiv is UTC+2 in November); every figure below is worked out by hand.
 *
 * 22:30 UTC Sunday = 00:30 Kyiv  a site-form lead (api, Nina)    never answered
 * 07:00 UTC = 09:00 Kyiv         Ann writes (telegram)           Iryna answers at 07:02 and keeps it open
 * 07:05 UTC = 09:05 Kyiv         Olena writes (telegram)         Petro answers at 07:30 and resolves it
 * 09:20 UTC = 11:20 Kyiv         a site-form lead (api, Bob)     never answered
 * 10:10 UTC = 12:10 Kyiv         now
 */
describe('the supervisors’ dashboard figures over a scripted day', () => {
  let gw: TestGateway;
  let now = new Date('2026-11-01T22:30:00.000Z');
  const at = (iso: string) => {
    now = new Date(iso);
  };
  let supervisorToken: string;
  let irynaId: string;
  let petroId: string;

  beforeAll(async () => {
    gw = await TestGateway.start({ clock: () => new Date(now) });
    const team = await figuresTeam(gw, 'Наталія');
    const { iryna, petro, conversationOf, reply } = team;
    irynaId = iryna.agent.id;
    petroId = petro.agent.id;
    supervisorToken = team.supervisorToken;

    at('2026-11-01T22:30:00.000Z');
    await gw.postApi({ externalMessageId: 'lead-night', contact: { externalId: 'v-1', name: 'Nina' }, text: 'Передзвоніть зранку' });
    at('2026-11-02T07:00:00.000Z');
    await gw.postTelegram(textUpdate(ann, 'Hi! Is the blue jacket available in M?'));
    at('2026-11-02T07:02:00.000Z');
    await reply(iryna.token, await conversationOf('Ann'), 'Hello Ann, yes it is.');
    at('2026-11-02T07:05:00.000Z');
    await gw.postTelegram(textUpdate(olena, 'Добрий день, чи можна повернути товар?'));
    at('2026-11-02T07:30:00.000Z');
    const olenaId = await conversationOf('Олена Коваленко');
    await reply(petro.token, olenaId, 'Так, протягом 14 днів.');
    const resolved = await gw.request('POST', `/api/conversations/${olenaId}/status`, {
      token: petro.token,
      json: { status: 'resolved', outcome: 'won' },
    });
    expect(resolved.status).toBe(200);
    at('2026-11-02T09:20:00.000Z');
    await gw.postApi({ externalMessageId: 'lead-77', contact: { externalId: 'v-77', name: 'Bob' }, text: 'Please call me back' });
    at('2026-11-02T10:10:00.000Z');
  });
  afterAll(async () => {
    await gw.close();
  });

  // The Kyiv day of 2 November: from its midnight (22:00 UTC the day before) to the next.
  const kyivDay = 'from=2026-11-01T22:00:00Z&to=2026-11-02T22:00:00Z';
  const hours = (counts: Record<number, number>) => Array.from({ length: 24 }, (_, h) => counts[h] ?? 0);

  it('counts the leads by the Kyiv hour of their first message, per channel', async () => {
    const res = await gw.request('GET', `/api/metrics/volume-by-hour?${kyivDay}`, { token: supervisorToken });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      { key: 'api', leads: 2, byHour: hours({ 0: 1, 11: 1 }) },
      { key: 'telegram', leads: 2, byHour: hours({ 9: 2 }) },
    ]);
  });

  it('counts them per manager the conversation is with, and the unassigned ones together', async () => {
    const res = await gw.request('GET', `/api/metrics/volume-by-hour?${kyivDay}&groupBy=agent`, { token: supervisorToken });
    const byKey = Object.fromEntries(res.body.items.map((row: { key: string }) => [row.key, row]));
    expect(byKey[irynaId]).toEqual({ key: irynaId, leads: 1, byHour: hours({ 9: 1 }) });
    expect(byKey[petroId]).toEqual({ key: petroId, leads: 1, byHour: hours({ 9: 1 }) });
    expect(byKey.unassigned).toEqual({ key: 'unassigned', leads: 2, byHour: hours({ 0: 1, 11: 1 }) });
  });

  it('leaves out the leads before the range and narrows to one channel', async () => {
    const morning = 'from=2026-11-02T06:00:00Z&to=2026-11-02T22:00:00Z';
    const res = await gw.request('GET', `/api/metrics/volume-by-hour?${morning}&channel=api`, { token: supervisorToken });
    expect(res.body.items).toEqual([{ key: 'api', leads: 1, byHour: hours({ 11: 1 }) }]);
  });

  it('keeps the response-time figures of that day as they are defined', async () => {
    const res = await gw.request('GET', `/api/metrics/response-times?${kyivDay}`, { token: supervisorToken });
    const byKey = Object.fromEntries(res.body.items.map((row: { key: string }) => [row.key, row]));
    // Nina and Bob: nobody answered, both past the 5-minute target; Ann in time, Olena 25 min late.
    expect(byKey.api).toMatchObject({ leads: 2, unanswered: 2, unansweredShare: 1, slaMet: 0, slaBreached: 2 });
    expect(byKey.telegram).toMatchObject({
      leads: 2,
      firstResponse: { count: 2, p50Ms: 120_000, p90Ms: 1_500_000 },
      slaMet: 1,
      slaBreached: 1,
    });
    // Waiting at 12:10 Kyiv: Bob for 50 min, Nina for 11 h 40 min.
    expect(byKey.api.ageing).toEqual({ under5m: 0, '5to15m': 0, '15to60m': 1, '1to4h': 0, '4to24h': 1, over24h: 0 });
  });

  it('says how many open conversations each manager holds', async () => {
    const res = await gw.request('GET', '/api/metrics/workload', { token: supervisorToken });
    expect(res.status).toBe(200);
    const open = Object.fromEntries(res.body.items.map((w: { agentId: string; open: number }) => [w.agentId, w.open]));
    expect(open[irynaId]).toBe(1);
    expect(open[petroId]).toBe(0);
  });

  it('refuses a range that ends before it starts, and agents', async () => {
    const bad = await gw.request('GET', '/api/metrics/volume-by-hour?from=2026-11-02T10:00:00Z&to=2026-11-02T09:00:00Z', {
      token: supervisorToken,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INBOX.BAD_INPUT');
    const agent = await gw.manager('agent', 'Curious');
    expect((await gw.request('GET', `/api/metrics/volume-by-hour?${kyivDay}`, { token: agent.token })).status).toBe(403);
    expect((await gw.request('GET', '/api/metrics/workload', { token: agent.token })).status).toBe(403);
    expect((await gw.request('GET', '/api/metrics/workload')).status).toBe(401);
  });
});
