import type { z } from 'zod';
import { AppError, ErrorCode } from '../../shared/errors';
import type { newTriggerBody, TriggerFiringView, TriggerView, triggerChangeBody } from '../../shared/tasks-api';
import { type Actor, isObjectId, seesEverything } from '../access';
import type { Clock } from '../ports';
import { RecentRead } from '../recent-read';
import type { InboxStore } from '../store/port';
import type { TriggerActionRecord, TriggerFiringRecord, TriggerRecord } from '../store/records';
import { sweepStart } from './rules';

export type NewTrigger = z.output<typeof newTriggerBody>;
export type TriggerChange = z.output<typeof triggerChangeBody>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toTriggerView(t: TriggerRecord): TriggerView {
  return {
    id: t.id,
    name: t.name,
    active: t.active,
    on: t.on,
    action: t.action,
    createdBy: t.createdBy,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  } as TriggerView;
}

export function toFiringView(f: TriggerFiringRecord): TriggerFiringView {
  return {
    id: f.id,
    triggerId: f.triggerId,
    conversationId: f.conversationId,
    contactId: f.contactId,
    state: f.state,
    taskId: f.taskId,
    messageId: f.messageId,
    reason: f.reason,
    firedAt: f.firedAt.toISOString(),
    finishedAt: iso(f.finishedAt),
  };
}

/** How long a read of the stage and loss triggers serves moves. */
const MOVE_TRIGGERS_TTL_MS = 2_000;

const notFound = (id: string) => new AppError(ErrorCode.NotFound, `trigger ${id} not found`);

/** The triggers supervisors and admins keep: listed to every manager, made, changed, switched and removed by them. */
export class Triggers {
  /**
   * The active triggers a lead's move may fire (stage and loss), which every move reads: a burst of new leads costs
   * one read. A trigger saved in another process fires within MOVE_TRIGGERS_TTL_MS.
   */
  readonly onMoves: RecentRead<readonly TriggerRecord[]>;

  constructor(
    private readonly store: InboxStore,
    private readonly clock: Clock,
  ) {
    this.onMoves = new RecentRead(MOVE_TRIGGERS_TTL_MS, async () => [
      ...(await store.triggers.activeOf('stage_changed')),
      ...(await store.triggers.activeOf('lost')),
    ]);
  }

  async list(): Promise<TriggerView[]> {
    return (await this.store.triggers.list()).map(toTriggerView);
  }

  async create(actor: Actor, input: NewTrigger): Promise<TriggerView> {
    this.assertEditor(actor);
    await this.checkAction(input.action);
    const now = this.clock();
    const created = await this.store.triggers.create({
      name: input.name,
      active: input.active,
      on: input.on,
      action: input.action,
      createdBy: actor.id,
      createdAt: now,
      updatedAt: now,
      sweep: sweepStart(input.on, now),
    });
    this.onMoves.forget();
    return toTriggerView(created);
  }

  async update(actor: Actor, id: string, change: TriggerChange): Promise<TriggerView> {
    this.assertEditor(actor);
    const trigger = await this.find(id);
    if (change.action) await this.checkAction(change.action);
    const now = this.clock();
    // A timed trigger changed or switched on starts from now: it never fires for the whole backlog at once.
    const restart = change.on !== undefined || (change.active === true && !trigger.active);
    const after = await this.store.triggers.update(
      trigger.id,
      { ...change, ...(restart ? { sweep: sweepStart(change.on ?? trigger.on, now) } : {}) },
      now,
    );
    this.onMoves.forget();
    if (!after) throw notFound(id);
    return toTriggerView(after);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    this.assertEditor(actor);
    const removed = isObjectId(id) && (await this.store.triggers.remove(id));
    this.onMoves.forget();
    if (!removed) throw notFound(id);
  }

  /** What a trigger did lately, newest first: each firing with its task or message, or why it did nothing. */
  async firings(actor: Actor, id: string, limit = 100): Promise<TriggerFiringView[]> {
    this.assertEditor(actor);
    const trigger = await this.find(id);
    return (await this.store.firings.ofTrigger(trigger.id, limit)).map(toFiringView);
  }

  private async find(id: string): Promise<TriggerRecord> {
    const trigger = isObjectId(id) ? await this.store.triggers.get(id) : null;
    if (!trigger) throw notFound(id);
    return trigger;
  }

  private assertEditor(actor: Actor): void {
    if (!seesEverything(actor)) throw new AppError(ErrorCode.Forbidden, 'only supervisors and admins keep the triggers');
  }

  private async checkAction(action: TriggerActionRecord): Promise<void> {
    if (action.kind !== 'create_task' || action.assignTo === 'assignee') return;
    const agent = await this.store.agents.get(action.assignTo);
    if (!agent?.active) throw new AppError(ErrorCode.AgentNotFound, `no active manager ${action.assignTo} to give the trigger's tasks to`);
  }
}
