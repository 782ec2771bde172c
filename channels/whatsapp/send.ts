import type Bottleneck from 'bottleneck';
import { z } from 'zod';
import { type ChannelSender, type Choice, DeliveryError, type OutboundText, type SendResult, type Template } from '../../shared/messages';
import { languageOf, shorten, withNumberedChoices } from '../choices';
import { GraphApiError, type GraphClient, GraphUnreachableError } from '../meta/graph';
import { groupIdOf } from './decode';

/** A group's conversation is answered in the group (Groups API: `recipient_type: group`), a customer's privately. */
function recipient(to: string) {
  const groupId = groupIdOf(to);
  return groupId ? { recipient_type: 'group', to: groupId } : { recipient_type: 'individual', to };
}

/** `POST /<PHONE_NUMBER_ID>/messages` bodies, as the Cloud API documents them. */
export function textBody(to: string, text: string) {
  return { messaging_product: 'whatsapp', ...recipient(to), type: 'text', text: { preview_url: false, body: text } };
}

export function templateBody(to: string, template: Template) {
  return {
    messaging_product: 'whatsapp',
    ...recipient(to),
    type: 'template',
    template: {
      name: template.name,
      language: { policy: 'deterministic', code: template.language },
      ...(template.params.length > 0
        ? { components: [{ type: 'body', parameters: template.params.map((text) => ({ type: 'text', text })) }] }
        : {}),
    },
  };
}

/**
 * The Cloud API's limits for interactive messages (developers.facebook.com/docs/whatsapp/cloud-api/messages/
 * interactive-reply-buttons-messages and …/interactive-list-messages); the body is held to the buttons' 1024.
 */
export const interactiveLimits = {
  buttons: 3,
  buttonTitle: 20,
  rows: 10,
  rowTitle: 24,
  rowDescription: 72,
  listButton: 20,
  body: 1024,
} as const;

/** The list's button, which opens the rows: in the message's language. */
const listButtonLabel = { uk: 'Обрати', en: 'Choose' } as const;

/** Up to 3 choices as reply buttons: each a tap that answers with its id and title. */
export function replyButtonsBody(to: string, text: string, choices: readonly Choice[]) {
  return {
    messaging_product: 'whatsapp',
    ...recipient(to),
    type: 'interactive',
    interactive: {
      type: 'button',
      body: { text },
      action: {
        buttons: choices.map((c) => ({ type: 'reply', reply: { id: c.id, title: shorten(c.title, interactiveLimits.buttonTitle) } })),
      },
    },
  };
}

/** 4 to 10 choices as a list: one button opens one section of rows, each with its second line when there is one. */
export function listBody(to: string, text: string, choices: readonly Choice[]) {
  return {
    messaging_product: 'whatsapp',
    ...recipient(to),
    type: 'interactive',
    interactive: {
      type: 'list',
      body: { text },
      action: {
        button: listButtonLabel[languageOf(text)],
        sections: [
          {
            rows: choices.map((c) => ({
              id: c.id,
              title: shorten(c.title, interactiveLimits.rowTitle),
              ...(c.description ? { description: shorten(c.description, interactiveLimits.rowDescription) } : {}),
            })),
          },
        ],
      },
    },
  };
}

/**
 * What a free-text reply becomes: reply buttons for 1–3 choices, a list for 4–10 (or for buttons whose cut titles
 * would repeat), and numbered lines under the text for more (or for rows whose cut titles would repeat, a text longer
 * than an interactive message's body may be, or none at all).
 */
export function replyBody(to: string, text: string, choices: readonly Choice[] = []) {
  const fits = text.trim() !== '' && Array.from(text).length <= interactiveLimits.body;
  if (choices.length === 0) return textBody(to, text);
  // WhatsApp refuses buttons whose titles repeat, and rows that read the same leave the customer guessing: cutting
  // long titles to the limit can make them do either, so the next form is taken then.
  const distinctAt = (max: number) => new Set(choices.map((c) => shorten(c.title, max))).size === choices.length;
  if (fits && choices.length <= interactiveLimits.buttons && distinctAt(interactiveLimits.buttonTitle)) {
    return replyButtonsBody(to, text, choices);
  }
  if (fits && choices.length <= interactiveLimits.rows && distinctAt(interactiveLimits.rowTitle)) return listBody(to, text, choices);
  return textBody(to, withNumberedChoices(text, choices));
}

