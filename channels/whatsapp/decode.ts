import { z } from 'zod';
import { Channel } from '../../shared/channels';
import type { Attachment, InboundContact, InboundEvent, InboundMessage, InboundReceipt } from '../../shared/messages';

/**
 * WhatsApp Cloud API webhook payloads → normalized events. Pure: no I/O, no clock. A callback may carry many
 * entries, changes, messages and statuses; each item is decoded on its own, and one the gateway does not keep
 * (a reaction, a template status update, another number's traffic) is named in `skipped` instead of failing the rest.
 */
export interface Decoded {
  events: InboundEvent[];
  skipped: string[];
}

const unixSeconds = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform((v) => new Date(Number(v) * 1000));

const media = z.looseObject({
  id: z.string().min(1),
  mime_type: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
});

const waMessage = z.looseObject({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: unixSeconds,
  type: z.string(),
  text: z.looseObject({ body: z.string() }).optional(),
  image: media.optional(),
  video: media.optional(),
  audio: media.optional(),
  document: media.optional(),
  sticker: media.optional(),
  location: z
    .looseObject({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() })
    .optional(),
  contacts: z
    .array(
      z.looseObject({
        name: z.looseObject({ formatted_name: z.string().optional() }).optional(),
        phones: z.array(z.looseObject({ phone: z.string().optional(), wa_id: z.string().optional() })).optional(),
      }),
    )
    .optional(),
  interactive: z
    .looseObject({
      type: z.string(),
      button_reply: z.looseObject({ id: z.string(), title: z.string() }).optional(),
      list_reply: z.looseObject({ id: z.string(), title: z.string(), description: z.string().optional() }).optional(),
    })
    .optional(),
  button: z.looseObject({ text: z.string(), payload: z.string().optional() }).optional(),
  reaction: z.looseObject({ message_id: z.string().optional(), emoji: z.string().optional() }).optional(),
});
type WaMessage = z.infer<typeof waMessage>;

