import type { Agenda } from 'agenda';
import type { Inbox } from '../inbox';
import { hintSecond, secondOf } from '../inbox/due-hints';
import type { ConversationDoc } from '../inbox/store/models';
import { type DueKind, dueKinds } from '../inbox/waits';
import type { Logger } from '../shared/logger';
import type { EscalationChain } from './escalation';
import type { FirstResponseTargets } from './sla';

export const AUTOMATIONS_TICK = 'automations-tick';

/** Where the passes got to in the due hints: every second before it has been read and acted on. */
const HINTS_CHECKPOINT = 'due-hints';
/** Seconds behind now that every pass reads again, so a hint whose write was a moment slow is still read. */
const SETTLE_SECONDS = 3;
/** Further behind than this (a long stop), a pass starts a sweep of the due-time indexes instead of reading every missed second. */
const CATCH_UP_SECONDS = 3600;
/**
 * The due-time indexes are also swept at a process's first pass and this often after, so what a hint cannot cover
 * (data from before hints existed, a wait whose hint was lost) still fires. Rarely, and beside the passes rather
 * than inside one: on the embedded FerretDB a sweep reads every conversation (about 0.2 s per 1,000), and a pass
 * must fire what is due within 2 s.
 */
const SWEEP_EVERY_MS = 30 * 60_000;
/** Conversations taken per sweep query; a sweep keeps taking batches while they come back full (up to MAX_BATCHES). */
const BATCH = 100;
const MAX_BATCHES = 20;
/** Conversations acted on at once. */
const PARALLEL = 8;
/** A conversation whose handling failed is tried again this much later, instead of on every pass. */
const RETRY_AFTER_MS = 30_000;

export interface TickResult {
  escalated: number;
  warned: number;
  breached: number;
  failed: number;
}
const nothingDone = (): TickResult => ({ escalated: 0, warned: 0, breached: 0, failed: 0 });

/**
 * One pass over what fell due. It reads the due hints of the seconds since the last pass by primary key
 * (inbox/due-hints.ts) and looks only at those conversations, so its cost grows with what falls due, not with how
 * many conversations are open — on MongoDB and on the embedded FerretDB alike. Every conversation's stored due
 * times are the truth; a hint only says when to look.
 */
export class DueTimers {
  private last: Promise<unknown> = Promise.resolve();
  private lastSweepAt = Number.NEGATIVE_INFINITY;
  /** The sweep running beside the passes, if any (one at a time per process). */
  private sweeping: Promise<TickResult> | null = null;
  private stopped = false;
  /** Hints already acted on by this process among the seconds read again. */
  private readonly handled = new Set<string>();

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
    const nowSecond = secondOf(now);
    const result = nothingDone();
    const { checkpoints, waits } = this.inbox;

    const mark = await checkpoints.get(HINTS_CHECKPOINT);
    let from = mark ? secondOf(mark) : nowSecond - SETTLE_SECONDS;
    // Far behind (a long stop): the sweep finds what fell due meanwhile, and the passes go on from now.
    const behind = nowSecond - from > CATCH_UP_SECONDS;
    if (behind) from = nowSecond - SETTLE_SECONDS;
    if (behind || now.getTime() - this.lastSweepAt >= SWEEP_EVERY_MS) this.startSweep(now);

    const hints = await waits.hints.read(from, nowSecond);
    const due = hints.filter((h) => h.dueAt.getTime() <= now.getTime() && !this.handled.has(h._id));
    const ids = [...new Map(due.map((h) => [h.conversationId.toString(), h.conversationId])).values()];
    for (let i = 0; i < ids.length; i += BATCH) {
      await this.actOnAll(await waits.byIds(ids.slice(i, i + BATCH)), now, result);
    }
    for (const h of due) this.handled.add(h._id);

    const settled = nowSecond - SETTLE_SECONDS;
    if (settled > from || !mark) {
      await checkpoints.advance(HINTS_CHECKPOINT, new Date(Math.max(settled, from) * 1000));
      for (const id of this.handled) if (hintSecond(id) < settled) this.handled.delete(id);
    }
    return result;
  }

  /** Waits for the sweep of the due-time indexes that is running, or runs one now and waits for it. */
  async sweepNow(): Promise<TickResult> {
    this.startSweep(this.inbox.clock());
    return (await this.sweeping) ?? nothingDone();
  }

  /** Starts no more sweeps, and lets the one running stop after the conversation it is acting on. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.sweeping;
  }

  private startSweep(now: Date): void {
    if (this.sweeping || this.stopped) return;
    this.lastSweepAt = now.getTime();
    const sweep = this.sweep(now)
      .then((result) => {
        if (result.escalated || result.warned || result.breached || result.failed) {
          this.log.info(result, 'the sweep of the due-time indexes acted on due waits');
        }
        return result;
      })
      .catch((err: unknown) => {
        this.log.error({ err }, 'the sweep of the due-time indexes failed; the next one tries again');
        this.lastSweepAt = Number.NEGATIVE_INFINITY;
        return { ...nothingDone(), failed: 1 };
      })
      .finally(() => {
        if (this.sweeping === sweep) this.sweeping = null;
      });
    this.sweeping = sweep;
  }

  /** Reads each kind of due time by its index, a batch at a time. */
  private async sweep(now: Date): Promise<TickResult> {
    const result = nothingDone();
    let more = false;
    for (const kind of dueKinds) {
      for (let batch = 0; batch < MAX_BATCHES && !this.stopped; batch++) {
        const due = await this.inbox.waits.due(kind, now, BATCH);
        await this.actOnAll(due, now, result, () => !this.stopped);
        more ||= due.length === BATCH && batch === MAX_BATCHES - 1;
        if (due.length < BATCH) break;
      }
    }
    // More fell due than one sweep takes (a long outage): the next pass starts another instead of in 30 minutes.
    if (more) this.lastSweepAt = Number.NEGATIVE_INFINITY;
    return result;
  }

  /** Acts on each conversation's due times that have come; `goOn` may end the walk early (a sweep, on stop). */
  private async actOnAll(conversations: readonly ConversationDoc[], now: Date, result: TickResult, goOn = () => true): Promise<void> {
    let next = 0;
    const worker = async () => {
      for (let c = conversations[next++]; c && goOn(); c = conversations[next++]) {
        // In this order: a warning and a breach that fell due together are both raised before any hand-over.
        for (const kind of dueKinds) {
          const at = c[kind];
          if (at && at.getTime() <= now.getTime()) await this.act(kind, c, now, result);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, conversations.length) }, worker));
  }

  private async act(kind: DueKind, c: ConversationDoc, now: Date, result: TickResult): Promise<void> {
    try {
      if (kind === 'slaWarnAt') {
        if (await this.targets.warn(c)) result.warned++;
      } else if (kind === 'slaBreachAt') {
        if (await this.targets.breach(c)) result.breached++;
      } else {
        const outcome = await this.escalation.step(c, now);
        if (outcome === 'handed-over' || outcome === 'queued') result.escalated++;
      }
    } catch (err) {
      result.failed++;
      this.log.error({ err, conversationId: c._id.toString(), timer: kind }, 'automation failed for a conversation; retrying later');
      await this.inbox.waits
        .reschedule(c, kind, new Date(now.getTime() + RETRY_AFTER_MS))
        .catch((e: unknown) => this.log.error({ err: e, conversationId: c._id.toString() }, 'could not postpone the timer'));
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
