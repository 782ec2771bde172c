import type { LeadStageChange } from '../events';
import type { Clock } from '../ports';
import type { RecentRead } from '../recent-read';
import type { Replies } from '../replies';
import { conversationIdFor, idFromKey } from '../store/ids';
import type { InboxStore } from '../store/port';
import type { TriggerFiringRecord, TriggerRecord } from '../store/records';
import type { Tasks } from '../tasks/tasks';
import { matchesMove, moveKey, quietKey, renewalKey, sweepReach, sweepStart } from './rules';

/** How long a firing's action may take before another pass takes the firing up again (TRIGGER_REPAIR_AFTER). */
const LEASE_MS = 60_000;
/** Documents a sweep reads per query. */
const SWEEP_BATCH = 200;
const SENDER = 'Automation';
const MOVES_CHECKPOINT = 'trigger-moves';

interface Subject {
  key: string;
  conversationId: string | null;
  contactId: string | null;
}

export type FiringOutcome = { state: 'done'; taskId?: string; messageId?: string } | { state: 'skipped'; reason: string };

/**
 * Triggers firing: each firing is recorded (pending, its id derived from the trigger and what it is about) before
 * its action runs, and finished after; its task's id is the firing's and its message's key is the firing's, so a
 * firing run twice (a crash between the record and the finish, two processes) makes one task and sends one message.
 * A firing left pending is taken up again by the automations' pass once its lease ends (`finishUnfinished`).
 * The timed triggers (inactivity, renewals) sweep an index range from where they got to.
 */
export class TriggerFirings {
  constructor(
    private readonly store: InboxStore,
    private readonly tasks: Tasks,
    private readonly replies: Replies,
    private readonly clock: Clock,
    /** The active stage and loss triggers, as `Triggers` keeps them (read again after they change). */
    private readonly moveTriggers: RecentRead<readonly TriggerRecord[]>,
    /**
     * A firing's lease, and how old a stored lead move must be before the sweep reads it back: younger ones are left
     * to the live listener of the process that made them, so a move whose process died before its triggers fired
     * still fires them (once: same key).
     */
    private readonly repairAfterMs = LEASE_MS,
  ) {}

  /** A lead moved: the stage and loss triggers it matches fire, once each for this move. */
  async onStageChange(change: LeadStageChange): Promise<FiringOutcome[]> {
    const move = { from: change.from, to: change.to, lossReasonId: change.conversation.lossReasonId };
    const triggers = await this.moveTriggers.get();
    const outcomes: FiringOutcome[] = [];
    for (const trigger of triggers.filter((t) => matchesMove(t.on, move))) {
      const key = moveKey({ ...change, conversationId: change.conversation.id });
      const outcome = await this.fire(trigger, { key, conversationId: change.conversation.id, contactId: change.contactId });
      if (outcome) outcomes.push(outcome);
    }
    return outcomes;
  }

  /**
   * Fires every active inactivity and renewal trigger for what it reached since its last sweep, and the stage and
   * loss triggers for the stored moves their live listener may have missed; how many fired.
   */
  async sweep(): Promise<number> {
    let fired = await this.catchUpMoves();
    for (const kind of ['inactive', 'renewal'] as const) {
      for (const trigger of await this.store.triggers.activeOf(kind)) fired += await this.sweepOne(trigger);
    }
    return fired;
  }

  /**
   * The stage and loss triggers of the moves stored since the last catch-up (up to a minute ago), each fired under the
   * key the live listener uses, so a move it already took makes nothing more. The first catch-up only starts the count.
   */
  async catchUpMoves(): Promise<number> {
    const upTo = new Date(this.clock().getTime() - this.repairAfterMs);
    const from = await this.store.checkpoints.get(MOVES_CHECKPOINT);
    if (!from) {
      await this.store.checkpoints.create(MOVES_CHECKPOINT, upTo);
      return 0;
    }
    if (upTo <= from) return 0;
    const triggers = await this.moveTriggers.get();
    let fired = 0;
    for (const m of triggers.length ? await this.store.pipeline.movesStoredBetween(from, upTo) : []) {
      // The kind of the stage left is neither matched nor keyed on.
      const change = {
        from: m.from ? { id: m.from, kind: 'open' as const } : null,
        to: { id: m.to, kind: m.toKind },
        lossReasonId: m.lossReasonId,
      };
      // A trigger made after the move would not have heard it live either.
      const matching = triggers.filter((t) => t.createdAt <= m.at && matchesMove(t.on, change));
      if (!matching.length) continue;
      const contactId = (await this.store.conversations.get(m.conversationId))?.contactId ?? null;
      const key = moveKey({ ...change, at: m.at, conversationId: m.conversationId });
      for (const trigger of matching) {
        if (await this.fire(trigger, { key, conversationId: m.conversationId, contactId })) fired++;
      }
    }
    await this.store.checkpoints.move(MOVES_CHECKPOINT, from, upTo);
    return fired;
  }

