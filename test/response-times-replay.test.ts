import { formMessage, john, marta, oksana } from './fixtures/site-form';
import { ann, olena, textUpdate } from './fixtures/telegram';
import { ManualClock } from './support/clock';
import { FakeCallback } from './support/fake-callback';
import { type SocketRecorder, TestGateway, type TestManager } from './support/gateway';

/**
 * A scripted history with known timestamps, replayed through the real gateway (webhooks, the managers' API, the
 * escalation job), and every reported figure checked against the answer worked out by hand below.
 *
 *  when (UTC)         what                                                    response recorded
 *  03-01 10:00        Марта (api) writes → Ірина (round-robin)
 *  03-01 10:03        Ірина answers                                           R0 api  Ірина first 180 s (target 10:05: met)
 *  03-04 09:00        Олена (telegram) writes → Богдан
 *  03-04 09:02        Богдан answers                                          R1 tg   Богдан first 120 s (met)
 *  03-04 09:10        Олена writes again (a new reply clock)
 *  03-04 09:13        Supervisor Sam answers                                  R2 tg   Sam reply 180 s
 *  03-04 09:20        Ann (telegram) writes → Ірина
 *  03-04 09:30        nobody answered in 10 min: escalated to Богдан
 *  03-04 09:31        Богдан answers (counts for him, not Ірина)              R3 tg   Богдан first 660 s (target 09:25: breached)
 *  03-04 09:40        John (api) writes → Ірина
 *  03-04 09:44        Ірина answers                                           R4 api  Ірина first 240 s (met)
 *  03-04 09:45        Ірина resolves it
 *  03-04 11:00        John writes again: reopened, a new reply clock, not a new first response
 *  03-04 11:08        Ірина answers                                           R5 api  Ірина reply 480 s
 *  03-04 12:00        Оксана (api) writes → Богдан; nobody answers
 *  03-04 12:30        now: Оксана escalated to Ірина at this pass; she has waited 30 min, past her 12:05 target
 */
