import { z } from 'zod';
import { Channel } from '../../shared/channels';
import { AppError, ErrorCode } from '../../shared/errors';
import { type Attachment, type InboundContact, type InboundEvent, type InboundMessage, unsupportedContent } from '../../shared/messages';
import { idString, parseOrReject } from '../../shared/validation';
import { tokenString } from './client';
import { pressedChoice } from './keyboard';

/**
 * Viber callbacks → normalized events. Pure: no I/O, no clock. The body must come from `viberJson` (json-bigint
 * with storeAsString), so 64-bit tokens arrive as exact strings — and so does any number longer than 15
 * characters, a long latitude included, which is why numbers here also accept their string form.
 */
export type Decoded =
  | { kind: 'events'; events: InboundEvent[] }
  /** A user opened the chat; the bot may answer this one callback with a welcome message. */
  | { kind: 'conversation_started'; contact: InboundContact; subscribed: boolean; context?: string }
  /** Viber checking the URL right after set_webhook. */
  | { kind: 'webhook_check' }
  | { kind: 'unsupported'; reason: string };

const numberish = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/)
    .transform(Number),
]);

const token = z.unknown().transform((value, ctx) => {
  const text = tokenString(value);
  if (text === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a non-negative integer token' });
    return z.NEVER;
  }
  return text;
});

const envelopeSchema = z.looseObject({ event: z.string().min(1), timestamp: numberish });

/** Viber user ids are base64 tokens (`01234567890A=`): nothing that could read as another value. */
const userId = idString(/^[\w+/=.-]{1,128}$/, 'a Viber user id');

const userSchema = z.looseObject({
  id: userId,
  name: z.string().optional(),
  language: z.string().optional(),
  country: z.string().optional(),
  avatar: z.string().optional(),
});
type ViberUser = z.infer<typeof userSchema>;

const messageSchema = z.looseObject({
  message_token: token,
  sender: userSchema,
  message: z.looseObject({
    type: z.string().min(1),
    text: z.string().optional(),
    media: z.string().optional(),
    thumbnail: z.string().optional(),
    file_name: z.string().optional(),
    size: numberish.optional(),
    duration: numberish.optional(),
    sticker_id: z.union([z.number(), z.string()]).optional(),
    location: z.looseObject({ lat: numberish, lon: numberish }).optional(),
    contact: z.looseObject({ name: z.string().optional(), phone_number: z.string().optional() }).optional(),
  }),
});
type ViberMessage = z.infer<typeof messageSchema>['message'];

const receiptSchema = z.looseObject({ message_token: token, user_id: userId.optional(), desc: z.string().optional() });
const subscribedSchema = z.looseObject({ user: userSchema });
const unsubscribedSchema = z.looseObject({ user_id: userId });
const conversationStartedSchema = z.looseObject({
  user: userSchema,
  subscribed: z.boolean().optional(),
  context: z.string().optional(),
});

const parse = <T extends z.ZodType>(schema: T, body: unknown, event: string): z.infer<T> =>
  parseOrReject(schema, body, `not a Viber ${event} callback`);

function contactOf(user: ViberUser): InboundContact {
  const contact: InboundContact = { externalId: user.id, name: user.name?.trim() || `Viber user ${user.id.slice(0, 6)}` };
  if (user.language) contact.language = user.language;
  return contact;
}

/** A stand-in contact for callbacks that carry only the user id; the inbox never overwrites a real name with it. */
const anonymous = (id: string): InboundContact => ({ externalId: id, name: `Viber user ${id.slice(0, 6)}` });

const mimeByExtension: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  '3gp': 'video/3gpp',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  zip: 'application/zip',
};

/** Viber sends no MIME type; the file name's extension, when there is one we know, says it. */
function mimeOf(fileName: string | undefined): string | undefined {
  const extension = fileName?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  return extension ? mimeByExtension[extension] : undefined;
}

function media(kind: Attachment['kind'], m: ViberMessage): Attachment {
  const attachment: Attachment = { kind };
  if (m.media) attachment.url = m.media;
  if (m.file_name) attachment.name = m.file_name;
  const mimeType = mimeOf(m.file_name);
  if (mimeType) attachment.mimeType = mimeType;
  if (m.size !== undefined && Number.isSafeInteger(m.size) && m.size >= 0) attachment.size = m.size;
  return attachment;
}

