import { z } from 'zod';
import { Channel } from '../../shared/channels';
import type { InboundMessage } from '../../shared/messages';

/** The body of POST /webhooks/api: a site form or a custom integration. */
export const apiMessageSchema = z.object({
  externalMessageId: z.string().trim().min(1).max(200),
  contact: z.object({
    externalId: z.string().trim().min(1).max(200),
    name: z.string().trim().min(1).max(200),
    email: z.email().optional(),
    phone: z.string().trim().min(3).max(40).optional(),
  }),
  text: z.string().trim().min(1).max(20_000),
  source: z.string().trim().min(1).max(100).optional(),
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
  };
}
