import { formMessage, john, marta, oksana } from './fixtures/site-form';
import { ann, olena, textUpdate } from './fixtures/telegram';
import { ManualClock } from './support/clock';
import { FakeCallback } from './support/fake-callback';
import { type SocketRecorder, TestGateway, type TestManager } from './support/gateway';

/**
 * A scripted history with known timestamps, replayed through the real routes, and every funnel and loss figure
 * checked against the answer worked out by hand below.
 *
 *  when (UTC)      what                                                        lead (channel, source)
 *  05-01 10:00     Марта writes; given to Ірина                                L1 api site-form: new
 *  05-01 10:10     Ірина answers                                               L1 → contacted (10 min in new)
 *  05-01 11:00     Олена writes; given to Богдан                               L2 telegram: new
 *  05-01 11:30     Богдан answers                                              L2 → contacted (30 min in new)
 *  05-01 12:00     Ірина moves Марта on                                        L1 → qualified (1 h 50 min in contacted)
 *  05-02 09:00     John writes; given to Ірина                                 L3 api site-form: new
 *  05-02 11:30     Богдан closes Олена as lost: Ціна (stage route)             L2 → lost (24 h in contacted)
 *  05-02 12:00     Ірина moves Марта on                                        L1 → proposal (24 h in qualified)
 *  05-03 12:00     Ірина wins Марта (stage route)                              L1 → won (24 h in proposal)
 *  05-03 15:00     Ann writes; given to Богдан                                 L4 telegram: new
 *  05-03 15:20     Богдан answers                                              L4 → contacted (20 min in new)
 *  05-04 09:00     Ірина closes John as lost: Обрали конкурента (status route)  L3 → lost (48 h in new, never answered)
 *  05-04 10:00     Оксана writes; nobody takes or answers her                  L5 api site-form: new
 *  05-06 10:00     now: L4 has been 2 d 18 h 40 min in contacted, L5 2 d in new
 */