/** The text and attachments of one message; a type the gateway cannot show is kept as a placeholder. */
function contentOf(m: ViberMessage): { text: string; attachments: Attachment[] } {
  const caption = m.text ?? '';
  switch (m.type) {
    case 'text':
      return { text: caption, attachments: [] };
    case 'picture':
      return { text: caption, attachments: [media('image', m)] };
    case 'video':
      return { text: caption, attachments: [media('video', m)] };
    case 'file':
      return { text: caption, attachments: [media('file', m)] };
    case 'sticker': {
      const sticker: Attachment = { kind: 'sticker' };
      if (m.sticker_id !== undefined) sticker.platformId = String(m.sticker_id);
      if (m.media) sticker.url = m.media;
      return { text: caption, attachments: [sticker] };
    }
    case 'location':
      return m.location
        ? { text: caption, attachments: [{ kind: 'location', latitude: m.location.lat, longitude: m.location.lon }] }
        : { text: caption, attachments: [unsupportedContent('location without coordinates')] };
    case 'contact': {
      if (!m.contact) return { text: caption, attachments: [unsupportedContent('contact without a card')] };
      const shared: Attachment = { kind: 'contact' };
      if (m.contact.name) shared.name = m.contact.name;
      if (m.contact.phone_number) shared.phone = m.contact.phone_number;
      return { text: caption, attachments: [shared] };
    }
    case 'url':
      // The customer sent a link: it is what they wrote, so it is the text too.
      return m.media ? { text: m.text || m.media, attachments: [{ kind: 'link', url: m.media }] } : { text: caption, attachments: [] };
    default:
      return { text: caption, attachments: [unsupportedContent(m.type)] };
  }
}

/**
 * One Viber callback → what it means for the inbox. Malformed callbacks (no event, a message without a sender)
 * are BadInput; events and message types we do not handle are named as unsupported so the webhook acknowledges
 * them (Viber would otherwise retry them for an hour).
 */
export function decodeViberCallback(body: unknown, rawJson: string): Decoded {
  const envelope = parse(envelopeSchema, body, 'webhook');
  const at = new Date(envelope.timestamp);
  if (Number.isNaN(at.getTime())) throw new AppError(ErrorCode.BadInput, 'Viber callback: timestamp is not a time');
  const { event } = envelope;

  switch (event) {
    case 'webhook':
      return { kind: 'webhook_check' };
    case 'message': {
      const callback = parse(messageSchema, body, event);
      const content = contentOf(callback.message);
      if (!content.text && content.attachments.length === 0) return { kind: 'unsupported', reason: 'message with no text' };
      const contact = contactOf(callback.sender);
      // A press of one of our keyboard's buttons arrives as a text message carrying the button's marked ActionBody.
      const pressed = callback.message.type === 'text' ? pressedChoice(content.text) : { text: content.text };
      const message: InboundMessage = {
        kind: 'message',
        channel: Channel.Viber,
        externalId: callback.message_token,
        contact,
        text: pressed.text,
        attachments: content.attachments,
        sentAt: at,
        raw: rawJson,
        ...(pressed.choice ? { choice: pressed.choice } : {}),
      };
      // Writing to the bot subscribes the user again without a `subscribed` callback (Viber REST API, "Important
      // notes"), so a customer who once unsubscribed can be answered again.
      return { kind: 'events', events: [{ kind: 'contact', channel: Channel.Viber, contact, reachable: true, at }, message] };
    }
    case 'subscribed': {
      const callback = parse(subscribedSchema, body, event);
      return {
        kind: 'events',
        events: [{ kind: 'contact', channel: Channel.Viber, contact: contactOf(callback.user), reachable: true, at }],
      };
    }
    case 'unsubscribed': {
      const callback = parse(unsubscribedSchema, body, event);
      return {
        kind: 'events',
        events: [{ kind: 'contact', channel: Channel.Viber, contact: anonymous(callback.user_id), reachable: false, at }],
      };
    }
    case 'delivered':
    case 'seen':
    case 'failed': {
      const callback = parse(receiptSchema, body, event);
      const status = event === 'delivered' ? 'delivered' : event === 'seen' ? 'read' : 'failed';
      return {
        kind: 'events',
        events: [
          {
            kind: 'receipt',
            channel: Channel.Viber,
            externalId: callback.message_token,
            status,
            at,
            ...(event === 'failed' ? { error: callback.desc?.trim() || 'Viber could not deliver the message' } : {}),
          },
        ],
      };
    }
    case 'conversation_started': {
      const callback = parse(conversationStartedSchema, body, event);
      return {
        kind: 'conversation_started',
        contact: contactOf(callback.user),
        subscribed: callback.subscribed === true,
        ...(callback.context ? { context: callback.context } : {}),
      };
    }
    default:
      return { kind: 'unsupported', reason: `event ${event}` };
  }
}
