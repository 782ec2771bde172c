import { z } from 'zod';

/**
 * The parts of a Telegram `Update` the gateway reads, as zod schemas (field names and types as in the Bot API's
 * `Update`, `Message`, `User` and `Chat`). A body that fails them cannot be an update Telegram sent. Other update
 * kinds (inline queries, payments) are only required to be objects: they are acknowledged unread.
 */

/** Telegram ids are integers of up to 52 significant bits: a JSON number, never a string, float or object. */
const telegramId = z.number().int().safe();
const unixSeconds = z.number().int().nonnegative().max(99_999_999_999);

const user = z.looseObject({
  id: telegramId,
  /** Left out of the Bot API's older examples, where every sender is a person. */
  is_bot: z.boolean().optional(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
});

const chat = z.looseObject({
  id: telegramId,
  /** Always there in today's updates; the Bot API's own older examples leave it out. */
  type: z.string().min(1).optional(),
});

const fileRef = z.looseObject({
  file_id: z.string().min(1),
  file_size: z.number().int().nonnegative().optional(),
  mime_type: z.string().optional(),
  file_name: z.string().optional(),
});

export const messageSchema = z.looseObject({
  message_id: z.number().int().nonnegative().safe(),
  date: unixSeconds,
  edit_date: unixSeconds.optional(),
  chat,
  from: user.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  photo: z.array(fileRef).optional(),
  document: fileRef.optional(),
  voice: fileRef.optional(),
  audio: fileRef.optional(),
  video: fileRef.optional(),
  video_note: fileRef.optional(),
  animation: fileRef.optional(),
  sticker: fileRef.extend({ emoji: z.string().optional() }).optional(),
  location: z.looseObject({ latitude: z.number(), longitude: z.number() }).optional(),
  venue: z
    .looseObject({ location: z.looseObject({ latitude: z.number(), longitude: z.number() }), title: z.string(), address: z.string() })
    .optional(),
  contact: z.looseObject({ phone_number: z.string(), first_name: z.string(), last_name: z.string().optional() }).optional(),
  /** The inline keyboard a bot message carries: where a pressed button's words are read from. */
  reply_markup: z
    .looseObject({
      inline_keyboard: z.array(z.array(z.looseObject({ text: z.string(), callback_data: z.string().optional() }))).optional(),
    })
    .optional(),
});
export type TelegramMessage = z.infer<typeof messageSchema>;
export type TelegramUser = z.infer<typeof user>;

/**
 * A press of an inline keyboard button. `message` is the bot's message that carried the keyboard (absent for a
 * message sent in inline mode, which has `inline_message_id` instead); `data` is the button's callback_data.
 */
export const callbackQuerySchema = z.looseObject({
  // An opaque token (digits in every update seen; letters and digits in the Bot API's examples): one with spaces,
  // brackets or punctuation is not Telegram's, and would be kept as the message's key.
  id: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'a callback query id is a token of letters and digits'),
  from: user,
  message: messageSchema.optional(),
  inline_message_id: z.string().optional(),
  chat_instance: z.string().optional(),
  data: z.string().optional(),
  game_short_name: z.string().optional(),
});
export type TelegramCallbackQuery = z.infer<typeof callbackQuerySchema>;

export const updateSchema = z
  .looseObject({
    update_id: z.number().int().nonnegative().safe(),
    message: messageSchema.optional(),
    edited_message: messageSchema.optional(),
    callback_query: callbackQuerySchema.optional(),
  })
  .superRefine((update, ctx) => {
    for (const [key, value] of Object.entries(update)) {
      if (key === 'update_id') continue;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'an update carries an object of its kind' });
      }
    }
  });
export type TelegramUpdate = z.infer<typeof updateSchema>;
