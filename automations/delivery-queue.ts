import type { Agenda, JobWithId } from 'agenda';
import type { Delivery } from '../inbox/delivery';
import type { DeliveryQueue } from '../inbox/ports';
import type { Logger } from '../shared/logger';
import { DeliveryError } from '../shared/messages';

export const DELIVER_MESSAGE = 'deliver-message';
/** A job queued before conversations rode along has only the message id. */
type DeliveryJobData = { messageId: string; conversationId?: string };

export interface DeliveryRetryPolicy {
  /** Retries after the first attempt before the message is marked failed. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: DeliveryRetryPolicy = { maxRetries: 6, baseDelayMs: 2_000, maxDelayMs: 10 * 60_000 };

/** Exponential backoff with jitter, or exactly what the platform asked for (Telegram's retry_after). */
export function retryDelay(policy: DeliveryRetryPolicy, attempt: number, error: unknown): number | null {
  if (attempt > policy.maxRetries) return null;
  if (error instanceof DeliveryError && !error.retryable) return null;
  if (error instanceof DeliveryError && error.retryAfterMs !== undefined) return error.retryAfterMs;
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exp * (0.8 + Math.random() * 0.4));
}

/** The queue the inbox hands replies to. */
export function deliveryQueue(agenda: Agenda): DeliveryQueue {
  return {
    async enqueue(message) {
      await agenda.now(DELIVER_MESSAGE, message);
    },
  };
}

/** Defines the job that delivers a queued reply, with retries and a final `failed` once they run out. */
export function defineDeliveryJob(agenda: Agenda, delivery: Delivery, log: Logger, policy: DeliveryRetryPolicy = defaultRetryPolicy): void {
  agenda.define<DeliveryJobData>(
    DELIVER_MESSAGE,
    async (job) => {
      await delivery.deliver(job.attrs.data.messageId, job.attrs.failCount ?? 0);
    },
    {
      concurrency: 20,
      removeOnComplete: true,
      // A send takes seconds (channel clients time out at 30 s); a job whose process died is retried this soon.
      lockLifetime: 2 * 60_000,
      backoff: (ctx) => retryDelay(policy, ctx.attempt, ctx.error),
    },
  );
  agenda.on(`fail:${DELIVER_MESSAGE}`, (error: Error, job: JobWithId) => {
    // A platform's refusal is logged by the delivery with its conversation; this is anything else (the store, a bug).
    if (error instanceof DeliveryError) return;
    const { messageId, conversationId } = job.attrs.data as DeliveryJobData;
    log.error({ err: error, job: DELIVER_MESSAGE, messageId, conversationId }, 'delivery job failed');
  });
  agenda.on(`retry exhausted:${DELIVER_MESSAGE}`, (error: Error, job: JobWithId) => {
    const { messageId, conversationId } = job.attrs.data as DeliveryJobData;
    delivery.fail(messageId, error.message).catch((err: unknown) => {
      log.error({ err, messageId, conversationId }, 'could not mark message failed');
    });
  });
}
