import { setTimeout as sleep } from 'node:timers/promises';
import Bottleneck from 'bottleneck';
import { type ChannelSender, DeliveryError, type OutboundText, type SendResult } from '../../shared/messages';
import { textForButtons, withNumberedChoices } from '../choices';
import { ViberApiError, type ViberClient, ViberHttpError } from './client';
import { keyboardOf, MAX_BUTTONS } from './keyboard';
import type { ViberRateLimits } from './settings';

const HOUR = 3600_000;
/** How long to wait after Viber's "Too many requests" (status 12): its count runs per hour. */
const TOO_MANY_REQUESTS_WAIT_MS = 15 * 60_000;

/**
 * Viber status codes after which no retry can help (creators.viber.com/docs/bots-api/errors and the REST API's
 * error table): 1 invalid URL, 2 invalid auth token, 3 bad data, 4 missing data, 5 receiver not registered,
 * 6 receiver not subscribed, 7 account blocked, 8 account not found, 9 account suspended, 10 webhook not set,
 * 11 receiver has no suitable device, 13 API version not supported, 14 incompatible with version, 15 account not
 * authorized, 16 in-chat reply not allowed, 17 account not inline, 18 no public chat, 19 cannot send broadcast,
 * 20 broadcast not allowed, 21 unsupported country, 22 payment unsupported, 23 free messages exceeded,
 * 24 no balance. 12 is the rate limit; anything else is Viber's "general error" and worth another try.
 */
const permanentStatuses = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
/** Statuses that mean the user cannot receive anything from the bot until they write or subscribe again. */
export const unreachableStatuses = new Set([5, 6]);

/** Viber's words become a DeliveryError the queue understands: retry (maybe after a pause) or give up. */
export function toDeliveryError(e: unknown): DeliveryError {
  if (e instanceof DeliveryError) return e;
  if (e instanceof ViberApiError) {
    if (e.status === 12) return new DeliveryError(`Viber rate limit: ${e.statusMessage}`, true, TOO_MANY_REQUESTS_WAIT_MS);
    if (permanentStatuses.has(e.status)) return new DeliveryError(`Viber refused (${e.status}): ${e.statusMessage}`, false);
    return new DeliveryError(`Viber error ${e.status}: ${e.statusMessage}`, true);
  }
  if (e instanceof ViberHttpError) {
    const status = e.httpStatus;
    // A 4xx other than 429 means the request itself is wrong (a bad VIBER_API_URL, say): retrying cannot help.
    if (status !== undefined && status >= 400 && status < 500 && status !== 429) return new DeliveryError(e.message, false);
    return new DeliveryError(e.message, true, undefined, e.timedOut);
  }
  return new DeliveryError(e instanceof Error ? e.message : String(e), true);
}

/**
 * Viber's hourly allowance per user: 100 messages without a reply, counted again from zero once the user writes.
 * Kept per process; several gateway processes each count their own share, and Viber's status 12 still catches
 * the rest.
 */
class HourlyBudget {
  private readonly windows = new Map<string, { start: number; used: number }>();

  constructor(
    private readonly perHour: number,
    private readonly now: () => number,
  ) {}

  /** Takes one message from the user's allowance, or says how long until there is one again. */
  take(user: string): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this.now();
    let window = this.windows.get(user);
    if (!window || now - window.start >= HOUR) {
      window = { start: now, used: 0 };
      this.windows.set(user, window);
    }
    if (window.used >= this.perHour) return { ok: false, retryAfterMs: window.start + HOUR - now };
    window.used++;
    if (this.windows.size > 10_000) this.prune(now);
    return { ok: true };
  }

  /** Gives a message back (it was never sent). */
  refund(user: string): void {
    const window = this.windows.get(user);
    if (window && window.used > 0) window.used--;
  }

  /** Viber itself said the allowance is used up (other processes sent too): wait out this window. */
  exhaust(user: string): void {
    const window = this.windows.get(user);
    if (window) window.used = Math.max(window.used, this.perHour);
  }

  /** The user wrote to the bot: Viber starts counting again. */
  reset(user: string): void {
    this.windows.delete(user);
  }

  private prune(now: number): void {
    for (const [user, window] of this.windows) if (now - window.start >= HOUR) this.windows.delete(user);
  }
}