describe('funnel and loss figures over a replayed pipeline history', () => {
  const clock = new ManualClock('2024-05-01T09:00:00Z');
  let gw: TestGateway;
  let callback: FakeCallback;
  let iryna: TestManager;
  let bohdan: TestManager;
  let sam: TestManager & { socket: SocketRecorder };
  const ids: Record<string, string> = {};
  const reasons: Record<string, string> = {};
  const H = 3_600_000;
  const D = 24 * H;

  const at = (iso: string) => clock.set(iso);
  const arrives = async (name: string, send: () => Promise<unknown>, text: string, assignee?: TestManager) => {
    await send();
    ids[name] = (await sam.socket.waitFor('message:new', (p) => p.message.text === text)).conversation.id;
    if (assignee) {
      const res = await gw.request('POST', `/api/conversations/${ids[name]}/assign`, {
        token: sam.token,
        json: { agentId: assignee.agent.id },
      });
      expect(res.status).toBe(200);
    }
    await gw.inbox.pipeline.settled();
  };
  const answer = async (who: TestManager, name: string, text: string) => {
    expect((await gw.request('POST', `/api/conversations/${ids[name]}/messages`, { token: who.token, json: { text } })).status).toBe(201);
    await gw.inbox.pipeline.settled();
  };
  const move = async (who: TestManager, name: string, json: Record<string, unknown>) => {
    const res = await gw.request('POST', `/api/conversations/${ids[name]}/stage`, { token: who.token, json });
    expect(res.status).toBe(200);
    await gw.inbox.pipeline.settled();
  };
  const get = async (route: string) => {
    const res = await gw.request('GET', route, { token: sam.token });
    expect(res.status).toBe(200);
    return res.body;
  };
  const stagesOf = (row: { stages: { stageId: string }[] }): Record<string, any> =>
    Object.fromEntries(row.stages.map((s) => [s.stageId, s]));
  const ageing = (bucket?: string) => ({ '<1d': 0, '1-3d': 0, '3-7d': 0, '7-30d': 0, '>30d': 0, ...(bucket ? { [bucket]: 1 } : {}) });

  beforeAll(async () => {
    callback = await new FakeCallback().start();
    gw = await TestGateway.start({
      clock: clock.now,
      // Nobody is handed on meanwhile: each lead stays with the manager it was given to.
      env: { API_CHANNEL_CALLBACK_URL: callback.url, ESCALATION_AFTER: '2000h' },
    });
    iryna = await gw.manager('agent', 'Ірина Бондар');
    bohdan = await gw.manager('agent', 'Богдан Кравець');
    sam = await gw.online('supervisor', 'Supervisor Sam');
    for (const r of (await get('/api/loss-reasons')).items) reasons[r.label] = r.id;

    at('2024-05-01T10:00:00Z');
    const martaText = 'Доброго дня! Скільки коштує кухня «Оливія» 2,4 м?';
    await arrives('marta', () => gw.postApi(formMessage(marta, martaText)), martaText, iryna);
    at('2024-05-01T10:10:00Z');
    await answer(iryna, 'marta', 'Вітаю, Марто! Від 52 000 грн, залежить від фасадів.');
    at('2024-05-01T11:00:00Z');
    const olenaText = 'Привіт! Чи є диван «Честер» у сірому?';
    await arrives('olena', () => gw.postTelegram(textUpdate(olena, olenaText)), olenaText, bohdan);
    at('2024-05-01T11:30:00Z');
    await answer(bohdan, 'olena', 'Вітаю! Так, є, 27 500 грн.');
    at('2024-05-01T12:00:00Z');
    await move(iryna, 'marta', { stageId: 'qualified' });

    at('2024-05-02T09:00:00Z');
    const johnText = 'Hi, do you deliver wardrobes to Lviv?';
    await arrives('john', () => gw.postApi(formMessage(john, johnText)), johnText, iryna);
    at('2024-05-02T11:30:00Z');
    await move(bohdan, 'olena', { stageId: 'lost', lossReasonId: reasons.Ціна, lossNote: 'дорого' });
    at('2024-05-02T12:00:00Z');
    await move(iryna, 'marta', { stageId: 'proposal', fromStageId: 'qualified' });
    at('2024-05-03T12:00:00Z');
    await move(iryna, 'marta', { stageId: 'won' });

    at('2024-05-03T15:00:00Z');
    const annText = 'Hello! Is the oak dining table still on sale?';
    await arrives('ann', () => gw.postTelegram(textUpdate(ann, annText)), annText, bohdan);
    at('2024-05-03T15:20:00Z');
    await answer(bohdan, 'ann', 'Hi Ann, yes, until Sunday.');

    at('2024-05-04T09:00:00Z');
    const lost = await gw.request('POST', `/api/conversations/${ids.john}/status`, {
      token: iryna.token,
      json: { status: 'resolved', outcome: 'lost', lossReason: 'Обрали конкурента' },
    });
    expect(lost.status).toBe(200);
    await gw.inbox.pipeline.settled();
    at('2024-05-04T10:00:00Z');
    const oksanaText = 'Добрий день, хочу шафу в дитячу, що порадите?';
    await arrives('oksana', () => gw.postApi(formMessage(oksana, oksanaText)), oksanaText);

    at('2024-05-06T10:00:00Z');
  }, 120_000);

  afterAll(async () => {
    await gw.close();
    await callback.stop();
  });

  it('records every move with the time spent in the stage it left', async () => {
    const { lead, moves } = await get(`/api/conversations/${ids.marta}/lead`);
    expect(lead).toMatchObject({ stageId: 'won', contactedAt: '2024-05-01T10:10:00.000Z', endedAt: '2024-05-03T12:00:00.000Z' });
    expect(moves.map((m: { from: string | null; to: string; msInFrom: number | null }) => [m.from, m.to, m.msInFrom])).toEqual([
      [null, 'new', null],
      ['new', 'contacted', 10 * 60_000],
      ['contacted', 'qualified', 110 * 60_000],
      ['qualified', 'proposal', D],
      ['proposal', 'won', D],
    ]);
    expect(moves.map((m: { byAgentId: string | null }) => m.byAgentId)).toEqual([
      null,
      null,
      iryna.agent.id,
      iryna.agent.id,
      iryna.agent.id,
    ]);
    const john = await get(`/api/conversations/${ids.john}/lead`);
    expect(john.moves.at(-1)).toMatchObject({
      from: 'new',
      to: 'lost',
      msInFrom: 2 * D,
      byAgentId: iryna.agent.id,
      lossReason: 'Обрали конкурента',
    });
  });

  it('counts the funnel by channel: entries, conversions, time in stage, ageing and the never contacted', async () => {
    const { items } = await get('/api/metrics/funnel?from=2024-05-01T00:00:00Z&to=2024-05-07T00:00:00Z&groupBy=channel');
    expect(items.map((r: { key: string }) => r.key)).toEqual(['api', 'telegram']);
    const [api, telegram] = items;
    expect(api).toMatchObject({ leads: 3, neverContacted: 2, neverContactedShare: 2 / 3 });
    const a = stagesOf(api);
    expect(a.new).toMatchObject({
      entered: 3,
      toNext: 1,
      toNextRate: 1 / 3,
      toWon: 1,
      toWonRate: 1 / 3,
      left: 2,
      p50Ms: 10 * 60_000,
      p90Ms: 2 * D,
    });
    expect(a.new.ageing).toEqual(ageing('1-3d'));
    expect(a.contacted).toMatchObject({
      entered: 1,
      toNext: 1,
      toNextRate: 1,
      toWon: 1,
      left: 1,
      p50Ms: 110 * 60_000,
      p90Ms: 110 * 60_000,
    });
    expect(a.qualified).toMatchObject({ entered: 1, toNext: 1, toWon: 1, p50Ms: D, p90Ms: D });
    expect(a.proposal).toMatchObject({ entered: 1, toNext: 1, toWonRate: 1, p50Ms: D, p90Ms: D });
    expect(a.won).toMatchObject({ entered: 1, toNext: 0, toNextRate: null, toWonRate: null, left: 0, p50Ms: null });
    expect(a.lost).toMatchObject({ entered: 1, toNextRate: null });

    expect(telegram).toMatchObject({ leads: 2, neverContacted: 0, neverContactedShare: 0 });
    const t = stagesOf(telegram);
    expect(t.new).toMatchObject({
      entered: 2,
      toNext: 2,
      toNextRate: 1,
      toWon: 0,
      toWonRate: 0,
      left: 2,
      p50Ms: 20 * 60_000,
      p90Ms: 30 * 60_000,
    });
    expect(t.contacted).toMatchObject({ entered: 2, toNext: 0, toNextRate: 0, toWon: 0, left: 1, p50Ms: D, p90Ms: D });
    expect(t.contacted.ageing).toEqual(ageing('1-3d'));
    expect(t.qualified).toMatchObject({ entered: 0, toNextRate: null, p50Ms: null });
    expect(t.lost).toMatchObject({ entered: 1 });

    const one = await get('/api/metrics/funnel?from=2024-05-01T00:00:00Z&to=2024-05-07T00:00:00Z&channel=telegram');
    expect(one.items).toEqual([telegram]);
    const bySource = await get('/api/metrics/funnel?from=2024-05-01T00:00:00Z&to=2024-05-07T00:00:00Z&groupBy=source');
    expect(bySource.items.map((r: { key: string; leads: number }) => [r.key, r.leads])).toEqual([
      ['none', 2],
      ['site-form', 3],
    ]);
  });

  it('counts only the moves of the range, by the manager the lead was with at each move', async () => {
    const { items } = await get('/api/metrics/funnel?from=2024-05-02T00:00:00Z&to=2024-05-03T00:00:00Z&groupBy=agent');
    const rows = Object.fromEntries(items.map((r: { key: string }) => [r.key, r]));
    expect(Object.keys(rows).sort()).toEqual([bohdan.agent.id, iryna.agent.id, 'unassigned'].sort());
    // John's lead entered while still unassigned; it was given to Ірина a moment later.
    expect(rows.unassigned).toMatchObject({ leads: 1, neverContacted: 1, neverContactedShare: 1 });
    expect(stagesOf(rows.unassigned).new).toMatchObject({ entered: 1, toNext: 0, left: 1, p50Ms: 2 * D, ageing: ageing('1-3d') });
    expect(rows[iryna.agent.id]).toMatchObject({ leads: 0, neverContactedShare: null });
    expect(stagesOf(rows[iryna.agent.id]).proposal).toMatchObject({ entered: 1, toNext: 1, toWon: 1, p50Ms: D });
    expect(stagesOf(rows[bohdan.agent.id]).lost).toMatchObject({ entered: 1 });
    expect(stagesOf(rows[bohdan.agent.id]).contacted).toMatchObject({ entered: 0, ageing: ageing('1-3d') });
  });

  it('counts the losses by reason and by manager, each with its conversations and a link to the list', async () => {
    const range = 'from=2024-05-01T00:00:00Z&to=2024-05-07T00:00:00Z';
    const byReason = await get(`/api/metrics/losses?${range}&groupBy=reason`);
    expect(byReason.total).toBe(2);
    const price = byReason.items.find((r: { key: string }) => r.key === reasons.Ціна);
    expect(price).toEqual({
      key: reasons.Ціна,
      label: 'Ціна',
      count: 1,
      share: 0.5,
      conversationIds: [ids.olena],
      link: `/api/conversations?outcome=lost&lossReasonId=${reasons.Ціна}`,
    });
    const competitor = byReason.items.find((r: { key: string }) => r.key === reasons['Обрали конкурента']);
    expect(competitor).toMatchObject({ count: 1, share: 0.5, conversationIds: [ids.john] });
    const listed = await get(price.link);
    expect(listed.items.map((c: { id: string }) => c.id)).toEqual([ids.olena]);

    const byAgent = await get(`/api/metrics/losses?${range}&groupBy=agent`);
    expect(byAgent.items.map((r: { key: string; label: string; count: number }) => [r.key, r.label, r.count]).sort()).toEqual(
      [
        [bohdan.agent.id, 'Богдан Кравець', 1],
        [iryna.agent.id, 'Ірина Бондар', 1],
      ].sort(),
    );
    const later = await get('/api/metrics/losses?from=2024-05-03T00:00:00Z&to=2024-05-07T00:00:00Z');
    expect(later.items.map((r: { conversationIds: string[] }) => r.conversationIds)).toEqual([[ids.john]]);
  });

  it('gives the same figures as CSV, and refuses a range that ends before it starts', async () => {
    const funnel = await gw.request('GET', '/api/metrics/funnel.csv?from=2024-05-01T00:00:00Z&to=2024-05-07T00:00:00Z', {
      token: sam.token,
    });
    expect(funnel.headers.get('content-type')).toContain('text/csv');
    const lines = String(funnel.body).trim().split('\n');
    expect(lines[0]).toBe(
      'key,leads,never_contacted,never_contacted_share,stage_id,stage,kind,entered,to_next,to_next_rate,to_won,to_won_rate,left,p50_ms,p90_ms,ageing_<1d,ageing_1-3d,ageing_3-7d,ageing_7-30d,ageing_>30d',
    );
    expect(lines).toContain(`telegram,2,0,0,new,Новий,open,2,2,1,0,0,2,${20 * 60_000},${30 * 60_000},0,0,0,0,0`);
    const losses = await gw.request('GET', '/api/metrics/losses.csv?from=2024-05-01T00:00:00Z&to=2024-05-07T00:00:00Z&groupBy=agent', {
      token: sam.token,
    });
    expect(String(losses.body)).toContain(`${bohdan.agent.id},Богдан Кравець,1,0.5,${ids.olena}`);
    const backwards = await gw.request('GET', '/api/metrics/funnel?from=2024-05-07T00:00:00Z&to=2024-05-01T00:00:00Z', {
      token: sam.token,
    });
    expect(backwards.status).toBe(400);
    expect((await gw.request('GET', '/api/metrics/losses', { token: iryna.token })).status).toBe(403);
  });

  it('gives the same funnel from the hours, days and months counted by the automations as from the moves themselves', async () => {
    // Whole months, a month with days at its edges, whole days, days with part-hours at both ends, hours within one
    // day, and a stretch inside one hour.
    const ranges = [
      'from=2024-04-01T00:00:00Z&to=2024-06-01T00:00:00Z&groupBy=channel',
      'from=2024-04-20T00:00:00Z&to=2024-06-03T07:30:00Z&groupBy=agent',
      'from=2024-05-01T00:00:00Z&to=2024-05-07T00:00:00Z&groupBy=channel',
      'from=2024-05-01T00:00:00Z&to=2024-05-07T00:00:00Z&groupBy=source',
      'from=2024-05-01T00:00:00Z&to=2024-05-07T00:00:00Z&groupBy=agent&channel=telegram',
      'from=2024-05-01T10:05:00Z&to=2024-05-03T15:10:00Z&groupBy=agent',
      'from=2024-05-02T08:00:00Z&to=2024-05-02T13:00:00Z&groupBy=channel',
      'from=2024-05-01T10:05:00Z&to=2024-05-01T10:50:00Z&groupBy=channel',
    ];
    const fromMoves = await Promise.all(ranges.map((q) => get(`/api/metrics/funnel?${q}`)));
    expect(await gw.inbox.store.funnelTallies.changed('hour', 100)).not.toHaveLength(0);

    await gw.inbox.pipelineFigures.tallies.countMarked(1_000);
    expect(await gw.inbox.store.funnelTallies.changed('hour', 100)).toEqual([]);
    expect(await gw.inbox.store.funnelTallies.changed('day', 100)).toEqual([]);
    expect(await gw.inbox.store.funnelTallies.changed('month', 100)).toEqual([]);
    expect(
      (await gw.inbox.store.funnelTallies.tallies('month', 'agent', new Date('2024-05-01'), new Date('2024-06-01')))[0]?.cells,
    ).not.toHaveLength(0);
    const fromTallies = await Promise.all(ranges.map((q) => get(`/api/metrics/funnel?${q}`)));
    expect(fromTallies).toEqual(fromMoves);
  });
});
