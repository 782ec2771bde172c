import type { Logger } from '../../shared/logger';
import type { Delivery } from './delivery';

export interface OutboxWorkerOptions {
  /** How often the store is asked for replies that fell due (retries, and replies queued by other processes). */
  pollMs: number;
  /** Attempts running at once in this process. */
  concurrency: number;
}

/**
 * Runs the outbox in this process: claims due replies and attempts them, up to `concurrency` at once. Woken at once
 * when this process queues a reply, and every `pollMs` for the rest. Every gateway process runs one; a claim is
 * atomic, so each attempt runs in exactly one of them.
 */
export class OutboxWorker {
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private pumping = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly delivery: Delivery,
    private readonly options: OutboxWorkerOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.delivery.onQueued(() => this.wake());
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

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.again = false;
        while (!this.stopped && this.running.size < this.options.concurrency) {
          const claimed = await this.delivery.claimNext(new Date());
          if (!claimed) break;
          const attempt: Promise<void> = this.delivery
            .attempt(claimed)
            .catch((err: unknown) => {
              // The store failed while settling: the lease runs out and the reply is taken up again.
              this.log.error({ err, messageId: claimed.id }, 'delivery attempt could not be settled; it will be retried');
            })
            .finally(() => {
              this.running.delete(attempt);
              this.wake();
            });
          this.running.add(attempt);
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
