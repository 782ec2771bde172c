import { z } from 'zod';
import { Channel } from '../../shared/channels';
import {
  type Attachment,
  choiceSchema,
  type InboundContact,
  type InboundEdit,
  type InboundEvent,
  type InboundMessage,
  type InboundReceipt,
  unsupportedContent,
} from '../../shared/messages';
import { idString, parseOrReject } from '../../shared/validation';
import { formFieldsText, orderText } from './content-text';

/**
 * WhatsApp Cloud API webhook payloads → normalized events. Pure: no I/O, no clock. The whole callback is checked
 * first: one that cannot be a Cloud API callback (no entries, a message without a sender, id or time) is a BadInput
 * and nothing of it is kept. A well-formed callback may carry many entries, changes, messages and statuses; what the
 * gateway does not keep (a reaction, a template status update, another number's traffic) is named in `skipped`.
 */
export interface Decoded {
  events: InboundEvent[];
  skipped: string[];
}

/** Unix seconds, as a string (Meta) or a number; bounded so it is always a real date. */
const unixSeconds = z
  .union([z.string().regex(/^\d{1,11}$/), z.number().int().nonnegative().max(99_999_999_999)])
  .transform((v) => new Date(Number(v) * 1000));

/** A wa_id: the customer's phone number in digits. */
const waId = z.string().regex(/^\d{1,20}$/, 'must be a WhatsApp id (digits)');
/** A wamid: base64 text after `wamid.`, though Meta's own examples use shorter made-up ids. */
const messageId = idString(/^[\w.=+/:-]{1,512}$/, 'a WhatsApp message id');

const media = z.looseObject({
  id: z.string().min(1),
  mime_type: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
});

/** What a message of each type says; the same shape nests inside an `edit`. */
const contentFields = {
  type: z.string().min(1).max(64),
  text: z.looseObject({ body: z.string() }).optional(),
  image: media.optional(),
  video: media.optional(),
  audio: media.optional(),
  document: media.optional(),
  sticker: media.optional(),
  /** The On-Premises API's voice note (the Cloud API sends `audio` with `voice: true`). */
  voice: media.optional(),
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
      /** A WhatsApp Flow the customer filled in and sent. */
      nfm_reply: z
        .looseObject({ name: z.string().optional(), body: z.string().optional(), response_json: z.string().optional() })
        .optional(),
    })
    .optional(),
  button: z.looseObject({ text: z.string(), payload: z.string().optional() }).optional(),
  /** A cart sent from the business's catalog. */
  order: z
    .looseObject({
      catalog_id: z.string().optional(),
      text: z.string().optional(),
      product_items: z.array(
        z.looseObject({
          product_retailer_id: z.string(),
          quantity: z.number().nonnegative(),
          item_price: z.number().nonnegative(),
          currency: z.string(),
        }),
      ),
    })
    .optional(),
  unsupported: z.looseObject({ type: z.string().optional() }).optional(),
  reaction: z.looseObject({ message_id: z.string().optional(), emoji: z.string().optional() }).optional(),
};

/** A type whose own object must be there: without it the message is not one WhatsApp sends. */
const requiredObject: Record<string, keyof typeof contentFields> = {
  text: 'text',
  image: 'image',
  video: 'video',
  audio: 'audio',
  document: 'document',
  sticker: 'sticker',
  voice: 'voice',
  location: 'location',
  contacts: 'contacts',
  interactive: 'interactive',
  button: 'button',
  order: 'order',
};

const requireOwnObject = (m: { type: string } & Record<string, unknown>, ctx: z.RefinementCtx) => {
  const key = requiredObject[m.type];
  if (key && m[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `a ${m.type} message carries "${key}"` });
};

const waContent = z.looseObject(contentFields).superRefine(requireOwnObject);
type WaContent = z.infer<typeof waContent>;

const waMessage = z
  .looseObject({
    ...contentFields,
    from: waId,
    id: messageId,
    timestamp: unixSeconds,
    /** A message in a WhatsApp group the business number belongs to (Groups API). */
    group_id: idString(/^[\w.@-]{1,128}$/, 'a group id').optional(),
    edit: z.looseObject({ original_message_id: messageId, message: waContent }).optional(),
  })
  .superRefine((m, ctx) => {
    requireOwnObject(m, ctx);
    if (m.type === 'edit' && !m.edit) ctx.addIssue({ code: 'custom', path: ['edit'], message: 'an edit carries "edit"' });
  });
type WaMessage = z.infer<typeof waMessage>;

