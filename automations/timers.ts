import type { Agenda } from 'agenda';
import type { Inbox } from '../inbox';
import { type DueKind, dueKinds, type WaitingConversation } from '../inbox/waits';
import type { Logger } from '../shared/logger';
import type { EscalationChain } from './escalation';
import { SerialPasses } from './serial-passes';
import type { FirstResponseTargets } from './sla';

export const AUTOMATIONS_TICK = 'automations-tick';

/** Conversations taken per query of a due-time index; a pass keeps taking batches while they come back full. */
const BATCH = 100;
/** Batches per kind of due time in one pass: after a long outage the rest is left to the next pass, a second on. */
const MAX_BATCHES = 20;
/** Conversations acted on at once. */
const PARALLEL = 8;
/** A conversation whose handling failed is tried again this much later, instead of on every pass. */
const RETRY_AFTER_MS = 30_000;

export interface TickResult {
  /** Snoozed conversations open again. */
  woken: number;
  escalated: number;
  warned: number;
  breached: number;
  failed: number;
}
const nothingDone = (): TickResult => ({ woken: 0, escalated: 0, warned: 0, breached: 0, failed: 0 });

/**
 * One pass over what fell due: each kind of due time (a snooze's end, first-response warning, its breach, the escalation) is read
 * from its index on the conversations, earliest first, so a pass reads what is due and nothing else however many
 * conversations are open. Acting on one moves or clears its due time with a write guarded by the state it was
 * decided on, so when two gateway processes find the same conversation due, one write lands and the other finds
 * nothing to do.
 */
export class DueTimers {
  private readonly passes = new SerialPasses<TickResult>(() => this.pass());

  constructor(
    private readonly inbox: Inbox,
    private readonly escalation: EscalationChain,
    private readonly targets: FirstResponseTargets,
    private readonly log: Logger,
  ) {}

  /** Runs one pass that starts after every pass already running in this process (passes never overlap here). */
  tick(): Promise<TickResult> {
    return this.passes.run();
  }

  /** Starts no more passes, and lets the one running stop after the conversations it is acting on. */
  stop(): Promise<void> {
    return this.passes.stop();
  }

  private async pass(): Promise<TickResult> {
    const result = nothingDone();
    if (this.passes.stopped) return result;
    const now = this.inbox.clock();
    // In this order: snoozes end first; a warning and a breach that fell due together are both raised before any hand-over.
    for (const kind of dueKinds) {
      for (let batch = 0; batch < MAX_BATCHES && !this.passes.stopped; batch++) {
        const due = await this.inbox.waits.due(kind, now, BATCH);
        await this.actOnAll(due, kind, now, result);
        if (due.length < BATCH) break;
      }
    }
    return result;
  }

  /** Acts on the `kind` due time of each conversation, a few at once, unless the timers are stopping. */
  private async actOnAll(conversations: readonly WaitingConversation[], kind: DueKind, now: Date, result: TickResult): Promise<void> {
    let next = 0;
    const worker = async () => {
      for (let c = conversations[next++]; c && !this.passes.stopped; c = conversations[next++]) await this.act(kind, c, now, result);
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, conversations.length) }, worker));
  }

  private async act(kind: DueKind, c: WaitingConversation, now: Date, result: TickResult): Promise<void> {
    try {
      if (kind === 'snoozedUntil') {
        if (await this.inbox.snoozes.wake(c)) result.woken++;
      } else if (kind === 'slaWarnAt') {
        if (await this.targets.warn(c)) result.warned++;
      } else if (kind === 'slaBreachAt') {
        if (await this.targets.breach(c)) result.breached++;
      } else {
        const outcome = await this.escalation.step(c, now);
        if (outcome === 'handed-over' || outcome === 'queued') result.escalated++;
      }
    } catch (err) {
      result.failed++;
      this.log.error({ err, conversationId: c.id, timer: kind }, 'automation failed for a conversation; retrying later');
      await this.inbox.waits
        .reschedule(c, kind, new Date(now.getTime() + RETRY_AFTER_MS))
        .catch((e: unknown) => this.log.error({ err: e, conversationId: c.id }, 'could not postpone the timer'));
    }
  }
}

/** The recurring job that runs the pass: one Agenda job for every gateway process, every `intervalMs`. */
export function defineTimersJob(agenda: Agenda, timers: DueTimers, log: Logger): void {
  agenda.define(
    AUTOMATIONS_TICK,
    async () => {
      const result = await timers.tick();
      if (result.woken || result.escalated || result.warned || result.breached || result.failed) {
        log.info(result, 'automations acted on due waits');
      }
    },
    { concurrency: 1, lockLifetime: 60_000 },
  );
}
