import type { Clock } from '../../inbox/ports';

/**
 * The lockout policy for sign-ins (README, Access). Counted per identity and client address together, so an attacker
 * guessing a manager's password from one address never locks that manager out at another.
 */
export interface LoginPolicy {
  /** Failures in a row before the first lock. */
  freeFailures: number;
  /** The first lock; each failure after a lock doubles it. */
  firstLockMs: number;
  maxLockMs: number;
  /** A quiet pair (no failure this long) starts from zero again. */
  forgetAfterMs: number;
}

export const loginPolicy: LoginPolicy = {
  freeFailures: 5,
  firstLockMs: 60_000,
  maxLockMs: 30 * 60_000,
  forgetAfterMs: 24 * 60 * 60_000,
};

interface Failures {
  count: number;
  lastAt: number;
  lockedUntil: number;
}

/** Beyond this many tracked pairs, quiet ones are swept on the next failure, so memory stays bounded. */
const SWEEP_ABOVE = 10_000;

/** Failed sign-ins in this process, with a lock that doubles per further failure. */
export class LoginThrottle {
  private readonly byPair = new Map<string, Failures>();

  constructor(
    private readonly clock: Clock,
    private readonly policy: LoginPolicy = loginPolicy,
  ) {}

  /** Milliseconds until this identity may try again from this address; 0 when it may now. */
  lockedFor(identity: string, address: string): number {
    const entry = this.current(identity, address);
    return entry ? Math.max(0, entry.lockedUntil - this.now()) : 0;
  }

  /** Records a wrong password; returns the lock it starts (0 while failures are still free). */
  failed(identity: string, address: string): number {
    if (this.byPair.size > SWEEP_ABOVE) this.sweep();
    const now = this.now();
    const entry = this.current(identity, address) ?? { count: 0, lastAt: now, lockedUntil: 0 };
    entry.count += 1;
    entry.lastAt = now;
    const over = entry.count - this.policy.freeFailures;
    const lock = over < 0 ? 0 : Math.min(this.policy.firstLockMs * 2 ** over, this.policy.maxLockMs);
    entry.lockedUntil = now + lock;
    this.byPair.set(pairKey(identity, address), entry);
    return lock;
  }

  succeeded(identity: string, address: string): void {
    this.byPair.delete(pairKey(identity, address));
  }

  /** Lifts every lock and count of one identity, from every address; returns how many addresses were locked. */
  unlock(identity: string): number {
    const prefix = pairKey(identity, '');
    let locked = 0;
    for (const [key, entry] of this.byPair) {
      if (!key.startsWith(prefix)) continue;
      if (entry.lockedUntil > this.now()) locked += 1;
      this.byPair.delete(key);
    }
    return locked;
  }

  private current(identity: string, address: string): Failures | undefined {
    const key = pairKey(identity, address);
    const entry = this.byPair.get(key);
    if (entry && this.now() - entry.lastAt > this.policy.forgetAfterMs && entry.lockedUntil <= this.now()) {
      this.byPair.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.byPair) {
      if (now - entry.lastAt > this.policy.forgetAfterMs && entry.lockedUntil <= now) this.byPair.delete(key);
    }
  }

  private now(): number {
    return this.clock().getTime();
  }
}

// NUL never occurs in an email address, so no identity's prefix is another's.
const pairKey = (identity: string, address: string) => `${identity}\u0000${address}`;