const waStatus = z.looseObject({
  id: messageId,
  status: z.string().min(1),
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
  messages: z.array(waMessage).optional(),
  statuses: z.array(waStatus).optional(),
  errors: z.array(z.looseObject({ code: z.number().optional(), title: z.string().optional() })).optional(),
});
type WaValue = z.infer<typeof waValue>;

/** Only `messages` changes are read further; other fields (template updates, account alerts) are acknowledged. */
const waChange = z.looseObject({ field: z.string().min(1), value: z.unknown() }).transform((change, ctx) => {
  if (change.field !== 'messages') return { field: change.field, value: undefined };
  const value = waValue.safeParse(change.value);
  if (value.success) return { field: change.field, value: value.data };
  for (const issue of value.error.issues) ctx.addIssue({ ...issue, path: ['value', ...issue.path] } as z.core.$ZodRawIssue);
  return z.NEVER;
});
const waEntry = z.looseObject({ id: z.string().optional(), changes: z.array(waChange).optional() });
const waCallback = z.looseObject({ object: z.string().min(1), entry: z.array(waEntry) });

const receiptStatuses = ['sent', 'delivered', 'read', 'failed'] as const;
type ReceiptStatus = (typeof receiptStatuses)[number];
const isReceiptStatus = (s: string): s is ReceiptStatus => (receiptStatuses as readonly string[]).includes(s);

/** Not messages from the customer: acknowledged, never stored. */
const notCustomerMessages = new Set(['reaction', 'system', 'request_welcome', 'revoke', 'deleted']);

/** `choice`: the id of the reply button, list row or template quick reply the customer tapped, when it can be ours. */
type Content = { text: string; attachments: Attachment[]; choice?: string };

const pressed = (text: string, id: string | undefined): Content => {
  const choice = choiceSchema.shape.id.safeParse(id);
  return { text, attachments: [], ...(choice.success ? { choice: choice.data } : {}) };
};

function file(kind: Attachment['kind'], m: z.infer<typeof media>): Attachment {
  return {
    kind,
    platformId: m.id,
    ...(m.mime_type ? { mimeType: m.mime_type } : {}),
    ...(m.filename ? { name: m.filename } : {}),
  };
}

/** What the customer sent; every message that reaches here is kept, as a placeholder when it cannot be shown. */
function contentOf(m: WaContent): Content {
  switch (m.type) {
    case 'text':
      return { text: m.text?.body ?? '', attachments: [] };
    case 'image':
    case 'video':
    case 'sticker':
    case 'audio':
    case 'voice':
    case 'document': {
      const f = m[m.type];
      if (!f) return { text: '', attachments: [unsupportedContent(m.type)] };
      const kind: Attachment['kind'] =
        m.type === 'document' ? 'file' : m.type === 'voice' || (m.type === 'audio' && f.voice) ? 'voice' : m.type;
      return { text: f.caption ?? '', attachments: [file(kind, f)] };
    }
    case 'location': {
      if (!m.location) return { text: '', attachments: [unsupportedContent(m.type)] };
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
      return { text: '', attachments: cards.length > 0 ? cards : [unsupportedContent('contacts without a card')] };
    }
    case 'interactive': {
      // The customer tapped a reply button or picked from a list we sent: their choice reads as what they said.
      const choice = m.interactive?.button_reply ?? m.interactive?.list_reply;
      if (choice) return pressed(choice.title, choice.id);
      const form = m.interactive?.nfm_reply;
      if (form) return { text: formFieldsText(form), attachments: [] };
      return { text: '', attachments: [unsupportedContent(`interactive ${m.interactive?.type ?? ''}`.trim())] };
    }
    case 'button':
      // A quick-reply button of a template: its payload is what the template's sender set for it.
      return pressed(m.button?.text ?? '', m.button?.payload);
    case 'order':
      return m.order ? { text: orderText(m.order), attachments: [] } : { text: '', attachments: [unsupportedContent('order')] };
    case 'unsupported':
      // WhatsApp could not pass the message on (a poll, a view-once message, …); any text that came with it is kept.
      return { text: m.text?.body ?? '', attachments: [unsupportedContent(m.unsupported?.type)] };
    default:
      return { text: m.text?.body ?? '', attachments: [unsupportedContent(m.type)] };
  }
}

function contactOf(from: string, profiles: readonly WaProfile[]): InboundContact {
  const profile = profiles.find((p) => p.wa_id === from) ?? (profiles.length === 1 ? profiles[0] : undefined);
  const name = profile?.profile?.name?.trim();
  return { externalId: from, name: name || `+${from}`, phone: `+${from}` };
}