export interface ViberSenderOptions {
  botName: string;
  limits: ViberRateLimits;
  /** Told when Viber says the user cannot receive messages (not subscribed, not registered). */
  onUnreachable?: (user: string) => Promise<void>;
  now?: () => number;
}

/**
 * Replies through send_message, paced with Bottleneck: one message at a time per user (in order, the next one
 * `perUserMinTimeMs` after Viber answered the one before, so Viber itself sees them spaced however long each
 * request took to reach it), all users together under `globalPerSecond` and `globalConcurrency`, and never more than
 * Viber's hourly allowance per user; a message over the allowance goes back to the delivery queue with the time
 * it has to wait, rather than holding a queue worker for up to an hour.
 */
export class ViberSender implements ChannelSender {
  private readonly global: Bottleneck;
  private readonly perUser: Bottleneck.Group;
  private readonly budget: HourlyBudget;

  constructor(
    private readonly client: ViberClient,
    private readonly options: ViberSenderOptions,
  ) {
    const { limits } = options;
    this.global = new Bottleneck({
      maxConcurrent: limits.globalConcurrency,
      reservoir: limits.globalPerSecond,
      reservoirRefreshAmount: limits.globalPerSecond,
      reservoirRefreshInterval: 1000,
    });
    this.perUser = new Bottleneck.Group({ maxConcurrent: 1 });
    this.budget = new HourlyBudget(limits.perUserPerHour, options.now ?? Date.now);
  }

  async send(message: OutboundText): Promise<SendResult> {
    const receiver = message.to;
    const allowance = this.budget.take(receiver);
    if (!allowance.ok) {
      throw new DeliveryError(
        `Viber allows ${this.options.limits.perUserPerHour} messages an hour to a user who has not replied`,
        true,
        allowance.retryAfterMs,
      );
    }
    const choices = message.choices ?? [];
    const buttons = choices.length > 0 && choices.length <= MAX_BUTTONS;
    const request = {
      receiver,
      senderName: this.options.botName,
      text: buttons ? textForButtons(message.text, choices) : withNumberedChoices(message.text, choices),
      ...(buttons ? { keyboard: keyboardOf(choices) } : {}),
    };
    try {
      const token = await this.inTurn(receiver, () => this.global.schedule(() => this.client.sendText(request)));
      return { externalId: token };
    } catch (e) {
      if (e instanceof ViberApiError && e.status === 12) this.budget.exhaust(receiver);
      else this.budget.refund(receiver);
      if (e instanceof ViberApiError && unreachableStatuses.has(e.status) && this.options.onUnreachable) {
        await this.options.onUnreachable(receiver).catch(() => undefined);
      }
      throw toDeliveryError(e);
    }
  }

  /**
   * Runs the send in the user's turn and settles as soon as Viber answered, but keeps the turn a further
   * `perUserMinTimeMs`: Bottleneck's own minTime spaces the starts, and a first request slow to arrive would
   * then reach Viber only moments before the next.
   */
  private inTurn<T>(user: string, send: () => Promise<T>): Promise<T> {
    const pause = this.options.limits.perUserMinTimeMs;
    return new Promise<T>((resolve, reject) => {
      this.perUser
        .key(user)
        .schedule(async () => {
          await send().then(resolve, reject);
          if (pause > 0) await sleep(pause, undefined, { ref: false });
        })
        .catch(reject);
    });
  }

  /** The user wrote to the bot, which resets Viber's hourly count for them. */
  customerWrote(user: string): void {
    this.budget.reset(user);
  }
}
