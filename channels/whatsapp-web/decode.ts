import { z } from 'zod';
import { Channel } from '../../shared/channels';
import {
  type Attachment,
  type InboundContact,
  type InboundEdit,
  type InboundMessage,
  type InboundReceipt,
  unsupportedContent,
} from '../../shared/messages';
import { MessageAck, type WaMessage } from './client';

/**
 * whatsapp-web.js events → normalized events. Pure: no I/O, no clock (the caller passes the time). Each function
 * returns the event, or a string naming why the item is not kept (a group, a status update, a deleted message, …).
 */

/** What kind of chat a wid names. Only people's chats are the inbox's. */
export function chatKindOf(wid: string): 'person' | 'group' | 'status' | 'broadcast' | 'newsletter' | 'other' {
  if (wid === 'status@broadcast') return 'status';
  if (wid.endsWith('@c.us') || wid.endsWith('@lid')) return 'person';
  if (wid.endsWith('@g.us')) return 'group';
  if (wid.endsWith('@broadcast')) return 'broadcast';
  if (wid.endsWith('@newsletter')) return 'newsletter';
  return 'other';
}

/** The wid replies go to: stored contact ids are full wids; a bare number (typed by hand) means `<number>@c.us`. */
export const chatIdFor = (contactId: string): string => (contactId.includes('@') ? contactId : `${contactId}@c.us`);

const messageShape = z.looseObject({
  id: z.looseObject({ fromMe: z.boolean(), remote: z.string().optional(), _serialized: z.string().min(1) }),
  from: z.string().min(1),
  type: z.string().min(1),
  timestamp: z.number().nonnegative(),
  body: z.string().optional(),
});

/** Why a received message is not the inbox's, or null when it is. */
export function notOurs(m: WaMessage): string | null {
  const parsed = messageShape.safeParse(m);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `message that does not parse (${issue?.path.join('.')}: ${issue?.message})`;
  }
  if (m.id.fromMe || m.fromMe) return 'message sent from this account';
  if (m.isStatus) return 'status update';
  const kind = chatKindOf(m.from);
  if (kind !== 'person') return `message in a ${kind} chat (${m.from})`;
  if (m.author && m.author !== m.from) return `message by ${m.author} in a shared chat`;
  return null;
}

const unfold = (vcard: string): string[] => vcard.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
const unescapeVCard = (v: string): string => v.replace(/\\([,;:\\])/g, '$1').replace(/\\n/gi, ' ');

/** The name and phone of a shared contact card (vCard 3.0 as WhatsApp writes it: `TEL;type=CELL;waid=380…:+380 …`). */
export function parseVCard(vcard: string): { name?: string; phone?: string } {
  let name: string | undefined;
  let structured: string | undefined;
  let phone: string | undefined;
  for (const line of unfold(vcard)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const [property = '', ...params] = line.slice(0, colon).split(';');
    const value = unescapeVCard(line.slice(colon + 1)).trim();
    const key = property.toUpperCase().replace(/^item\d+\./i, '');
    if (key === 'FN' && value) name ??= value;
    if (key === 'N' && value) {
      structured ??= value.split(';').slice(0, 2).reverse().filter(Boolean).join(' ').trim();
    }
    if (key === 'TEL' && !phone) {
      const waid = params.map((p) => /^waid=(\d+)$/i.exec(p)?.[1]).find(Boolean);
      phone = waid ? `+${waid}` : value.replace(/[^\d+]/g, '') || undefined;
    }
  }
  const best = name ?? (structured || undefined);
  return { ...(best ? { name: best } : {}), ...(phone ? { phone } : {}) };
}

const mediaKinds: Record<string, Attachment['kind']> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  ptt: 'voice',
  document: 'file',
  sticker: 'sticker',
};

/** Types whose `body` is what the customer chose or wrote: replies to our lists and buttons. */
const textLikeTypes = new Set(['chat', 'list_response', 'buttons_response', 'template_button_reply']);

type Content = { text: string; attachments: Attachment[] };

/** Content a customer sends that has no attachment kind here, by what a manager would call it; other types are the
 * app's own notices (encryption, revoked messages, group changes) and are not kept. */
const customerContentTypes: Record<string, string> = {
  poll_creation: 'poll',
  order: 'order',
  product: 'product',
  payment: 'payment',
  event_creation: 'event',
};

