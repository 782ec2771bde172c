import { DeliveryError } from '../../shared/messages';

/**
 * The rules of the outbox, pure: when a reply is tried again, when it is given up, and how long one attempt may
 * hold it. A reply is the queue entry itself (its message document), so these decide its next state.
 */

export interface DeliveryRetryPolicy {
  /** Retries after the first attempt before the reply is marked failed. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: DeliveryRetryPolicy = { maxRetries: 6, baseDelayMs: 2_000, maxDelayMs: 10 * 60_000 };

/**
 * How long one attempt holds a reply before another process may take it over, unless it renews the hold (every
 * LEASE_RENEW_MS while its send runs, however long the channel client waits): a reply whose process died mid-send
 * is taken up again within this long.
 */
export const LEASE_MS = 15_000;
export const LEASE_RENEW_MS = 5_000;

/**
 * Attempts whose outcome is unknown (the process died mid-send, or the platform did not answer in time) after
 * which a reply is given up rather than sent again, on channels that take no idempotency key: the customer gets a
 * reply at most twice, never three or four times.
 */
export const MAX_UNCERTAIN_ATTEMPTS = 2;

/** Exponential backoff with jitter, or exactly what the platform asked for (Telegram's retry_after). */
export function retryDelay(policy: DeliveryRetryPolicy, attempt: number, error: unknown): number | null {
  if (attempt > policy.maxRetries) return null;
  if (error instanceof DeliveryError && !error.retryable) return null;
  if (error instanceof DeliveryError && error.retryAfterMs !== undefined) return error.retryAfterMs;
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exp * (0.8 + Math.random() * 0.4));
}

/** A reply as the outbox sees it when an attempt is about to start. */
export interface OutboxEntry {
  /** Attempts started before this one. */
  attempts: number;
  /** Set while an attempt runs; still set when the attempt before this one never settled (its process died). */
  sendingSince: Date | null;
  /** Earlier attempts whose outcome is unknown. */
  uncertainAttempts: number;
}

export type BeforeAttempt = { send: true; attempt: number; uncertainAttempts: number } | { send: false; reason: string };

/** Whether the attempt about to start may send, and what it counts as. */
export function beforeAttempt(entry: OutboxEntry, policy: DeliveryRetryPolicy, idempotent: boolean): BeforeAttempt {
  const uncertainAttempts = entry.uncertainAttempts + (entry.sendingSince ? 1 : 0);
  if (!idempotent && uncertainAttempts >= MAX_UNCERTAIN_ATTEMPTS) {
    return {
      send: false,
      reason: `no answer from the platform to ${uncertainAttempts} attempts: the reply may have reached the customer, so it is not sent again`,
    };
  }
  const attempt = entry.attempts + 1;
  if (attempt > policy.maxRetries + 1) return { send: false, reason: `gave up after ${entry.attempts} attempts` };
  return { send: true, attempt, uncertainAttempts };
}

export type AfterFailure = { retryAt: Date; uncertain: boolean } | { failed: string };

/** What follows a failed attempt: another one later, or the end. */
export function afterFailure(
  policy: DeliveryRetryPolicy,
  attempt: number,
  error: unknown,
  now: Date,
  uncertainSoFar: number,
  idempotent: boolean,
): AfterFailure {
  const reason = error instanceof Error ? error.message : String(error);
  const uncertain = error instanceof DeliveryError && error.maybeDelivered;
  if (uncertain && !idempotent && uncertainSoFar + 1 >= MAX_UNCERTAIN_ATTEMPTS) {
    return { failed: `${reason}; the reply may have reached the customer, so it is not sent again` };
  }
  const delay = retryDelay(policy, attempt, error);
  if (delay === null) return { failed: reason };
  return { retryAt: new Date(now.getTime() + delay), uncertain };
}
