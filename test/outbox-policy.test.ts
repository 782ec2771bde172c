import { afterFailure, beforeAttempt, defaultRetryPolicy, MAX_UNCERTAIN_ATTEMPTS, retryDelay } from '../inbox/outbox/policy';
import { DeliveryError } from '../shared/messages';

const policy = { ...defaultRetryPolicy, maxRetries: 3, baseDelayMs: 1_000 };
const now = new Date('2026-12-01T09:00:00Z');
const fresh = { attempts: 0, sendingSince: null, uncertainAttempts: 0 };

describe('the outbox rules', () => {
  it('sends a fresh reply as its first attempt', () => {
    expect(beforeAttempt(fresh, policy, false)).toEqual({ send: true, attempt: 1, uncertainAttempts: 0 });
  });

  it('counts an attempt that never settled (its process died mid-send) as one whose outcome is unknown', () => {
    const crashed = { attempts: 1, sendingSince: new Date('2026-12-01T08:57:00Z'), uncertainAttempts: 0 };
    expect(beforeAttempt(crashed, policy, false)).toEqual({ send: true, attempt: 2, uncertainAttempts: 1 });
  });

  it('does not send a third time after two attempts whose outcome is unknown, on a channel without idempotency keys', () => {
    const twice = { attempts: 2, sendingSince: new Date('2026-12-01T08:58:00Z'), uncertainAttempts: 1 };
    const plan = beforeAttempt(twice, policy, false);
    expect(plan).toMatchObject({ send: false });
    expect('reason' in plan && plan.reason).toMatch(/may have reached the customer/);
    expect(MAX_UNCERTAIN_ATTEMPTS).toBe(2);
  });

  it('sends again where the platform drops a second copy (an idempotency key)', () => {
    const twice = { attempts: 2, sendingSince: new Date('2026-12-01T08:58:00Z'), uncertainAttempts: 1 };
    expect(beforeAttempt(twice, policy, true)).toEqual({ send: true, attempt: 3, uncertainAttempts: 2 });
  });

  it('gives up once the retries are spent', () => {
    expect(beforeAttempt({ attempts: 4, sendingSince: null, uncertainAttempts: 0 }, policy, false)).toEqual({
      send: false,
      reason: 'gave up after 4 attempts',
    });
  });

  it("waits what Telegram's retry_after says, then backs off exponentially", () => {
    expect(retryDelay(policy, 1, new DeliveryError('Telegram rate limit: retry after 7', true, 7_000))).toBe(7_000);
    const second = retryDelay(policy, 2, new DeliveryError('Bad Gateway', true)) ?? 0;
    expect(second).toBeGreaterThanOrEqual(1_600);
    expect(second).toBeLessThanOrEqual(2_400);
  });

  it('fails at once when the platform refuses for good (the customer blocked the bot)', () => {
    expect(afterFailure(policy, 1, new DeliveryError('Forbidden: bot was blocked by the user', false), now, 0, false)).toEqual({
      failed: 'Forbidden: bot was blocked by the user',
    });
  });

  it('retries an attempt the platform did not answer in time once, and fails the second such without sending again', () => {
    const timeout = new DeliveryError('Viber send_message: unreachable (The operation was aborted due to timeout)', true, undefined, true);
    const first = afterFailure(policy, 1, timeout, now, 0, false);
    expect(first).toMatchObject({ uncertain: true });
    const second = afterFailure(policy, 2, timeout, now, 1, false);
    expect(second).toEqual({ failed: `${timeout.message}; the reply may have reached the customer, so it is not sent again` });
  });
});
