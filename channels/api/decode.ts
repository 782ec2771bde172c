import { z } from 'zod';
import { Channel } from '../../shared/channels';
import { choiceSchema, type InboundMessage } from '../../shared/messages';
import { isNotTextOfMissingValue } from '../../shared/validation';

/**
 * `+380 (67) 123-45-67` → `+380671234567`, so the same customer on a form and on WhatsApp has one phone to be found
 * by; anything that is not a number (a form's free text) stays as typed.
 */
function spelledPhone(typed: string): string {
  const compact = typed.replace(/[\s().-]/g, '');
  return /^\+?\d{5,20}$/.test(compact) ? compact : typed;
}

/** The body of POST /webhooks/api: a site form or a custom integration. */
/** An integration's own id: any text, but not what its code writes for a value it does not have. */
const integrationId = z.string().trim().min(1).max(200).refine(isNotTextOfMissingValue, 'must be an id, not the text of a missing value');

export const apiMessageSchema = z.object({
  externalMessageId: integrationId,
  contact: z.object({
    externalId: integrationId,
    name: z.string().trim().min(1).max(200),
    email: z.email().optional(),
    /** Kept as typed unless it reads as a number, which is spelled `+380671234567` like the messengers' phones. */
    phone: z.string().trim().min(3).max(40).transform(spelledPhone).optional(),
  }),
  text: z.string().trim().min(1).max(20_000),
  source: z.string().trim().min(1).max(100).optional(),
  /** The id of one of the `choices` a reply offered, when the integration drew them as buttons and one was pressed. */
  choice: choiceSchema.shape.id.optional(),
});
export type ApiMessage = z.infer<typeof apiMessageSchema>;

export function decodeApiMessage(body: ApiMessage, rawJson: string, receivedAt: Date): InboundMessage {
  return {
    kind: 'message',
    channel: Channel.Api,
    externalId: body.externalMessageId,
    contact: body.contact,
    text: body.text,
    attachments: [],
    sentAt: receivedAt,
    raw: rawJson,
    source: body.source ?? 'api',
    ...(body.choice ? { choice: body.choice } : {}),
  };
}
