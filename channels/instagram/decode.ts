import { z } from 'zod';
import { Channel } from '../../shared/channels';
import {
  type Attachment,
  choiceSchema,
  type InboundContact,
  type InboundEvent,
  type InboundMessage,
  type InboundReceipt,
  unsupportedContent,
} from '../../shared/messages';
import { idString, parseOrReject } from '../../shared/validation';

/**
 * Instagram messaging webhooks (`object: "instagram"`, `entry[].messaging[]`) → normalized events. Pure: no I/O,
 * no clock. The whole callback is checked first: one that cannot be an Instagram callback (no entries, an item
 * without a sender, recipient or time) is a BadInput and nothing of it is kept. What is not kept is named in
 * `skipped`:
 * - echoes (`is_echo`: our own sends, from this gateway or the Instagram app) never become customer messages;
 * - reactions are acknowledged and not stored (the inbox has no place for them on a message);
 * - unsent messages (`is_deleted`) are acknowledged and not stored;
 * - content Instagram does not pass to apps (`is_unsupported`) is kept as a placeholder, so a manager still sees
 *   that the customer wrote;
 * - `changes`-style entries (the App Dashboard "Test" button, comments, mentions) are not direct messages.
 */
export interface Decoded {
  events: InboundEvent[];
  skipped: string[];
}

/** Instagram sends milliseconds; the dashboard's test payload sends seconds as a string. */
const timestamp = z.union([z.number().int().nonnegative().max(9_999_999_999_999), z.string().regex(/^\d{1,13}$/)]).transform((v) => {
  const n = Number(v);
  return new Date(n < 1e12 ? n * 1000 : n);
});

const igAttachment = z.looseObject({
  type: z.string(),
  payload: z
    .looseObject({
      url: z.string().optional(),
      title: z.string().optional(),
      reel_video_id: z.string().optional(),
      ig_post_media_id: z.string().optional(),
    })
    .nullish(),
});
type IgAttachment = z.infer<typeof igAttachment>;

/** An Instagram-scoped id (digits in real traffic; kept to a plain token so it can never read as another value). */
const scopedId = z.looseObject({ id: idString(/^[\w.:-]{1,128}$/, 'an Instagram-scoped id') });
const mid = idString(/^[\w.=+/:-]{1,512}$/, 'an Instagram message id');

const igMessaging = z.looseObject({
  sender: scopedId,
  recipient: scopedId,
  timestamp,
  message: z
    .looseObject({
      mid,
      text: z.string().optional(),
      attachments: z.array(igAttachment).optional(),
      is_echo: z.boolean().optional(),
      is_deleted: z.boolean().optional(),
      is_unsupported: z.boolean().optional(),
      /** The customer tapped one of our quick replies: its payload, and the title as `text`. */
      quick_reply: z.looseObject({ payload: z.string() }).optional(),
      reply_to: z
        .looseObject({
          mid: z.string().optional(),
          story: z.looseObject({ url: z.string().optional(), id: z.string().optional() }).optional(),
        })
        .optional(),
    })
    .optional(),
  read: z.looseObject({ mid }).optional(),
  reaction: z
    .looseObject({
      mid: z.string().optional(),
      action: z.string().optional(),
      emoji: z.string().optional(),
      reaction: z.string().optional(),
    })
    .optional(),
  postback: z.looseObject({ mid: mid.optional(), title: z.string().optional(), payload: z.string().optional() }).optional(),
});
type IgMessaging = z.infer<typeof igMessaging>;

const igEntry = z.looseObject({
  id: z.string().optional(),
  messaging: z.array(igMessaging).optional(),
  standby: z.array(igMessaging).optional(),
  changes: z.array(z.looseObject({ field: z.string().optional() })).optional(),
});
const igCallback = z.looseObject({ object: z.string().min(1), entry: z.array(z.unknown()) });

/** A placeholder until the profile is looked up (the webhook carries only the Instagram-scoped id). */
export const placeholderName = (igsid: string): string => `Instagram user ${igsid}`;

function attachmentOf(a: IgAttachment): Attachment {
  const url = a.payload?.url;
  const title = a.payload?.title;
  const link = (name: string, platformId?: string): Attachment => ({
    kind: 'link',
    name,
    ...(url ? { url } : {}),
    ...(platformId ? { platformId } : {}),
  });
  switch (a.type) {
    case 'image':
    case 'video':
    case 'audio':
    case 'file':
      return { kind: a.type, ...(url ? { url } : {}) };
    case 'animated_image_share':
      return { kind: 'image', ...(url ? { url } : {}) };
    case 'share':
      return link(title ?? 'shared post');
    case 'ig_reel':
    case 'reel':
      return link(title ? `reel: ${title}` : 'reel', a.payload?.reel_video_id);
    case 'ig_post':
      return link(title ? `post: ${title}` : 'post', a.payload?.ig_post_media_id);
    case 'story_mention':
      return link('story mention');
    default:
      return { kind: 'other', name: a.type, ...(url ? { url } : {}) };
  }
}