const sendResponse = z.looseObject({ messages: z.array(z.looseObject({ id: z.string().min(1) })).min(1) });

/** About one message per 6 s may go to the same customer (bursts allowed); beyond that Meta answers 131056. */
const PAIR_RATE_RETRY_MS = 6_000;
/** Throughput (130429), account (80007, 4) and spam (131048) rate limits: the same message may pass later. */
const rateLimitCodes = new Set([4, 80007, 130429, 131048]);
/** Meta's own "try again later" codes: unknown/service errors, service unavailable, server temporarily unavailable. */
const transientCodes = new Set([1, 2, 131000, 131016, 133004]);
/** Why retrying cannot help, in words for the manager who sees the failed message. */
const permanentReasons = new Map<number, string>([
  [131047, "more than 24 hours passed since the customer's last message: only an approved template can reach them now"],
  [131026, 'the message cannot be delivered to this customer (not on WhatsApp, or an outdated app)'],
  [131030, 'the recipient is not in the allowed list of this test number'],
  [131051, 'WhatsApp does not support this message type'],
  [132000, 'the template parameters do not match the approved template'],
  [132001, 'the template does not exist in this language or is not approved'],
  [100, 'WhatsApp rejected the request as invalid'],
  [190, 'the access token expired or was revoked: renew WHATSAPP_TOKEN'],
  [10, 'the app lacks the whatsapp_business_messaging permission for this number'],
  [200, 'the app lacks the whatsapp_business_messaging permission for this number'],
]);

/** Meta's answer becomes a DeliveryError the queue understands: retry (maybe after a delay) or give up now. */
export function toDeliveryError(e: unknown): DeliveryError {
  if (e instanceof GraphUnreachableError) return new DeliveryError(`WhatsApp Cloud API unreachable: ${e.message}`, true);
  if (!(e instanceof GraphApiError)) return new DeliveryError(e instanceof Error ? e.message : String(e), true);
  const code = e.code;
  if (code === 131056) return new DeliveryError(`WhatsApp pair rate limit: ${e.message}`, true, e.retryAfterMs ?? PAIR_RATE_RETRY_MS);
  if ((code !== undefined && rateLimitCodes.has(code)) || e.status === 429) {
    return new DeliveryError(`WhatsApp rate limit: ${e.message}`, true, e.retryAfterMs);
  }
  const reason = code === undefined ? undefined : permanentReasons.get(code);
  if (reason) return new DeliveryError(`WhatsApp refused the message: ${reason} (${e.message})`, false);
  if ((code !== undefined && transientCodes.has(code)) || e.transient || e.status >= 500) {
    return new DeliveryError(`WhatsApp error, will retry: ${e.message}`, true, e.retryAfterMs);
  }
  return new DeliveryError(`WhatsApp refused the message: ${e.message}`, false);
}

/** Replies through the Cloud API, spaced to the number's throughput; the wamid returned is the message's externalId. */
export class WhatsAppCloudSender implements ChannelSender {
  constructor(
    private readonly graph: GraphClient,
    private readonly phoneNumberId: string,
    private readonly limiter: Bottleneck,
  ) {}

  async send(message: OutboundText): Promise<SendResult> {
    const body = message.template ? templateBody(message.to, message.template) : replyBody(message.to, message.text, message.choices);
    let response: unknown;
    try {
      response = await this.limiter.schedule(() => this.graph.post<unknown>(`${this.phoneNumberId}/messages`, body));
    } catch (e) {
      throw toDeliveryError(e);
    }
    const parsed = sendResponse.safeParse(response);
    // Accepted, but without the id we would match statuses on: the message is out, its receipts cannot be shown.
    return { externalId: parsed.success ? (parsed.data.messages[0]?.id ?? null) : null };
  }
}
