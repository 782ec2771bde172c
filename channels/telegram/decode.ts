import { Channel } from '../../shared/channels';
import { type Attachment, choiceSchema, type InboundContact, type InboundEvent, unsupportedContent } from '../../shared/messages';
import { parseOrReject } from '../../shared/validation';
import {
  type TelegramCallbackQuery as CallbackQuery,
  type TelegramMessage as Message,
  type TelegramUser as User,
  updateSchema,
} from './update-schema';

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
  if (m.venue) {
    const { location, title, address } = m.venue;
    const name = [title, address].filter(Boolean).join(', ');
    return [{ kind: 'location', latitude: location.latitude, longitude: location.longitude, ...(name ? { name } : {}) }];
  }
  if (m.location) return [{ kind: 'location', latitude: m.location.latitude, longitude: m.location.longitude }];
  if (m.contact) {
    const name = [m.contact.first_name, m.contact.last_name].filter(Boolean).join(' ');
    return [{ kind: 'contact', phone: m.contact.phone_number, name }];
  }
  return [];
}

/** Content a customer can send in a private chat that the gateway has no attachment kind for. */
const customerContentKeys = [
  'poll',
  'dice',
  'game',
  'story',
  'paid_media',
  'invoice',
  'giveaway',
  'checklist',
  'users_shared',
  'chat_shared',
];

/** What a Web App button sent (`web_app_data`): the button's label and the data, as the customer's words. */
function webAppText(m: Message): string | undefined {
  const data = m.web_app_data as { data?: unknown; button_text?: unknown } | undefined;
  if (typeof data?.data !== 'string') return undefined;
  return typeof data.button_text === 'string' && data.button_text ? `${data.button_text}: ${data.data}` : data.data;
}

/**
 * A private chat's id is the user's own id (groups and channels have negative ids), which is how an update without
 * `chat.type` — the shape of the Bot API's older examples — is told apart.
 */
const isPrivate = (m: Message): boolean => (m.chat.type === undefined ? m.from?.id === m.chat.id : m.chat.type === 'private');

/** The words on the pressed button, read from the keyboard of the message that carried it. */
function pressedButtonText(query: CallbackQuery): string | undefined {
  for (const row of query.message?.reply_markup?.inline_keyboard ?? []) {
    for (const button of row) if (button.callback_data === query.data && button.text) return button.text;
  }
  return undefined;
}

/**
 * A press of one of our inline buttons, as the customer's turn: `choice` is the callback_data (when it can be one of
 * our choice ids), `text` the button's words. The Bot API gives no time for a press, so `receivedAt` stands in.
 * The key is the callback query's own id, which Telegram keeps when it redelivers the update.
 */
function decodeCallbackQuery(query: CallbackQuery, rawJson: string, receivedAt: Date): Decoded {
  if (!query.message) return unsupported('button press on a message sent in inline mode');
  if (!isPrivate({ ...query.message, from: query.from }))
    return unsupported(`button press in a ${query.message.chat.type ?? 'non-private'} chat`);
  if (query.from.is_bot) return unsupported('button press without a human sender');
  if (query.data === undefined || query.data === '') return unsupported('button press without callback data (a game)');
  const choice = choiceSchema.shape.id.safeParse(query.data);
  return {
    events: [
      {
        kind: 'message',
        channel: Channel.Telegram,
        externalId: `cb:${query.id}`,
        contact: contactOf(query.from),
        text: pressedButtonText(query) ?? query.data,
        attachments: [],
        sentAt: receivedAt,
        raw: rawJson,
        ...(choice.success ? { choice: choice.data } : {}),
      },
    ],
  };
}

/** The callback query an update carries, which Telegram wants answered whether or not it is kept. */
export function callbackQueryIdOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const query = (body as { callback_query?: { id?: unknown } }).callback_query;
  return typeof query?.id === 'string' && query.id ? query.id : undefined;
}

/**
 * Telegram `Update` → normalized events. Pure: no I/O, no clock (`receivedAt`, when the gateway took it, dates a
 * button press, which carries no time of its own). A body that cannot be an update (see update-schema.ts) is a
 * BadInput. Private chats only; anything else is named as unsupported so the webhook can acknowledge it (Telegram
 * would otherwise redeliver it forever).
 */
export function decodeTelegramUpdate(body: unknown, rawJson: string, receivedAt: Date = new Date()): Decoded {
  const update = parseOrReject(updateSchema, body, 'not a Telegram update');
  if (update.callback_query) return decodeCallbackQuery(update.callback_query, rawJson, receivedAt);
  const edited = update.edited_message;
  const message = update.message ?? edited;
  if (!message) {
    const kind = Object.keys(update).find((k) => k !== 'update_id') ?? 'empty';
    return unsupported(`update of type ${kind}`);
  }
  if (!isPrivate(message)) return unsupported(`message in a ${message.chat.type ?? 'non-private'} chat`);
  if (!message.from || message.from.is_bot) return unsupported('message without a human sender');

  const attachments = attachmentsOf(message);
  const text = message.text ?? message.caption ?? webAppText(message) ?? '';
  if (!text && attachments.length === 0) {
    // Something the customer sent that cannot be shown here (a poll, a dice roll, a story) still reaches a manager;
    // service messages (a pinned message, an auto-delete timer) are not the customer's words and are not kept.
    const what = customerContentKeys.find((key) => message[key] !== undefined);
    if (!what) return unsupported('service message, or one with no text or media we keep');
    attachments.push(unsupportedContent(what.replaceAll('_', ' ')));
  }

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
