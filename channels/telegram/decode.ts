import type { Message, Update, User } from '@grammyjs/types';
import { Channel } from '../../shared/channels';
import type { Attachment, InboundContact, InboundEvent } from '../../shared/messages';

export type Decoded = { events: InboundEvent[]; unsupported?: undefined } | { events: []; unsupported: string };

const unsupported = (reason: string): Decoded => ({ events: [], unsupported: reason });

function contactOf(user: User): InboundContact {
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ').trim() || user.username || `Telegram ${user.id}`;
  const contact: InboundContact = { externalId: String(user.id), name };
  if (user.username) contact.username = user.username;
  if (user.language_code) contact.language = user.language_code;
  return contact;
}

function attachmentsOf(m: Message): Attachment[] {
  if (m.photo && m.photo.length > 0) {
    const largest = m.photo[m.photo.length - 1];
    if (largest)
      return [
        { kind: 'image', platformId: largest.file_id, mimeType: 'image/jpeg', ...(largest.file_size ? { size: largest.file_size } : {}) },
      ];
  }
  const file = (
    kind: Attachment['kind'],
    f: { file_id: string; file_size?: number; mime_type?: string; file_name?: string },
  ): Attachment[] => [
    {
      kind,
      platformId: f.file_id,
      ...(f.mime_type ? { mimeType: f.mime_type } : {}),
      ...(f.file_name ? { name: f.file_name } : {}),
      ...(f.file_size ? { size: f.file_size } : {}),
    },
  ];
  if (m.document) return file('file', m.document);
  if (m.voice) return file('voice', m.voice);
  if (m.audio) return file('audio', m.audio);
  if (m.video) return file('video', m.video);
  if (m.video_note) return file('video', m.video_note);
  if (m.animation) return file('video', m.animation);
  if (m.sticker) return [{ kind: 'sticker', platformId: m.sticker.file_id, ...(m.sticker.emoji ? { name: m.sticker.emoji } : {}) }];
  if (m.location) return [{ kind: 'location', latitude: m.location.latitude, longitude: m.location.longitude }];
  if (m.contact) {
    const name = [m.contact.first_name, m.contact.last_name].filter(Boolean).join(' ');
    return [{ kind: 'contact', phone: m.contact.phone_number, name }];
  }
  return [];
}

/**
 * Telegram `Update` → normalized events. Pure: no I/O, no clock. Private chats only; anything else is named as
 * unsupported so the webhook can acknowledge it (Telegram would otherwise redeliver it forever).
 */
export function decodeTelegramUpdate(update: Update, rawJson: string): Decoded {
  const edited = update.edited_message;
  const message = update.message ?? edited;
  if (!message) {
    const kind = Object.keys(update).find((k) => k !== 'update_id') ?? 'empty';
    return unsupported(`update of type ${kind}`);
  }
  if (message.chat.type !== 'private') return unsupported(`message in a ${message.chat.type} chat`);
  if (!message.from || message.from.is_bot) return unsupported('message without a human sender');

  const attachments = attachmentsOf(message);
  const text = message.text ?? message.caption ?? '';
  if (!text && attachments.length === 0) return unsupported('message with no text or media we keep');

  const contact = contactOf(message.from);
  const externalId = `${message.chat.id}:${message.message_id}`;
  if (edited) {
    const editedAt = new Date((edited.edit_date ?? edited.date) * 1000);
    return { events: [{ kind: 'edit', channel: Channel.Telegram, externalId, contact, text, attachments, editedAt, raw: rawJson }] };
  }
  const start = /^\/start(?:@\w+)?(?:\s+(\S+))?/.exec(text);
  return {
    events: [
      {
        kind: 'message',
        channel: Channel.Telegram,
        externalId,
        contact,
        text,
        attachments,
        sentAt: new Date(message.date * 1000),
        raw: rawJson,
        // A deep link (t.me/bot?start=promo) tells where the lead came from.
        ...(start?.[1] ? { source: start[1] } : {}),
      },
    ],
  };
}
