import type Bottleneck from 'bottleneck';
import { z } from 'zod';
import { type ChannelSender, type Choice, DeliveryError, type OutboundText, type SendResult } from '../../shared/messages';
import { shorten, textForButtons, withNumberedChoices } from '../choices';
import { GraphApiError, type GraphClient, GraphUnreachableError } from '../meta/graph';
import { HUMAN_AGENT_WINDOW_MS, STANDARD_WINDOW_MS } from './capabilities';

/** Instagram takes text messages of under 1000 bytes of UTF-8; longer replies go out as several messages. */
export const MAX_TEXT_BYTES = 1000;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Splits text into parts of at most `maxBytes`, at a line break or space where there is one. */
export function splitText(text: string, maxBytes = MAX_TEXT_BYTES): string[] {
  const parts: string[] = [];
  let rest = text;
  while (bytes(rest) > maxBytes) {
    let end = 0;
    let size = 0;
    for (const ch of rest) {
      const n = bytes(ch);
      if (size + n > maxBytes) break;
      size += n;
      end += ch.length;
    }
    const head = rest.slice(0, end);
    const lastBreak = Math.max(head.lastIndexOf('\n'), head.lastIndexOf(' '));
    const cut = lastBreak > end / 2 ? lastBreak : end;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest || parts.length === 0) parts.push(rest);
  return parts;
}

export interface QuickReply {
  content_type: 'text';
  title: string;
  payload: string;
}

export interface InstagramRequest {
  recipient: { id: string };
  message: { text: string; quick_replies?: QuickReply[] };
  messaging_type?: 'MESSAGE_TAG';
  tag?: 'HUMAN_AGENT';
}

/** Instagram shows at most 13 quick replies, each title up to 20 characters (Messenger Platform, quick replies). */
export const quickReplyLimits = { count: 13, title: 20 } as const;

/** The choices as quick replies: chips above the customer's keyboard, gone once one is tapped or they write. */
export const quickRepliesOf = (choices: readonly Choice[]): QuickReply[] =>
  choices.map((c) => ({ content_type: 'text', title: shorten(c.title, quickReplyLimits.title), payload: c.id }));

/**
 * The Send API body. Within 24 h of the customer's last message a plain reply; from 24 h to 7 days only a person
 * may answer, marked with the HUMAN_AGENT tag (the app needs Meta's Human Agent permission for it).
 */
export function requestBody(
  to: string,
  text: string,
  sinceLastInboundMs: number | null,
  quickReplies: QuickReply[] = [],
): InstagramRequest {
  const tagged = sinceLastInboundMs !== null && sinceLastInboundMs > STANDARD_WINDOW_MS;
  return {
    recipient: { id: to },
    message: { text, ...(quickReplies.length > 0 ? { quick_replies: quickReplies } : {}) },
    ...(tagged ? { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' } : {}),
  };
}

const sendResponse = z.looseObject({ message_id: z.string().min(1) });

/** Rate limits: app (4), user (17), page (32), too many calls (613), Instagram business-use-case limit (80002). */
const rateLimitCodes = new Set([4, 17, 32, 613, 80002, 80006]);
const transientCodes = new Set([1, 2]);

function permanentReason(e: GraphApiError): string | undefined {
  if (e.code === 10 && e.subcode === 2018278) return 'the reply window is closed (24 h, or 7 days with the human-agent tag)';
  if (e.code === 551) return 'this person is not available right now (blocked the account or restricted messages)';
  if (e.code === 100 && e.subcode === 2018001) return 'no such Instagram user';
  if (e.code === 190) return 'the access token expired or was revoked: renew INSTAGRAM_ACCESS_TOKEN';
  if (e.code === 10 || e.code === 200 || e.code === 3)
    return 'the app lacks the messaging permission (or the Human Agent feature for late replies)';
  return undefined;
}

export function toDeliveryError(e: unknown): DeliveryError {
  if (e instanceof GraphUnreachableError) return new DeliveryError(`Instagram API unreachable: ${e.message}`, true);
  if (!(e instanceof GraphApiError)) return new DeliveryError(e instanceof Error ? e.message : String(e), true);
  if ((e.code !== undefined && rateLimitCodes.has(e.code)) || e.status === 429) {
    return new DeliveryError(`Instagram rate limit: ${e.message}`, true, e.retryAfterMs);
  }
  const reason = permanentReason(e);
  if (reason) return new DeliveryError(`Instagram refused the message: ${reason} (${e.message})`, false);
  if ((e.code !== undefined && transientCodes.has(e.code)) || e.transient || e.status >= 500) {
    return new DeliveryError(`Instagram error, will retry: ${e.message}`, true, e.retryAfterMs);
  }
  return new DeliveryError(`Instagram refused the message: ${e.message}`, false);
}

/**
 * Replies through the Instagram Send API. Decides the messaging type from the customer's last message; a long
 * reply goes out in parts, and a retry after a partial failure resumes after the parts already sent (in-process).
 */
export class InstagramSender implements ChannelSender {
  private readonly progress = new Map<string, { sent: number; lastId: string | null }>();

  constructor(
    private readonly graph: GraphClient,
    private readonly accountId: string,
    private readonly limiter: Bottleneck,
    private readonly now: () => Date,
  ) {}

  async send(message: OutboundText): Promise<SendResult> {
    if (message.template) throw new DeliveryError('Instagram has no message templates', false);
    const since = message.lastInboundAt ? this.now().getTime() - message.lastInboundAt.getTime() : null;
    if (since !== null && since > HUMAN_AGENT_WINDOW_MS) {
      throw new DeliveryError("Instagram allows no reply more than 7 days after the customer's last message", false);
    }
    // Up to 13 choices ride on the last part as quick replies; more are written out under the text.
    const choices = message.choices ?? [];
    const chipTitles = new Set(quickRepliesOf(choices).map((c) => c.title));
    // Chips that read the same once cut would leave the customer guessing which is which.
    const chips = choices.length > 0 && choices.length <= quickReplyLimits.count && chipTitles.size === choices.length;
    const parts = splitText(chips ? textForButtons(message.text, choices) : withNumberedChoices(message.text, choices));
    const done = this.progress.get(message.messageId) ?? { sent: 0, lastId: null };
    for (let i = done.sent; i < parts.length; i++) {
      const last = i === parts.length - 1;
      const body = requestBody(message.to, parts[i] ?? '', since, chips && last ? quickRepliesOf(choices) : []);
      let response: unknown;
      try {
        response = await this.limiter.schedule(() => this.graph.post<unknown>(`${this.accountId}/messages`, body));
      } catch (e) {
        const error = toDeliveryError(e);
        if (error.retryable && i > 0) this.progress.set(message.messageId, { sent: i, lastId: done.lastId });
        else this.progress.delete(message.messageId);
        throw error;
      }
      const parsed = sendResponse.safeParse(response);
      done.lastId = parsed.success ? parsed.data.message_id : null;
    }
    this.progress.delete(message.messageId);
    // The last part's id: Instagram reports reading by the latest message seen.
    return { externalId: done.lastId };
  }
}