/** The contact a group's messages are filed under; replies to it go to the group, never to one member privately. */
export const groupContactId = (groupId: string): string => `group:${groupId}`;
export const groupIdOf = (contactId: string): string | undefined =>
  contactId.startsWith('group:') ? contactId.slice('group:'.length) : undefined;

function messageEvent(m: WaMessage, raw: unknown, value: WaValue): InboundMessage | InboundEdit | string {
  if (notCustomerMessages.has(m.type)) {
    return m.type === 'reaction'
      ? `reaction ${m.reaction?.emoji || '(removed)'} to ${m.reaction?.message_id ?? 'a message'}`
      : `${m.type} notification ${m.id}`;
  }
  const profiles = value.contacts ?? [];
  const profile = profiles.find((p) => p.wa_id === m.from);
  const sender = contactOf(m.from, profiles);
  const common = {
    channel: Channel.WhatsApp,
    raw: JSON.stringify({ metadata: value.metadata, contacts: profile ? [profile] : value.contacts, message: raw }),
  };
  if (m.type === 'edit' && m.edit) {
    const { text, attachments } = contentOf(m.edit.message);
    return { kind: 'edit', ...common, externalId: m.edit.original_message_id, contact: sender, text, attachments, editedAt: m.timestamp };
  }
  const content = contentOf(m);
  if (m.group_id) {
    // Filed as the group's conversation, each message saying who in the group wrote it.
    const contact: InboundContact = { externalId: groupContactId(m.group_id), name: `WhatsApp group ${m.group_id}` };
    const text = `${sender.name}: ${content.text}`.trimEnd();
    return {
      kind: 'message',
      ...common,
      externalId: m.id,
      contact,
      text,
      attachments: content.attachments,
      sentAt: m.timestamp,
      ...(content.choice ? { choice: content.choice } : {}),
    };
  }
  return { kind: 'message', ...common, externalId: m.id, contact: sender, ...content, sentAt: m.timestamp };
}

function failureOf(s: WaStatus): string {
  const e = s.errors?.[0];
  if (!e) return 'WhatsApp reported the message as failed';
  const title = e.title ?? e.message ?? 'failed';
  const details = e.error_data?.details;
  return `${title}${e.code === undefined ? '' : ` (${e.code})`}${details && details !== title ? `: ${details}` : ''}`;
}

function receiptEvent(s: WaStatus): InboundReceipt | string {
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

type RawValue = { messages?: unknown[] };

export function decodeWhatsAppCallback(body: unknown, options: DecodeOptions): Decoded {
  const callback = parseOrReject(waCallback, body, 'not a WhatsApp Cloud API callback');
  const messages: (InboundMessage | InboundEdit)[] = [];
  const receipts: InboundReceipt[] = [];
  const skipped: string[] = [];
  if (callback.object !== 'whatsapp_business_account') return { events: [], skipped: [`callback for object ${callback.object}`] };
  const rawEntries = (body as { entry: { changes?: { value?: RawValue }[] }[] }).entry;
  callback.entry.forEach((entry, e) => {
    (entry.changes ?? []).forEach((change, c) => {
      if (change.field !== 'messages') {
        skipped.push(`change of field ${change.field}`);
        return;
      }
      const value = change.value;
      if (!value) return;
      const phoneNumberId = value.metadata?.phone_number_id;
      if (phoneNumberId && phoneNumberId !== options.phoneNumberId) {
        skipped.push(`messages for phone number id ${phoneNumberId}, not ours`);
        return;
      }
      const rawMessages = rawEntries[e]?.changes?.[c]?.value?.messages ?? [];
      (value.messages ?? []).forEach((m, i) => {
        const event = messageEvent(m, rawMessages[i], value);
        if (typeof event === 'string') skipped.push(event);
        else messages.push(event);
      });
      for (const status of value.statuses ?? []) {
        const event = receiptEvent(status);
        if (typeof event === 'string') skipped.push(event);
        else receipts.push(event);
      }
      for (const error of value.errors ?? []) skipped.push(`error notification ${error.code ?? ''} ${error.title ?? ''}`.trim());
    });
  });
  // Statuses may come in any order, even within one callback: apply the older first. (The inbox also refuses to
  // move a message back, e.g. from read to delivered, whatever the order.)
  receipts.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { events: [...messages, ...receipts], skipped };
}
