import type { LeadStageChange } from '../events';
import type { TriggerOnRecord, TriggerRecord } from '../store/records';

/** The lowest id: a sweep position before every document of its time. */
export const FIRST_ID = '000000000000000000000000';
const DAY_MS = 24 * 3600_000;

/** Whether a lead's move starts a trigger: a stage change to (and from) the stages it names; a loss for its reason. */
export function matchesMove(on: TriggerOnRecord, change: Pick<LeadStageChange, 'from' | 'to'> & { lossReasonId: string | null }): boolean {
  if (on.kind === 'stage_changed') {
    return (
      (on.toStageId === undefined || on.toStageId === change.to.id) && (on.fromStageId === undefined || on.fromStageId === change.from?.id)
    );
  }
  if (on.kind === 'lost') return change.to.kind === 'lost' && (on.lossReasonId === undefined || on.lossReasonId === change.lossReasonId);
  return false;
}

/** One firing per trigger and lead move: the move is its conversation, its stages and its time. */
export const moveKey = (change: Pick<LeadStageChange, 'from' | 'to' | 'at'> & { conversationId: string }): string =>
  `move:${change.conversationId}:${change.from?.id ?? ''}>${change.to.id}@${change.at.getTime()}`;
/** One firing per quiet stretch: a customer who writes again and goes quiet again is a new one. */
export const quietKey = (conversationId: string, lastInboundAt: Date): string => `inactive:${conversationId}@${lastInboundAt.getTime()}`;
/** One firing per renewal date: a contact's next renewal is a new one. */
export const renewalKey = (contactId: string, renewalAt: Date): string => `renewal:${contactId}@${renewalAt.getTime()}`;

/**
 * Where a timed trigger's sweep starts when it is made, switched on or changed: at the customers who reach N days of
 * quiet from now on (not everyone quiet already), and at the renewals still ahead.
 */
export function sweepStart(on: TriggerOnRecord, now: Date): TriggerRecord['sweep'] {
  if (on.kind === 'inactive') return { at: new Date(now.getTime() - on.days * DAY_MS), id: FIRST_ID };
  if (on.kind === 'renewal') return { at: now, id: FIRST_ID };
  return null;
}

/** The sweep's reach at `now`: customers quiet since this time or longer; renewals up to this date. */
export function sweepReach(on: TriggerOnRecord, now: Date): Date | null {
  if (on.kind === 'inactive') return new Date(now.getTime() - on.days * DAY_MS);
  if (on.kind === 'renewal') return new Date(now.getTime() + on.daysBefore * DAY_MS);
  return null;
}
