import { mayAssign, maySee } from '../inbox/tasks/access';
import { FIRST_ID, matchesMove, moveKey, sweepReach, sweepStart } from '../inbox/triggers/rules';

const proposal = { id: 'proposal', kind: 'open' as const };
const won = { id: 'won', kind: 'won' as const };
const lost = { id: 'lost', kind: 'lost' as const };
const now = new Date('2026-04-10T09:00:00Z');
const DAY = 24 * 3600_000;

describe('which lead moves start a trigger', () => {
  it('starts a stage trigger on a move to (and from) the stages it names, or any move when it names none', () => {
    const move = { from: proposal, to: won, lossReasonId: null };
    expect(matchesMove({ kind: 'stage_changed', toStageId: 'won' }, move)).toBe(true);
    expect(matchesMove({ kind: 'stage_changed', toStageId: 'won', fromStageId: 'proposal' }, move)).toBe(true);
    expect(matchesMove({ kind: 'stage_changed', toStageId: 'won', fromStageId: 'qualified' }, move)).toBe(false);
    expect(matchesMove({ kind: 'stage_changed', toStageId: 'contacted' }, move)).toBe(false);
    expect(matchesMove({ kind: 'stage_changed' }, { from: null, to: { id: 'new', kind: 'open' }, lossReasonId: null })).toBe(true);
  });

  it('starts a loss trigger on a move to a lost stage, for its reason only when it names one', () => {
    expect(matchesMove({ kind: 'lost' }, { from: proposal, to: lost, lossReasonId: 'price' })).toBe(true);
    expect(matchesMove({ kind: 'lost', lossReasonId: 'price' }, { from: proposal, to: lost, lossReasonId: 'price' })).toBe(true);
    expect(matchesMove({ kind: 'lost', lossReasonId: 'price' }, { from: proposal, to: lost, lossReasonId: 'rival' })).toBe(false);
    expect(matchesMove({ kind: 'lost' }, { from: proposal, to: won, lossReasonId: null })).toBe(false);
    expect(matchesMove({ kind: 'inactive', days: 3 }, { from: proposal, to: lost, lossReasonId: null })).toBe(false);
  });

  it('keys a firing by the move: the same move told twice is one, a later move to the same stage another', () => {
    const at = new Date('2026-04-06T07:10:00Z');
    expect(moveKey({ conversationId: 'c1', from: proposal, to: won, at })).toBe(
      moveKey({ conversationId: 'c1', from: proposal, to: won, at }),
    );
    expect(moveKey({ conversationId: 'c1', from: proposal, to: won, at })).not.toBe(
      moveKey({ conversationId: 'c1', from: proposal, to: won, at: new Date(at.getTime() + 1) }),
    );
  });
});

describe('where the timed triggers sweep', () => {
  it('starts at the customers who reach N days of quiet from now on, and at the renewals still ahead', () => {
    expect(sweepStart({ kind: 'inactive', days: 3 }, now)).toEqual({ at: new Date(now.getTime() - 3 * DAY), id: FIRST_ID });
    expect(sweepStart({ kind: 'renewal', daysBefore: 7 }, now)).toEqual({ at: now, id: FIRST_ID });
    expect(sweepStart({ kind: 'lost' }, now)).toBeNull();
  });

  it('reaches the customers quiet N days or longer, and the renewals up to N days ahead', () => {
    expect(sweepReach({ kind: 'inactive', days: 3 }, now)).toEqual(new Date(now.getTime() - 3 * DAY));
    expect(sweepReach({ kind: 'renewal', daysBefore: 7 }, now)).toEqual(new Date(now.getTime() + 7 * DAY));
  });
});

describe('who sees and gives tasks', () => {
  const agent = { id: 'a1', role: 'agent' as const, name: 'Ірина' };
  const supervisor = { id: 's1', role: 'supervisor' as const, name: 'Оксана' };
  it('lets an agent see their own tasks and those on a conversation they may work on', () => {
    expect(maySee(agent, { assigneeId: 'a1' }, { assigneeId: 'a2' })).toBe(true);
    expect(maySee(agent, { assigneeId: 'a2' }, { assigneeId: null })).toBe(true);
    expect(maySee(agent, { assigneeId: 'a2' }, { assigneeId: 'a2' })).toBe(false);
    expect(maySee(agent, { assigneeId: 'a2' }, null)).toBe(false);
    expect(maySee(supervisor, { assigneeId: 'a2' }, null)).toBe(true);
  });
  it('lets an agent give tasks to others only on a conversation they may work on', () => {
    expect(mayAssign(agent, 'a1', null)).toBe(true);
    expect(mayAssign(agent, 'a2', null)).toBe(false);
    expect(mayAssign(agent, 'a2', { assigneeId: 'a1' })).toBe(true);
    expect(mayAssign(supervisor, 'a2', null)).toBe(true);
  });
});