describe('response-time figures over a replayed history', () => {
  const clock = new ManualClock('2024-03-01T09:00:00Z');
  let gw: TestGateway;
  let callback: FakeCallback;
  let iryna: TestManager;
  let bohdan: TestManager;
  let sam: TestManager;
  let samSocket: SocketRecorder;
  const ids: Record<string, string> = {};

  const at = (iso: string) => clock.set(iso);
  const conversationOf = async (text: string) =>
    (await samSocket.waitFor('message:new', (p) => p.message.text === text)).conversation.id as string;
  const answer = async (who: TestManager, conversation: string, text: string) => {
    const res = await gw.request('POST', `/api/conversations/${conversation}/messages`, { token: who.token, json: { text } });
    expect(res.status).toBe(201);
  };
  const figures = async (query: string) => {
    const res = await gw.request('GET', `/api/metrics/response-times?${query}`, { token: sam.token });
    expect(res.status).toBe(200);
    return res.body.items;
  };
  const stats = (
    count: number,
    avgMs: number | null,
    p50Ms: number | null,
    p90Ms: number | null,
    p95Ms: number | null,
    maxMs: number | null,
  ) => ({
    count,
    avgMs,
    p50Ms,
    p90Ms,
    p95Ms,
    maxMs,
  });
  const none = stats(0, null, null, null, null, null);
  const ageing = (waiting15to60m: number) => ({ under5m: 0, '5to15m': 0, '15to60m': waiting15to60m, '1to4h': 0, '4to24h': 0, over24h: 0 });

  beforeAll(async () => {
    callback = await new FakeCallback().start();
    gw = await TestGateway.start({
      clock: clock.now,
      env: { ESCALATION_AFTER: '10m', SLA_FIRST_RESPONSE: '5m', JOBS_POLL_INTERVAL: '200ms', API_CHANNEL_CALLBACK_URL: callback.url },
    });
    iryna = await gw.online('agent', 'Ірина Бондар');
    bohdan = await gw.online('agent', 'Богдан Кравець');
    ({ socket: samSocket, ...sam } = await gw.online('supervisor', 'Supervisor Sam'));

    at('2024-03-01T10:00:00Z');
    await gw.postApi(formMessage(marta, 'Доброго дня! Чи можна забрати замовлення самовивозом?'));
    ids.marta = await conversationOf('Доброго дня! Чи можна забрати замовлення самовивозом?');
    at('2024-03-01T10:03:00Z');
    await answer(iryna, ids.marta, 'Так, Марто, самовивіз з магазину на Хрещатику.');

    at('2024-03-04T09:00:00Z');
    await gw.postTelegram(textUpdate(olena, 'Привіт! Чи є ця сукня в синьому кольорі?'));
    ids.olena = await conversationOf('Привіт! Чи є ця сукня в синьому кольорі?');
    at('2024-03-04T09:02:00Z');
    await answer(bohdan, ids.olena, 'Вітаю! Так, є в синьому, розміри S і M.');
    at('2024-03-04T09:10:00Z');
    await gw.postTelegram(textUpdate(olena, 'Чудово, а доставка до Одеси скільки?'));
    at('2024-03-04T09:13:00Z');
    await answer(sam, ids.olena, 'Доставка до Одеси — 80 грн, 1-2 дні.');

    at('2024-03-04T09:20:00Z');
    await gw.postTelegram(textUpdate(ann, 'Hello! Can I return shoes bought online in a store?'));
    ids.ann = await conversationOf('Hello! Can I return shoes bought online in a store?');
    at('2024-03-04T09:30:00Z');
    await gw.automations.tick();
    at('2024-03-04T09:31:00Z');
    await answer(bohdan, ids.ann, 'Hi Ann, yes: any store, within 14 days, with the receipt.');

    at('2024-03-04T09:40:00Z');
    await gw.postApi(formMessage(john, 'Hi, what is the warranty on the coffee grinder?'));
    ids.john = await conversationOf('Hi, what is the warranty on the coffee grinder?');
    at('2024-03-04T09:44:00Z');
    await answer(iryna, ids.john, 'Hi John, it is 24 months.');
    at('2024-03-04T09:45:00Z');
    expect(
      (
        await gw.request('POST', `/api/conversations/${ids.john}/status`, {
          token: iryna.token,
          json: { status: 'resolved', outcome: 'won' },
        })
      ).status,
    ).toBe(200);
    at('2024-03-04T11:00:00Z');
    await gw.postApi(formMessage(john, 'One more thing: is descaling covered?'));
    at('2024-03-04T11:08:00Z');
    await answer(iryna, ids.john, 'Descaling is maintenance, so it is not covered.');

    at('2024-03-04T12:00:00Z');
    await gw.postApi(formMessage(oksana, 'Добрий день, хочу змінити адресу доставки.'));
    ids.oksana = await conversationOf('Добрий день, хочу змінити адресу доставки.');
    at('2024-03-04T12:30:00Z');
    await gw.automations.tick();
    await gw.automations.rollUp();
  }, 120_000);

  afterAll(async () => {
    await gw.close();
    await callback.stop();
  });

  it('assigned, escalated and answered as scripted', async () => {
    const view = async (id: string | undefined) => (await gw.request('GET', `/api/conversations/${id}`, { token: sam.token })).body;
    expect(await view(ids.marta)).toMatchObject({ assigneeId: iryna.agent.id, firstResponseAt: '2024-03-01T10:03:00.000Z' });
    expect(await view(ids.olena)).toMatchObject({ assigneeId: bohdan.agent.id, awaitingReplySince: null });
    expect(await view(ids.ann)).toMatchObject({
      assigneeId: bohdan.agent.id,
      escalationStep: 0,
      firstResponseAt: '2024-03-04T09:31:00.000Z',
    });
    expect(await view(ids.john)).toMatchObject({ assigneeId: iryna.agent.id, status: 'open', firstResponseAt: '2024-03-04T09:44:00.000Z' });
    expect(await view(ids.oksana)).toMatchObject({
      assigneeId: iryna.agent.id,
      escalationStep: 1,
      awaitingReplySince: '2024-03-04T12:00:00.000Z',
      escalationDueAt: '2024-03-04T12:40:00.000Z',
    });
    const responses = await (await gw.collection('responses')).find({}).sort({ respondedAt: 1 }).toArray();
    expect(
      responses.map((r) => [r.respondedAt.toISOString(), r.channel, r.agentId.toString(), r.kind, r.durationMs, r.withinTarget]),
    ).toEqual([
      ['2024-03-01T10:03:00.000Z', 'api', iryna.agent.id, 'first', 180_000, true],
      ['2024-03-04T09:02:00.000Z', 'telegram', bohdan.agent.id, 'first', 120_000, true],
      ['2024-03-04T09:13:00.000Z', 'telegram', sam.agent.id, 'reply', 180_000, null],
      ['2024-03-04T09:31:00.000Z', 'telegram', bohdan.agent.id, 'first', 660_000, false],
      ['2024-03-04T09:44:00.000Z', 'api', iryna.agent.id, 'first', 240_000, true],
      ['2024-03-04T11:08:00.000Z', 'api', iryna.agent.id, 'reply', 480_000, null],
    ]);
  });

  it('rolled the closed hours up, and reads whole hours from the rollup as the responses say', async () => {
    // Every hour closed two minutes before 12:30 is rolled up: up to 12:00 on 4 March.
    expect(await gw.inbox.rollups.watermark()).toEqual(new Date('2024-03-04T12:00:00Z'));
    const row = (key: string, first: ReturnType<typeof stats>, reply: ReturnType<typeof stats>, met: number, breached: number) => ({
      key,
      firstResponse: first,
      reply,
      leads: first.count,
      unanswered: 0,
      unansweredPastTarget: 0,
      unansweredShare: 0,
      slaMet: met,
      slaBreached: breached,
      // Оксана (api) waits now, whatever the range.
      ageing: ageing(key === 'api' ? 1 : 0),
    });
    // 1 March, 10:00–11:00: Марта's first response (R0), one whole rolled-up hour.
    const march1 = await figures('from=2024-03-01T10:00:00Z&to=2024-03-01T11:00:00Z');
    expect(march1).toEqual([
      row('api', stats(1, 180_000, 180_000, 180_000, 180_000, 180_000), stats(1, 180_000, 180_000, 180_000, 180_000, 180_000), 1, 0),
    ]);
    // 4 March, 09:00–12:00: three whole rolled-up hours, R1 to R5; Оксана's lead (12:00) is outside.
    const morning = await figures('from=2024-03-04T09:00:00Z&to=2024-03-04T12:00:00Z');
    expect(morning).toEqual([
      row('api', stats(1, 240_000, 240_000, 240_000, 240_000, 240_000), stats(2, 360_000, 240_000, 480_000, 480_000, 480_000), 1, 0),
      row('telegram', stats(2, 390_000, 120_000, 660_000, 660_000, 660_000), stats(3, 320_000, 180_000, 660_000, 660_000, 660_000), 1, 1),
    ]);
    // Rolling up again, twice at once (two processes), writes the same hours: the same figures.
    await Promise.all([gw.automations.rollUp(), gw.automations.rollUp()]);
    expect(await figures('from=2024-03-01T10:00:00Z&to=2024-03-01T11:00:00Z')).toEqual(march1);
    expect(await figures('from=2024-03-04T09:00:00Z&to=2024-03-04T12:00:00Z')).toEqual(morning);
  });

  it('by channel over the whole history (a day summary and the ledger hours combined)', async () => {
    expect(await figures('from=2024-03-01T00:00:00Z&to=2024-03-05T00:00:00Z&groupBy=channel')).toEqual([
      {
        key: 'api',
        firstResponse: stats(2, 210_000, 180_000, 240_000, 240_000, 240_000),
        reply: stats(3, 300_000, 240_000, 480_000, 480_000, 480_000),
        leads: 3,
        unanswered: 1,
        unansweredPastTarget: 1,
        unansweredShare: 1 / 3,
        slaMet: 2,
        slaBreached: 1,
        ageing: ageing(1),
      },
      {
        key: 'telegram',
        firstResponse: stats(2, 390_000, 120_000, 660_000, 660_000, 660_000),
        reply: stats(3, 320_000, 180_000, 660_000, 660_000, 660_000),
        leads: 2,
        unanswered: 0,
        unansweredPastTarget: 0,
        unansweredShare: 0,
        slaMet: 1,
        slaBreached: 1,
        ageing: ageing(0),
      },
    ]);
  });

  it('by agent: a response counts for whoever sent it, a lead for whoever answered it first (its current assignee while unanswered)', async () => {
    const rows = await figures('from=2024-03-01T00:00:00Z&to=2024-03-05T00:00:00Z&groupBy=agent');
    const byKey = Object.fromEntries(rows.map((r: { key: string }) => [r.key, r]));
    expect(rows.map((r: { key: string }) => r.key)).toEqual([iryna.agent.id, bohdan.agent.id, sam.agent.id].sort());
    expect(byKey[iryna.agent.id]).toEqual({
      key: iryna.agent.id,
      firstResponse: stats(2, 210_000, 180_000, 240_000, 240_000, 240_000),
      reply: stats(3, 300_000, 240_000, 480_000, 480_000, 480_000),
      leads: 3,
      unanswered: 1,
      unansweredPastTarget: 1,
      unansweredShare: 1 / 3,
      slaMet: 2,
      slaBreached: 1,
      ageing: ageing(1),
    });
    expect(byKey[bohdan.agent.id]).toEqual({
      key: bohdan.agent.id,
      firstResponse: stats(2, 390_000, 120_000, 660_000, 660_000, 660_000),
      reply: stats(2, 390_000, 120_000, 660_000, 660_000, 660_000),
      leads: 2,
      unanswered: 0,
      unansweredPastTarget: 0,
      unansweredShare: 0,
      slaMet: 1,
      slaBreached: 1,
      ageing: ageing(0),
    });
    expect(byKey[sam.agent.id]).toEqual({
      key: sam.agent.id,
      firstResponse: none,
      reply: stats(1, 180_000, 180_000, 180_000, 180_000, 180_000),
      leads: 0,
      unanswered: 0,
      unansweredPastTarget: 0,
      unansweredShare: null,
      slaMet: 0,
      slaBreached: 0,
      ageing: ageing(0),
    });
  });

  it('over a range with ragged edges (09:10 to 11:09), and for one channel', async () => {
    expect(await figures('from=2024-03-04T09:10:00Z&to=2024-03-04T11:09:00Z')).toEqual([
      {
        key: 'api',
        firstResponse: stats(1, 240_000, 240_000, 240_000, 240_000, 240_000),
        reply: stats(2, 360_000, 240_000, 480_000, 480_000, 480_000),
        leads: 1,
        unanswered: 0,
        unansweredPastTarget: 0,
        unansweredShare: 0,
        slaMet: 1,
        slaBreached: 0,
        ageing: ageing(1),
      },
      {
        key: 'telegram',
        firstResponse: stats(1, 660_000, 660_000, 660_000, 660_000, 660_000),
        reply: stats(2, 420_000, 180_000, 660_000, 660_000, 660_000),
        leads: 1,
        unanswered: 0,
        unansweredPastTarget: 0,
        unansweredShare: 0,
        slaMet: 0,
        slaBreached: 1,
        ageing: ageing(0),
      },
    ]);
    const apiOnly = await figures('from=2024-03-01T00:00:00Z&to=2024-03-05T00:00:00Z&channel=api');
    expect(apiOnly.map((r: { key: string }) => r.key)).toEqual(['api']);
    expect(apiOnly[0].firstResponse).toEqual(stats(2, 210_000, 180_000, 240_000, 240_000, 240_000));
  });

  it('exports one CSV row per conversation', async () => {
    const res = await fetch(`${gw.url}/api/metrics/response-times.csv?from=2024-03-01T00:00:00Z&to=2024-03-05T00:00:00Z`, {
      headers: { authorization: `Bearer ${sam.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename=response-times.csv');
    const lines = (await res.text()).trimEnd().split('\n');
    const I = iryna.agent.id;
    const B = bohdan.agent.id;
    expect(lines).toEqual([
      'conversation_id,channel,contact,assignee_id,status,first_message_at,first_response_at,first_responder_id,first_response_ms,first_response_target_at,first_response_sla,replies_in_range,reply_avg_ms,reply_p50_ms,reply_max_ms,awaiting_reply_since,escalation_step',
      `${ids.marta},api,Марта Шевченко,${I},open,2024-03-01T10:00:00.000Z,2024-03-01T10:03:00.000Z,${I},180000,2024-03-01T10:05:00.000Z,met,1,180000,180000,180000,,0`,
      `${ids.olena},telegram,Олена Коваленко,${B},open,2024-03-04T09:00:00.000Z,2024-03-04T09:02:00.000Z,${B},120000,2024-03-04T09:05:00.000Z,met,2,150000,120000,180000,,0`,
      `${ids.ann},telegram,Ann,${B},open,2024-03-04T09:20:00.000Z,2024-03-04T09:31:00.000Z,${B},660000,2024-03-04T09:25:00.000Z,breached,1,660000,660000,660000,,0`,
      `${ids.john},api,John Carter,${I},open,2024-03-04T09:40:00.000Z,2024-03-04T09:44:00.000Z,${I},240000,2024-03-04T09:45:00.000Z,met,2,360000,240000,480000,,0`,
      `${ids.oksana},api,Оксана Мельник,${I},open,2024-03-04T12:00:00.000Z,,,,2024-03-04T12:05:00.000Z,breached,0,,,,2024-03-04T12:00:00.000Z,1`,
    ]);

    const agentTry = await gw.request('GET', '/api/metrics/response-times.csv', { token: iryna.token });
    expect(agentTry.status).toBe(403);
    const badRange = await gw.request('GET', '/api/metrics/response-times.csv?from=2024-03-05T00:00:00Z&to=2024-03-01T00:00:00Z', {
      token: sam.token,
    });
    expect(badRange.status).toBe(400);
    expect(badRange.body.error.code).toBe('INBOX.BAD_INPUT');
  });

  it('keeps the Prometheus latency histograms in step', async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    const value = (line: string) => Number(new RegExp(`^${line.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('inbox_first_response_seconds_count{channel="api"}')).toBe(2);
    expect(value('inbox_first_response_seconds_sum{channel="api"}')).toBe(420);
    expect(value('inbox_first_response_seconds_count{channel="telegram"}')).toBe(2);
    expect(value('inbox_first_response_seconds_sum{channel="telegram"}')).toBe(780);
    expect(value('inbox_reply_seconds_count{channel="api"}')).toBe(3);
    expect(value('inbox_reply_seconds_sum{channel="api"}')).toBe(900);
    expect(value('inbox_reply_seconds_count{channel="telegram"}')).toBe(3);
    expect(value('inbox_reply_seconds_sum{channel="telegram"}')).toBe(960);
  });
});