function customer(igsid: string): InboundContact {
  return { externalId: igsid, name: placeholderName(igsid) };
}

/** A payload that can be one of our choice ids is the choice pressed; anything else was not offered by us. */
function choiceOf(payload: string | undefined): { choice?: string } {
  const choice = choiceSchema.shape.id.safeParse(payload);
  return choice.success ? { choice: choice.data } : {};
}

function itemEvent(m: IgMessaging, item: unknown, accountId: string | undefined): InboundMessage | InboundReceipt | string {
  const raw = JSON.stringify(item);
  if (m.message) {
    const { mid } = m.message;
    if (m.message.is_echo || (accountId && m.sender.id === accountId)) return `echo of our own message ${mid}`;
    if (m.message.is_deleted) return `the customer unsent message ${mid}`;
    const attachments = (m.message.attachments ?? []).map(attachmentOf);
    if (m.message.is_unsupported) attachments.push(unsupportedContent());
    const story = m.message.reply_to?.story;
    if (story) {
      attachments.push({
        kind: 'link',
        name: 'reply to story',
        ...(story.url ? { url: story.url } : {}),
        ...(story.id ? { platformId: story.id } : {}),
      });
    }
    const text = m.message.text ?? '';
    if (!text && attachments.length === 0) return `message ${mid} with nothing to keep`;
    return {
      kind: 'message',
      channel: Channel.Instagram,
      externalId: mid,
      contact: customer(m.sender.id),
      text,
      attachments,
      sentAt: m.timestamp,
      raw,
      ...choiceOf(m.message.quick_reply?.payload),
    };
  }
  if (m.read) return { kind: 'receipt', channel: Channel.Instagram, externalId: m.read.mid, status: 'read', at: m.timestamp };
  if (m.reaction) {
    return `reaction ${m.reaction.emoji ?? m.reaction.reaction ?? ''} (${m.reaction.action ?? 'react'}) to ${m.reaction.mid ?? 'a message'}`;
  }
  if (m.postback) {
    // An ice-breaker or button the customer tapped: its title is what they said. An ice breaker may come without a
    // mid; the tap is then known by who tapped, when (a redelivery carries both; one person taps once a millisecond).
    const { mid, title, payload } = m.postback;
    const label = title || payload;
    if (!label) return 'postback without a title or payload';
    return {
      kind: 'message',
      channel: Channel.Instagram,
      externalId: mid || `postback:${m.sender.id}:${m.timestamp.getTime()}`,
      contact: customer(m.sender.id),
      text: label,
      attachments: [],
      sentAt: m.timestamp,
      raw,
      ...choiceOf(payload),
    };
  }
  const kinds = Object.keys(m).filter((k) => !['sender', 'recipient', 'timestamp'].includes(k));
  return `messaging event of kind ${kinds.join(', ') || 'empty'}`;
}

export function decodeInstagramCallback(body: unknown): Decoded {
  const events: InboundEvent[] = [];
  const skipped: string[] = [];
  const callback = parseOrReject(igCallback, body, 'not an Instagram messaging callback');
  // Another product's callback (a Page's, WhatsApp's) sent here: well formed, just not ours to read.
  if (callback.object !== 'instagram') return { events, skipped: [`callback for object ${callback.object}`] };
  const entries = parseOrReject(z.array(igEntry), callback.entry, 'not an Instagram messaging callback (entry)');
  entries.forEach((entry, e) => {
    // The App Dashboard's "Test" button sends made-up ids under entry id "0", in either shape.
    if (entry.id === '0') {
      skipped.push('dashboard test notification');
      return;
    }
    for (const change of entry.changes ?? []) {
      skipped.push(`${change.field ?? 'unnamed'} change (a dashboard test, comment or mention; not a direct message)`);
    }
    const raw = callback.entry[e] as { messaging?: unknown[]; standby?: unknown[] };
    // `standby`: the customer wrote while another app held the thread; their words are kept all the same.
    const items = [
      ...(entry.messaging ?? []).map((m, i) => [m, raw.messaging?.[i]] as const),
      ...(entry.standby ?? []).map((m, i) => [m, raw.standby?.[i]] as const),
    ];
    for (const [item, rawItem] of items) {
      const event = itemEvent(item, rawItem, entry.id);
      if (typeof event === 'string') skipped.push(event);
      else events.push(event);
    }
  });
  return { events, skipped };
}
