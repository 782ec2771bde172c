import type { Logger } from '../../shared/logger';
import type { OutboxEntry } from '../store/records';
import type { AttemptSlot, Delivery } from './delivery';

export interface OutboxWorkerOptions {
  /** How often the store is asked for replies that fell due (retries, and replies queued by other processes). */
  pollMs: number;
  /** Attempts running at once in this process. */
  concurrency: number;
}

/**
 * Runs the outbox in this process: claims due replies and attempts them, up to `concurrency` at once. A reply this
 * process queues is claimed by its id at once; the rest (retries, replies queued by other processes, and those that
 * found no room) are found every `pollMs`, or as soon as room frees up. Every gateway process runs one; a claim is
 * atomic, so each attempt runs in exactly one of them.
 */
export class OutboxWorker {
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private pumping = false;
  private again = false;
  /** A due reply may have found no room: look again when an attempt ends. */
  private backlog = false;
  private stopped = false;

  constructor(
    private readonly delivery: Delivery,
    private readonly options: OutboxWorkerOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.delivery.onQueued((messageId) => this.take(messageId));
    this.delivery.onHold(() => this.slot());
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.wake();
  }

  wake(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    void this.pump();
  }

  /** A reply just queued here: claimed by its id and attempted, no search for it, when there is room for it. */
  private take(messageId: string): void {
    if (this.stopped) return;
    if (this.running.size >= this.options.concurrency) {
      this.backlog = true;
      return;
    }
    // Null when another process's poll took it first, or it was sent already: that attempt is the one.
    this.track(
      messageId,
      this.delivery.claim(messageId, new Date()).then((claimed) => (claimed ? this.delivery.attempt(claimed) : undefined)),
    );
  }

  /**
   * Room for a reply about to be stored claimed already: counted as running from now, so the attempts of this
   * process stay within `concurrency` while its insert is on its way.
   */
  private slot(): AttemptSlot | null {
    if (this.stopped || this.running.size >= this.options.concurrency) return null;
    let start: (work: () => Promise<void>) => void = () => undefined;
    const work = new Promise<() => Promise<void>>((resolve) => {
      start = resolve;
    }).then((run) => run());
    this.track('a reply being stored', work);
    return {
      run: (claimed: OutboxEntry) => start(() => this.delivery.attempt(claimed)),
      release: () => start(async () => undefined),
    };
  }

  private track(messageId: string, work: Promise<void>): void {
    const attempt: Promise<void> = work
      .catch((err: unknown) => {
        // The store failed while claiming or settling: the lease (or the grace) runs out and the reply is taken up again.
        this.log.error({ err, messageId }, 'delivery attempt could not be settled; it will be retried');
      })
      .finally(() => {
        this.running.delete(attempt);
        if (this.backlog) this.wake();
      });
    this.running.add(attempt);
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    this.backlog = false;
    try {
      do {
        this.again = false;
        while (!this.stopped) {
          if (this.running.size >= this.options.concurrency) {
            this.backlog = true;
            break;
          }
          const claimed = await this.delivery.claimNext(new Date());
          if (!claimed) break;
          this.track(claimed.id, this.delivery.attempt(claimed));
        }
      } while (this.again && !this.stopped);
    } catch (err) {
      this.log.error({ err }, 'outbox: could not claim due replies; will try again');
    } finally {
      this.pumping = false;
    }
  }

  /** No new attempts; waits up to `drainMs` for those running (an attempt cut off is taken up again later). */
  async stop(drainMs: number): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const cut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, drainMs);
    });
    await Promise.race([Promise.allSettled([...this.running]), cut]);
    clearTimeout(timer);
  }
}