const waStatus = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  timestamp: unixSeconds,
  recipient_id: z.string().optional(),
  errors: z
    .array(
      z.looseObject({
        code: z.number().optional(),
        title: z.string().optional(),
        message: z.string().optional(),
        error_data: z.looseObject({ details: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});
type WaStatus = z.infer<typeof waStatus>;

const waProfile = z.looseObject({ wa_id: z.string().optional(), profile: z.looseObject({ name: z.string().optional() }).optional() });
type WaProfile = z.infer<typeof waProfile>;

const waValue = z.looseObject({
  metadata: z.looseObject({ display_phone_number: z.string().optional(), phone_number_id: z.string().optional() }).optional(),
  contacts: z.array(waProfile).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(z.looseObject({ code: z.number().optional(), title: z.string().optional() })).optional(),
});
type WaValue = z.infer<typeof waValue>;

const waChange = z.looseObject({ field: z.string(), value: z.unknown() });
const waEntry = z.looseObject({ id: z.string().optional(), changes: z.array(z.unknown()).optional() });
const waCallback = z.looseObject({ object: z.string().optional(), entry: z.array(z.unknown()).optional() });

const receiptStatuses = ['sent', 'delivered', 'read', 'failed'] as const;
type ReceiptStatus = (typeof receiptStatuses)[number];
const isReceiptStatus = (s: string): s is ReceiptStatus => (receiptStatuses as readonly string[]).includes(s);

type Content = { text: string; attachments: Attachment[] };

function file(kind: Attachment['kind'], m: z.infer<typeof media>): Attachment {
  return {
    kind,
    platformId: m.id,
    ...(m.mime_type ? { mimeType: m.mime_type } : {}),
    ...(m.filename ? { name: m.filename } : {}),
  };
}

/** What the customer sent, or why it is not kept. */
function contentOf(m: WaMessage): Content | string {
  switch (m.type) {
    case 'text':
      return m.text ? { text: m.text.body, attachments: [] } : 'text message without a body';
    case 'image':
    case 'video':
    case 'sticker':
    case 'audio':
    case 'document': {
      const f = m[m.type];
      if (!f) return `${m.type} message without its media object`;
      const kind: Attachment['kind'] = m.type === 'document' ? 'file' : m.type === 'audio' && f.voice ? 'voice' : m.type;
      return { text: f.caption ?? '', attachments: [file(kind, f)] };
    }
    case 'location': {
      if (!m.location) return 'location message without coordinates';
      const { latitude, longitude, name, address } = m.location;
      const label = [name, address].filter(Boolean).join(', ');
      return { text: '', attachments: [{ kind: 'location', latitude, longitude, ...(label ? { name: label } : {}) }] };
    }
    case 'contacts': {
      const cards = (m.contacts ?? []).map((c): Attachment => {
        const phone = c.phones?.find((p) => p.phone)?.phone;
        const name = c.name?.formatted_name;
        return { kind: 'contact', ...(name ? { name } : {}), ...(phone ? { phone } : {}) };
      });
      return cards.length > 0 ? { text: '', attachments: cards } : 'contacts message without contacts';
    }
    case 'interactive': {
      // The customer tapped a reply button or picked from a list we sent: their choice reads as what they said.
      const choice = m.interactive?.button_reply ?? m.interactive?.list_reply;
      return choice ? { text: choice.title, attachments: [] } : `interactive message of type ${m.interactive?.type ?? 'unknown'}`;
    }
    case 'button':
      // A quick-reply button of a template.
      return m.button ? { text: m.button.text, attachments: [] } : 'button message without text';
    case 'reaction':
      return `reaction ${m.reaction?.emoji ?? '(removed)'} to ${m.reaction?.message_id ?? 'a message'}`;
    default:
      return `message of type ${m.type}`;
  }
}

function contactOf(from: string, profiles: readonly WaProfile[]): InboundContact {
  const profile = profiles.find((p) => p.wa_id === from) ?? (profiles.length === 1 ? profiles[0] : undefined);
  const name = profile?.profile?.name?.trim();
  return { externalId: from, name: name || `+${from}`, phone: `+${from}` };
}

function messageEvent(item: unknown, value: WaValue): InboundMessage | string {
  const parsed = waMessage.safeParse(item);
  if (!parsed.success) return `message that does not parse (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`;
  const m = parsed.data;
  const content = contentOf(m);
  if (typeof content === 'string') return content;
  const profiles = value.contacts ?? [];
  const profile = profiles.find((p) => p.wa_id === m.from);
  return {
    kind: 'message',
    channel: Channel.WhatsApp,
    externalId: m.id,
    contact: contactOf(m.from, profiles),
    text: content.text,
    attachments: content.attachments,
    sentAt: m.timestamp,
    raw: JSON.stringify({ metadata: value.metadata, contacts: profile ? [profile] : value.contacts, message: item }),
  };
}

function failureOf(s: WaStatus): string {
  const e = s.errors?.[0];
  if (!e) return 'WhatsApp reported the message as failed';
  const title = e.title ?? e.message ?? 'failed';
  const details = e.error_data?.details;
  return `${title}${e.code === undefined ? '' : ` (${e.code})`}${details && details !== title ? `: ${details}` : ''}`;
}

function receiptEvent(item: unknown): InboundReceipt | string {
  const parsed = waStatus.safeParse(item);
  if (!parsed.success) return `status that does not parse (${parsed.error.issues[0]?.path.join('.')})`;
  const s = parsed.data;
  if (!isReceiptStatus(s.status)) return `status ${s.status} for ${s.id}`;
  return {
    kind: 'receipt',
    channel: Channel.WhatsApp,
    externalId: s.id,
    status: s.status,
    at: s.timestamp,
    ...(s.status === 'failed' ? { error: failureOf(s) } : {}),
  };
}

export interface DecodeOptions {
  /** Only this number's traffic is ours; a WhatsApp Business Account may have several numbers on one app. */
  phoneNumberId: string;
}

export function decodeWhatsAppCallback(body: unknown, options: DecodeOptions): Decoded {
  const messages: InboundMessage[] = [];
  const receipts: InboundReceipt[] = [];
  const skipped: string[] = [];
  const callback = waCallback.safeParse(body);
  if (!callback.success || callback.data.object !== 'whatsapp_business_account' || !callback.data.entry) {
    const object = callback.success ? (callback.data.object ?? 'unknown') : 'unknown';
    return { events: [], skipped: [`callback for object ${object}${callback.success && !callback.data.entry ? ' without entries' : ''}`] };
  }
  for (const rawEntry of callback.data.entry) {
    const entry = waEntry.safeParse(rawEntry);
    if (!entry.success) {
      skipped.push('entry that does not parse');
      continue;
    }
    for (const rawChange of entry.data.changes ?? []) {
      const change = waChange.safeParse(rawChange);
      if (!change.success) {
        skipped.push('change that does not parse');
        continue;
      }
      if (change.data.field !== 'messages') {
        skipped.push(`change of field ${change.data.field}`);
        continue;
      }
      const value = waValue.safeParse(change.data.value);
      if (!value.success) {
        skipped.push('messages change whose value does not parse');
        continue;
      }
      const phoneNumberId = value.data.metadata?.phone_number_id;
      if (phoneNumberId && phoneNumberId !== options.phoneNumberId) {
        skipped.push(`messages for phone number id ${phoneNumberId}, not ours`);
        continue;
      }
      for (const item of value.data.messages ?? []) {
        const event = messageEvent(item, value.data);
        if (typeof event === 'string') skipped.push(event);
        else messages.push(event);
      }
      for (const item of value.data.statuses ?? []) {
        const event = receiptEvent(item);
        if (typeof event === 'string') skipped.push(event);
        else receipts.push(event);
      }
      for (const error of value.data.errors ?? []) skipped.push(`error notification ${error.code ?? ''} ${error.title ?? ''}`.trim());
    }
  }
  // Statuses may come in any order, even within one callback: apply the older first. (The inbox also refuses to
  // move a message back, e.g. from read to delivered, whatever the order.)
  receipts.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { events: [...messages, ...receipts], skipped };
}
