import { formMessage, marta } from './fixtures/site-form';
import { TestGateway, type TestManager } from './support/gateway';

/**
 * Two gateway processes on one store: each keeps its own copy of the leads in play for the ageing, and a move, a
 * win or a hand-over made on one is in the other's ageing at its next reading.
 */
describe('the ageing with several gateway processes on one store', () => {
  let first: TestGateway;
  let second: TestGateway;
  let sam: TestManager;
  let iryna: TestManager;

  beforeAll(async () => {
    first = await TestGateway.start();
    second = await TestGateway.start({ database: first.database });
    sam = await first.manager('supervisor', 'Supervisor Sam');
    iryna = await first.manager('agent', 'Ірина Бондар');
  });
  afterAll(async () => {
    await second.stop();
    await first.close();
  });

  /** The leads in play by stage, as the second process's funnel shows them (of the api channel). */
  const ageingOnSecond = async (): Promise<Record<string, number>> => {
    const res = await second.request('GET', '/api/metrics/funnel?channel=api&groupBy=agent', { token: sam.token });
    expect(res.status).toBe(200);
    const inPlay: Record<string, number> = {};
    for (const row of res.body.items as { key: string; stages: { stageId: string; ageing: Record<string, number> }[] }[]) {
      for (const s of row.stages) {
        const n = Object.values(s.ageing).reduce((a, b) => a + b, 0);
        if (n) inPlay[`${row.key === iryna.agent.id ? 'Ірина' : row.key}:${s.stageId}`] = n;
      }
    }
    return inPlay;
  };

  it('shows on one process the moves made on the other, at once', async () => {
    expect((await first.postApi(formMessage(marta, 'Добрий день! Чи є диван «Верона» у сірому?'))).status).toBeLessThan(300);
    const list = await first.request('GET', '/api/conversations?limit=10', { token: sam.token });
    const id = list.body.items[0].id as string;
    expect(
      (await first.request('POST', `/api/conversations/${id}/assign`, { token: sam.token, json: { agentId: iryna.agent.id } })).status,
    ).toBe(200);
    expect(await ageingOnSecond()).toEqual({ 'Ірина:new': 1 });

    const move = (stageId: string) => first.request('POST', `/api/conversations/${id}/stage`, { token: iryna.token, json: { stageId } });
    expect((await move('qualified')).status).toBe(200);
    expect(await ageingOnSecond()).toEqual({ 'Ірина:qualified': 1 });

    expect((await first.request('POST', `/api/conversations/${id}/assign`, { token: sam.token, json: { agentId: null } })).status).toBe(
      200,
    );
    expect(await ageingOnSecond()).toEqual({ 'unassigned:qualified': 1 });

    expect((await move('proposal')).status).toBe(200);
    expect(
      (await first.request('POST', `/api/conversations/${id}/stage`, { token: sam.token, json: { stageId: 'won', amount: 18_500 } }))
        .status,
    ).toBe(200);
    expect(await ageingOnSecond()).toEqual({});
  });
});
