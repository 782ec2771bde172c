import { z } from 'zod';
import { Channel } from '../../shared/channels';
import type { Attachment, InboundContact, InboundEvent, InboundMessage, InboundReceipt } from '../../shared/messages';

/**
 * Instagram messaging webhooks (`object: "instagram"`, `entry[].messaging[]`) → normalized events. Pure: no I/O,
 * no clock. Every item is decoded on its own; what is not kept is named in `skipped`:
 * - echoes (`is_echo`: our own sends, from this gateway or the Instagram app) never become customer messages;
 * - reactions are acknowledged and not stored (the inbox has no place for them on a message);
 * - unsent messages (`is_deleted`) and unsupported content are acknowledged and not stored;
 * - `changes`-style entries (the App Dashboard "Test" button, comments, mentions) are not direct messages.
 */
export interface Decoded {
  events: InboundEvent[];
  skipped: string[];
}

/** Instagram sends milliseconds; the dashboard's test payload sends seconds as a string. */
const timestamp = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform((v) => {
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

const igMessaging = z.looseObject({
  sender: z.looseObject({ id: z.string().min(1) }),
  recipient: z.looseObject({ id: z.string().min(1) }),
  timestamp,
  message: z
    .looseObject({
      mid: z.string().min(1),
      text: z.string().optional(),
      attachments: z.array(igAttachment).optional(),
      is_echo: z.boolean().optional(),
      is_deleted: z.boolean().optional(),
      is_unsupported: z.boolean().optional(),
      reply_to: z
        .looseObject({
          mid: z.string().optional(),
          story: z.looseObject({ url: z.string().optional(), id: z.string().optional() }).optional(),
        })
        .optional(),
    })
    .optional(),
  read: z.looseObject({ mid: z.string().min(1) }).optional(),
  reaction: z
    .looseObject({
      mid: z.string().optional(),
      action: z.string().optional(),
      emoji: z.string().optional(),
      reaction: z.string().optional(),
    })
    .optional(),
  postback: z.looseObject({ mid: z.string().optional(), title: z.string().optional(), payload: z.string().optional() }).optional(),
});
type IgMessaging = z.infer<typeof igMessaging>;

const igEntry = z.looseObject({
  id: z.string().optional(),
  messaging: z.array(z.unknown()).optional(),
  standby: z.array(z.unknown()).optional(),
  changes: z.array(z.looseObject({ field: z.string().optional() })).optional(),
});
const igCallback = z.looseObject({ object: z.string().optional(), entry: z.array(z.unknown()).optional() });

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

function itemEvent(item: unknown, accountId: string | undefined): InboundMessage | InboundReceipt | string {
  const parsed = igMessaging.safeParse(item);
  if (!parsed.success)
    return `messaging item that does not parse (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`;
  const m: IgMessaging = parsed.data;
  const raw = JSON.stringify(item);
  if (m.message) {
    const { mid } = m.message;
    if (m.message.is_echo || (accountId && m.sender.id === accountId)) return `echo of our own message ${mid}`;
    if (m.message.is_deleted) return `the customer unsent message ${mid}`;
    if (m.message.is_unsupported) return `message ${mid} with content Instagram does not pass to apps`;
    const attachments = (m.message.attachments ?? []).map(attachmentOf);
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
    };
  }
  if (m.read) return { kind: 'receipt', channel: Channel.Instagram, externalId: m.read.mid, status: 'read', at: m.timestamp };
  if (m.reaction) {
    return `reaction ${m.reaction.emoji ?? m.reaction.reaction ?? ''} (${m.reaction.action ?? 'react'}) to ${m.reaction.mid ?? 'a message'}`;
  }
  if (m.postback) {
    // An ice-breaker or button the customer tapped: its title is what they said.
    const { mid, title } = m.postback;
    if (!mid || !title) return 'postback without a message id or title';
    return {
      kind: 'message',
      channel: Channel.Instagram,
      externalId: mid,
      contact: customer(m.sender.id),
      text: title,
      attachments: [],
      sentAt: m.timestamp,
      raw,
    };
  }
  const kinds = Object.keys(m).filter((k) => !['sender', 'recipient', 'timestamp'].includes(k));
  return `messaging event of kind ${kinds.join(', ') || 'empty'}`;
}

export function decodeInstagramCallback(body: unknown): Decoded {
  const events: InboundEvent[] = [];
  const skipped: string[] = [];
  const callback = igCallback.safeParse(body);
  if (!callback.success || callback.data.object !== 'instagram' || !callback.data.entry) {
    const object = callback.success ? (callback.data.object ?? 'unknown') : 'unknown';
    return { events, skipped: [`callback for object ${object}${callback.success && !callback.data.entry ? ' without entries' : ''}`] };
  }
  for (const rawEntry of callback.data.entry) {
    const entry = igEntry.safeParse(rawEntry);
    if (!entry.success) {
      skipped.push('entry that does not parse');
      continue;
    }
    // The App Dashboard's "Test" button sends made-up ids under entry id "0", in either shape.
    if (entry.data.id === '0') {
      skipped.push('dashboard test notification');
      continue;
    }
    for (const change of entry.data.changes ?? []) {
      skipped.push(`${change.field ?? 'unnamed'} change (a dashboard test, comment or mention; not a direct message)`);
    }
    // `standby`: the customer wrote while another app held the thread; their words are kept all the same.
    for (const item of [...(entry.data.messaging ?? []), ...(entry.data.standby ?? [])]) {
      const event = itemEvent(item, entry.data.id);
      if (typeof event === 'string') skipped.push(event);
      else events.push(event);
    }
  }
  return { events, skipped };
}
