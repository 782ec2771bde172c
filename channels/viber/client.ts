import JSONbig from 'json-bigint';
import type { ViberKeyboard } from './keyboard';

/**
 * Viber's JSON: 64-bit integers (`message_token`) are kept as exact decimal strings instead of being rounded to
 * the nearest double, which is what plain JSON.parse (and viber-bot's needle client) do.
 */
export const viberJson = JSONbig({ storeAsString: true });

/** `5741311803571721087` or `1478683725125` → the same digits as a string; anything else → undefined. */
export function tokenString(value: unknown): string | undefined {
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}

/** Viber answered, and said no: a non-zero `status` (creators.viber.com/docs/bots-api/errors). */
export class ViberApiError extends Error {
  constructor(
    readonly endpoint: string,
    readonly status: number,
    readonly statusMessage: string,
  ) {
    super(`Viber ${endpoint} failed with status ${status}: ${statusMessage}`);
    this.name = 'ViberApiError';
  }
}

/** The call itself failed: no connection, a timeout, an HTTP error status or a body that is not Viber's JSON. */
export class ViberHttpError extends Error {
  constructor(
    readonly endpoint: string,
    message: string,
    readonly httpStatus?: number,
    /** No answer in time: Viber may have taken the request. */
    readonly timedOut = false,
  ) {
    super(`Viber ${endpoint}: ${message}`);
    this.name = 'ViberHttpError';
  }
}

export interface ViberResponse {
  status: number;
  status_message?: string;
  [key: string]: unknown;
}

export interface SendTextRequest {
  receiver: string;
  senderName: string;
  text: string;
  /** Buttons shown under the message in place of the customer's keyboard (keyboard.ts). */
  keyboard?: ViberKeyboard;
}

export const WEBHOOK_EVENT_TYPES = ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'] as const;

/**
 * A small client for the Viber REST bot API over fetch, with a configurable base URL (viber-bot hard-codes
 * https://chatapi.viber.com/pa) and responses parsed by json-bigint, so the `message_token` a send returns is the
 * exact token later `delivered`/`seen`/`failed` callbacks carry.
 */
export class ViberClient {
  constructor(
    private readonly apiUrl: string,
    private readonly authToken: string,
    private readonly timeoutMs = 10_000,
  ) {}

  /** POST `${apiUrl}/${endpoint}`; resolves with the parsed answer when `status` is 0. */
  async call(endpoint: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<ViberResponse> {
    let response: Response;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    try {
      response = await fetch(`${this.apiUrl}/${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-viber-auth-token': this.authToken },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (e) {
      const timedOut = e instanceof Error && e.name === 'TimeoutError';
      throw new ViberHttpError(endpoint, `unreachable (${e instanceof Error ? e.message : String(e)})`, undefined, timedOut);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw new ViberHttpError(endpoint, `HTTP ${response.status}`, response.status);
    let parsed: unknown;
    try {
      parsed = viberJson.parse(text);
    } catch {
      throw new ViberHttpError(endpoint, 'answered with something that is not JSON', response.status);
    }
    const status = (parsed as { status?: unknown } | null)?.status;
    if (typeof status !== 'number') throw new ViberHttpError(endpoint, 'answered without a status', response.status);
    const answer = parsed as ViberResponse;
    if (status !== 0) throw new ViberApiError(endpoint, status, String(answer.status_message ?? 'unknown error'));
    return answer;
  }

  /** Sends a text; resolves with the message_token Viber assigned, exactly. */
  async sendText(request: SendTextRequest): Promise<string> {
    const answer = await this.call('send_message', {
      receiver: request.receiver,
      min_api_version: 1,
      sender: { name: request.senderName },
      type: 'text',
      text: request.text,
      ...(request.keyboard ? { keyboard: request.keyboard } : {}),
    });
    const token = tokenString(answer.message_token);
    if (!token) throw new ViberHttpError('send_message', 'answered status 0 without a message_token');
    return token;
  }

  /** Points the bot's callbacks at `url`; Viber checks the URL (an `event: webhook` callback) before answering. */
  async setWebhook(url: string, signal?: AbortSignal): Promise<ViberResponse> {
    return this.call('set_webhook', { url, event_types: [...WEBHOOK_EVENT_TYPES], send_name: true, send_photo: false }, signal);
  }
}