function contentOf(m: WaMessage): Content | string {
  const mediaKind = mediaKinds[m.type];
  if (mediaKind) {
    // A reference only: the message id is what `getMessageById(id).downloadMedia()` needs later.
    const attachment: Attachment = { kind: mediaKind, platformId: m.id._serialized };
    if (m._data?.mimetype) attachment.mimeType = m._data.mimetype;
    if (m._data?.filename) attachment.name = m._data.filename;
    if (typeof m._data?.size === 'number' && Number.isInteger(m._data.size) && m._data.size >= 0) attachment.size = m._data.size;
    return { text: m.body ?? '', attachments: [attachment] };
  }
  if (textLikeTypes.has(m.type)) return m.body ? { text: m.body, attachments: [] } : `${m.type} message without text`;
  if (m.type === 'location') {
    const latitude = Number(m.location?.latitude);
    const longitude = Number(m.location?.longitude);
    if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return 'location message without coordinates';
    const label = [m.location?.name, m.location?.address].filter(Boolean).join(', ') || m.location?.description?.replace(/\n/g, ', ');
    return { text: '', attachments: [{ kind: 'location', latitude, longitude, ...(label ? { name: label } : {}) }] };
  }
  if (m.type === 'vcard' || m.type === 'multi_vcard') {
    const cards = (m.vCards?.length ? m.vCards : m.type === 'vcard' && m.body ? [m.body] : []).map(
      (card): Attachment => ({
        kind: 'contact',
        ...parseVCard(card),
      }),
    );
    return cards.length > 0 ? { text: '', attachments: cards } : `${m.type} message without a card`;
  }
  const shownAs = customerContentTypes[m.type];
  // What the customer sent that the inbox cannot show still reaches a manager, with any text it carried.
  if (shownAs) return { text: m.body ?? '', attachments: [unsupportedContent(shownAs)] };
  return `message of type ${m.type}`;
}

/**
 * The customer: `contactId` is the chat's wid as the adapter settled it (a phone wid `380501234567@c.us` when one is
 * known, else the `@lid` wid), kept whole so replies go back to exactly that chat.
 */
export function contactOf(m: WaMessage, contactId: string): InboundContact {
  const phone = contactId.endsWith('@c.us') ? `+${contactId.slice(0, -'@c.us'.length)}` : undefined;
  const pushName = typeof m._data?.notifyName === 'string' ? m._data.notifyName.trim() : '';
  const name = pushName || phone || `WhatsApp ${contactId.split('@')[0]}`;
  return { externalId: contactId, name, ...(phone ? { phone } : {}) };
}

/** The message as JSON text: the fields worth keeping, not the raw model (whose `body` holds media thumbnails). */
export function rawOf(m: WaMessage): string {
  return JSON.stringify({
    id: m.id._serialized,
    from: m.from,
    to: m.to,
    type: m.type,
    timestamp: m.timestamp,
    body: m.hasMedia ? undefined : m.body,
    caption: m.hasMedia ? m.body : undefined,
    hasMedia: m.hasMedia,
    notifyName: m._data?.notifyName,
    mimetype: m._data?.mimetype,
    filename: m._data?.filename,
    size: m._data?.size,
    location: m.location,
    vCards: m.vCards?.length ? m.vCards : undefined,
    isForwarded: m.isForwarded || undefined,
  });
}

export function decodeMessage(m: WaMessage, contactId: string): InboundMessage | string {
  const reason = notOurs(m);
  if (reason) return reason;
  const content = contentOf(m);
  if (typeof content === 'string') return content;
  if (!content.text && content.attachments.length === 0) return 'message with no text or media we keep';
  return {
    kind: 'message',
    channel: Channel.WhatsApp,
    externalId: m.id._serialized,
    contact: contactOf(m, contactId),
    text: content.text,
    attachments: content.attachments,
    sentAt: new Date(m.timestamp * 1000),
    raw: rawOf(m),
  };
}

/** `message_edit (message, newBody, prevBody)`: the customer changed the text of a message we have. */
export function decodeEdit(m: WaMessage, newBody: string, contactId: string, now: Date): InboundEdit | string {
  const reason = notOurs(m);
  if (reason) return reason;
  if (!newBody) return 'edit without text';
  const content = contentOf(m);
  const attachments = typeof content === 'string' ? [] : content.attachments;
  return {
    kind: 'edit',
    channel: Channel.WhatsApp,
    externalId: m.id._serialized,
    contact: contactOf(m, contactId),
    text: newBody,
    attachments,
    editedAt: m.latestEditSenderTimestampMs ? new Date(m.latestEditSenderTimestampMs) : now,
    raw: rawOf({ ...m, body: newBody }),
  };
}

/**
 * `message_ack (message, ack)` on a message we sent → a receipt. DEVICE is `delivered`; READ and PLAYED (a voice
 * note listened to) are `read`; ERROR is `failed`. PENDING and SERVER are not kept: `sent` is already set by the
 * delivery once WhatsApp Web took the message, and a SERVER ack racing that write could only muddle it.
 */
export function decodeAck(m: WaMessage, ack: number, at: Date): InboundReceipt | string {
  if (!m?.id?._serialized) return 'ack without a message id';
  if (!m.id.fromMe) return `ack ${ack} on a message we did not send`;
  const base = { kind: 'receipt' as const, channel: Channel.WhatsApp, externalId: m.id._serialized, at };
  switch (ack) {
    case MessageAck.Error:
      return { ...base, status: 'failed', error: 'WhatsApp could not send the message (ack error)' };
    case MessageAck.Device:
      return { ...base, status: 'delivered' };
    case MessageAck.Read:
    case MessageAck.Played:
      return { ...base, status: 'read' };
    case MessageAck.Pending:
      return 'pending ack';
    case MessageAck.Server:
      return 'server ack (the message is already marked sent)';
    default:
      return `unknown ack ${ack}`;
  }
}
