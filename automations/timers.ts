import type { Agenda } from 'agenda';
import type { Inbox } from '../inbox';
import type { ConversationDoc } from '../inbox/store/models';
import type { DueKind } from '../inbox/waits';
import type { Logger } from '../shared/logger';
import type { EscalationChain } from './escalation';
import type { FirstResponseTargets } from './sla';

export const AUTOMATIONS_TICK = 'automations-tick';

/** Conversations taken per query; a tick keeps taking batches while they come back full (up to MAX_BATCHES). */
const BATCH = 100;
const MAX_BATCHES = 20;
/** Conversations acted on at once within a batch. */
const PARALLEL = 8;
/** A conversation whose handling failed is tried again this much later, instead of on every tick. */
const RETRY_AFTER_MS = 30_000;

export interface TickResult {
  escalated: number;
  warned: number;
  breached: number;
  failed: number;
}

/**
 * One pass over what fell due: each kind of due time is read by its index (`{dueAt: {$lte: now}}`, earliest first,
 * a batch at a time), so the cost grows with what is due, not with how many conversations are open.
 */
export class DueTimers {
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly inbox: Inbox,
    private readonly escalation: EscalationChain,
    private readonly targets: FirstResponseTargets,
    private readonly log: Logger,
  ) {}

  /** Runs one pass that starts after every pass already running in this process (passes never overlap here). */
  tick(): Promise<TickResult> {
    const pass = this.last.then(
      () => this.pass(),
      () => this.pass(),
    );
    this.last = pass.catch(() => undefined);
    return pass;
  }

  private async pass(): Promise<TickResult> {
    const now = this.inbox.clock();
    const result: TickResult = { escalated: 0, warned: 0, breached: 0, failed: 0 };
    await this.each('slaWarnAt', now, result, async (c) => {
      if (await this.targets.warn(c)) result.warned++;
    });
    await this.each('slaBreachAt', now, result, async (c) => {
      if (await this.targets.breach(c)) result.breached++;
    });
    await this.each('escalationDueAt', now, result, async (c) => {
      const outcome = await this.escalation.step(c, now);
      if (outcome === 'handed-over' || outcome === 'queued') result.escalated++;
    });
    return result;
  }

  private async each(kind: DueKind, now: Date, result: TickResult, act: (c: ConversationDoc) => Promise<void>): Promise<void> {
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const due = await this.inbox.waits.due(kind, now, BATCH);
      let next = 0;
      const worker = async () => {
        for (let c = due[next++]; c; c = due[next++]) {
          try {
            await act(c);
          } catch (err) {
            result.failed++;
            this.log.error({ err, conversationId: c._id.toString(), timer: kind }, 'automation failed for a conversation; retrying later');
            await this.inbox.waits
              .reschedule(c, kind, new Date(now.getTime() + RETRY_AFTER_MS))
              .catch((e: unknown) => this.log.error({ err: e, conversationId: c._id.toString() }, 'could not postpone the timer'));
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL, due.length) }, worker));
      if (due.length < BATCH) return;
    }
  }
}

/** The recurring job that runs the pass: one Agenda job for every gateway process, every `intervalMs`. */
export function defineTimersJob(agenda: Agenda, timers: DueTimers, log: Logger): void {
  agenda.define(
    AUTOMATIONS_TICK,
    async () => {
      const result = await timers.tick();
      if (result.escalated || result.warned || result.breached || result.failed) log.info(result, 'automations acted on due waits');
    },
    { concurrency: 1, lockLifetime: 60_000 },
  );
}