  /** Finishes the firings a crash (or a failed action) left pending; how many. */
  async finishUnfinished(limit = 100): Promise<number> {
    const now = this.clock();
    let finished = 0;
    for (const pending of await this.store.firings.unfinished(now, limit)) {
      const claimed = await this.store.firings.claim(pending, new Date(now.getTime() + this.repairAfterMs));
      if (!claimed) continue;
      const trigger = await this.store.triggers.get(claimed.triggerId);
      const outcome: FiringOutcome = trigger ? await this.act(trigger, claimed) : { state: 'skipped', reason: 'the trigger was deleted' };
      if (await this.finish(claimed, outcome)) finished++;
    }
    return finished;
  }

  private async sweepOne(trigger: TriggerRecord): Promise<number> {
    const now = this.clock();
    const reach = sweepReach(trigger.on, now);
    let stored = trigger.sweep;
    let position = stored ?? sweepStart(trigger.on, now);
    if (!reach || !position) return 0;
    let fired = 0;
    for (;;) {
      const found: { at: Date; id: string; subject: Subject | null }[] =
        trigger.on.kind === 'inactive'
          ? (await this.store.quietCustomers.quietSince(position, reach, SWEEP_BATCH)).map((q) => ({
              at: q.lastInboundAt,
              id: q.conversationId,
              subject: { key: quietKey(q.conversationId, q.lastInboundAt), conversationId: q.conversationId, contactId: q.contactId },
            }))
          : (await this.store.renewals.between(position, reach, SWEEP_BATCH)).map((r) => ({
              at: r.renewalAt,
              id: r.contactId,
              // A renewal date already passed (the sweep went back for a date moved) is no longer ahead to prepare.
              subject:
                r.renewalAt.getTime() < now.getTime()
                  ? null
                  : { key: renewalKey(r.contactId, r.renewalAt), conversationId: null, contactId: r.contactId },
            }));
      for (const f of found) {
        if (f.subject && (await this.fire(trigger, f.subject))) fired++;
      }
      const last = found[found.length - 1];
      if (!last) break;
      const next = { at: last.at, id: last.id };
      // Another process swept the same stretch meanwhile: what it found is recorded once; it goes on from there.
      if (!(await this.store.triggers.moveSweep(trigger.id, stored, next))) break;
      stored = next;
      position = next;
      if (found.length < SWEEP_BATCH) break;
    }
    return fired;
  }

  /** Records the firing, acts, finishes it; null when it was recorded already (another process, an earlier pass). */
  private async fire(trigger: TriggerRecord, subject: Subject): Promise<FiringOutcome | null> {
    const now = this.clock();
    const conversationId = subject.conversationId ?? (subject.contactId ? conversationIdFor(subject.contactId) : null);
    const firing = await this.store.firings.record({
      id: idFromKey(`firing:${trigger.id}:${subject.key}`),
      triggerId: trigger.id,
      key: subject.key,
      conversationId,
      contactId: subject.contactId,
      state: 'pending',
      retryAt: new Date(now.getTime() + this.repairAfterMs),
      attempts: 1,
      taskId: null,
      messageId: null,
      reason: null,
      firedAt: now,
      finishedAt: null,
    });
    if (!firing) return null;
    const outcome = await this.act(trigger, firing);
    await this.finish(firing, outcome);
    return outcome;
  }

  private async finish(firing: TriggerFiringRecord, outcome: FiringOutcome): Promise<boolean> {
    return this.store.firings.finish(
      firing.id,
      outcome.state === 'done'
        ? { state: 'done', taskId: outcome.taskId ?? null, messageId: outcome.messageId ?? null }
        : { state: 'skipped', reason: outcome.reason },
      this.clock(),
    );
  }

  private async act(trigger: TriggerRecord, firing: TriggerFiringRecord): Promise<FiringOutcome> {
    const conversation = firing.conversationId ? await this.store.conversations.get(firing.conversationId) : null;
    const { action } = trigger;
    if (action.kind === 'send_template') {
      if (!conversation) return { state: 'skipped', reason: 'the customer has no conversation to send the template in' };
      const sent = await this.replies.sendAutomaticTemplate({
        conversationId: conversation.id,
        template: action.template,
        key: `trigger:${firing.id}`,
        senderName: SENDER,
        ...(action.channel ? { channel: action.channel } : {}),
      });
      return 'skipped' in sent ? { state: 'skipped', reason: sent.skipped } : { state: 'done', messageId: sent.messageId };
    }
    const assigneeId = action.assignTo === 'assignee' ? (conversation?.assigneeId ?? trigger.createdBy) : action.assignTo;
    if (!assigneeId) return { state: 'skipped', reason: 'nobody to give the task to: the conversation has no assignee' };
    const agent = await this.store.agents.get(assigneeId);
    if (!agent?.active) return { state: 'skipped', reason: `the manager ${assigneeId} the task was for is not active` };
    await this.tasks.createTriggered({
      id: firing.id,
      triggerId: trigger.id,
      title: action.title,
      dueAt: new Date(firing.firedAt.getTime() + action.dueInMs),
      assigneeId,
      conversationId: conversation?.id ?? null,
      contactId: firing.contactId ?? conversation?.contactId ?? null,
    });
    return { state: 'done', taskId: firing.id };
  }
}
