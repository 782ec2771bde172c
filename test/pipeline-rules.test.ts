import { ageBucket, funnelRows, missingRequirements, outcomeOfEntry } from '../inbox/pipeline/rules';
import { firstStages } from '../inbox/pipeline/stages';
import type { PathStep, StageMoveRecord } from '../inbox/store/records';

const stages = firstStages.map((s) => ({ ...s, active: true }));
const orderOf = new Map(stages.map((s) => [s.id, s.order]));
const at = (iso: string) => new Date(iso);
const step = (stageId: string, iso: string): PathStep => ({
  stageId,
  kind: stageId === 'won' ? 'won' : stageId === 'lost' ? 'lost' : 'open',
  at: at(iso),
});

describe('the pipeline rules', () => {
  it('names what a stage asks that the lead lacks', () => {
    expect(missingRequirements(['amount', 'phone'], { amount: null, phone: null })).toEqual(['amount', 'phone']);
    expect(missingRequirements(['amount', 'phone'], { amount: 0, phone: '+380671234567' })).toEqual([]);
    expect(missingRequirements(['phone'], { amount: 1200, phone: '' })).toEqual(['phone']);
  });

  it('puts a deal in its ageing bucket by whole days in the stage, each bound in the next bucket', () => {
    const day = 86_400_000;
    expect([0, day - 1, day, 3 * day - 1, 3 * day, 7 * day, 30 * day - 1, 30 * day].map(ageBucket)).toEqual([
      '<1d',
      '<1d',
      '1-3d',
      '1-3d',
      '3-7d',
      '7-30d',
      '7-30d',
      '>30d',
    ]);
  });

  it('follows an entry along the lead’s path: a skipped stage still converts, a loss never does', () => {
    const path = [step('new', '2024-05-01T10:00:00Z'), step('qualified', '2024-05-01T12:00:00Z'), step('won', '2024-05-03T12:00:00Z')];
    expect(outcomeOfEntry(path, 0, orderOf)).toEqual({ toNext: true, toWon: true, msInStage: 2 * 3_600_000 });
    expect(outcomeOfEntry(path, 2, orderOf)).toEqual({ toNext: false, toWon: false, msInStage: null });
    const lost = [step('new', '2024-05-01T10:00:00Z'), step('lost', '2024-05-01T10:30:00Z')];
    expect(outcomeOfEntry(lost, 0, orderOf)).toEqual({ toNext: false, toWon: false, msInStage: 1_800_000 });
  });

  it('counts the funnel of a range per key, with the leads never contacted and the deals ageing now', () => {
    const move = (leadId: string, seq: number, from: string | null, to: string, iso: string): StageMoveRecord => ({
      id: `${leadId}:${seq}`,
      leadId,
      conversationId: leadId,
      seq,
      channel: 'telegram',
      source: null,
      assigneeId: null,
      byAgentId: null,
      from,
      to,
      toKind: to === 'lost' ? 'lost' : 'open',
      at: at(iso),
      msInFrom: null,
      amount: null,
      lossReasonId: null,
      lossReason: null,
    });
    const leads = new Map([
      [
        'a',
        { path: [step('new', '2024-05-01T10:00:00Z'), step('contacted', '2024-05-01T10:05:00Z')], contactedAt: at('2024-05-01T10:05:00Z') },
      ],
      ['b', { path: [step('new', '2024-05-01T11:00:00Z'), step('lost', '2024-05-02T11:00:00Z')], contactedAt: null }],
    ]);
    const [row] = funnelRows({
      stages,
      moves: [move('a', 1, null, 'new', '2024-05-01T10:00:00Z'), move('a', 2, 'new', 'contacted', '2024-05-01T10:05:00Z')].concat(
        move('b', 1, null, 'new', '2024-05-01T11:00:00Z'),
        move('b', 2, 'new', 'lost', '2024-05-02T11:00:00Z'),
      ),
      leads,
      inPlay: [{ channel: 'telegram', source: null, assigneeId: null, stageId: 'contacted', stageSince: at('2024-05-01T10:05:00Z') }],
      keyOf: (m) => m.channel,
      now: at('2024-05-05T10:05:00Z'),
    });
    expect(row).toMatchObject({ key: 'telegram', leads: 2, neverContacted: 1, neverContactedShare: 0.5 });
    const byStage = Object.fromEntries((row?.stages ?? []).map((s) => [s.stageId, s]));
    expect(byStage.new).toMatchObject({
      entered: 2,
      toNext: 1,
      toNextRate: 0.5,
      toWon: 0,
      toWonRate: 0,
      left: 2,
      p50Ms: 300_000,
      p90Ms: 86_400_000,
    });
    expect(byStage.contacted).toMatchObject({
      entered: 1,
      left: 0,
      p50Ms: null,
      ageing: { '<1d': 0, '1-3d': 0, '3-7d': 1, '7-30d': 0, '>30d': 0 },
    });
    expect(byStage.lost).toMatchObject({ entered: 1, toNextRate: null, toWonRate: null });
  });
});
