import { z } from 'zod';
import { channelNames } from './channels';
import { choiceSchema } from './messages';

/**
 * The chatbot as both ends see it: its flows (GET/PUT /api/bot/flows, edited on the admins' page), the switch
 * (PATCH /api/bot), the external bot's answers (POST /api/bot/messages) and its figures (GET /api/metrics/bot).
 */

const botText = z.string().trim().min(1, 'the text must not be empty').max(1000, 'the text is longer than 1000 characters');
const words = z.array(z.string().trim().min(1).max(100)).max(50);

/** What a menu item does when pressed (or picked by its number). */
export const botActionSchema = z.enum(['answer', 'qualify', 'handoff']);
export type BotAction = z.infer<typeof botActionSchema>;

export const botMenuItemSchema = z
  .object({
    id: choiceSchema.shape.id,
    // WhatsApp buttons and Instagram quick replies show 20 characters.
    title: z.string().trim().min(1).max(20, 'a menu title is at most 20 characters (WhatsApp and Instagram cut longer ones)'),
    action: botActionSchema,
    /** `answer`: the id of the answer it gives. */
    answerId: z.string().trim().min(1).max(64).optional(),
  })
  .strict();
export type BotMenuItem = z.infer<typeof botMenuItemSchema>;

export const botAnswerSchema = z
  .object({
    id: z.string().trim().min(1).max(64),
    /** Words and phrases, Ukrainian or English (matched tolerant of case, punctuation, typos and transliteration). */
    keywords: words.min(1, 'an answer needs at least one keyword'),
    text: botText,
  })
  .strict();
export type BotAnswer = z.infer<typeof botAnswerSchema>;

export const botFlowsBody = z
  .object({
    enabled: z.boolean(),
    greeting: z.object({ inHours: botText, outOfHours: botText }).strict(),
    menu: z.array(botMenuItemSchema).max(10, 'at most 10 menu items (a WhatsApp list holds 10 rows)'),
    answers: z.array(botAnswerSchema).max(200),
    qualification: z
      .object({ enabled: z.boolean(), askName: botText, askPhone: botText, invalidPhone: botText, askNeed: botText, done: botText })
      .strict(),
    handOff: z
      .object({
        /** Besides "оператор", "людина", "менеджер", "manager", "operator", "human": more words that call a person. */
        words,
        /** Unmatched turns in a row before a person takes over. */
        afterUnmatched: z.number().int().min(1).max(10),
        /** Said when a question is not understood (the menu follows). */
        unmatchedText: botText,
        /** Said when a person takes over. */
        text: botText,
      })
      .strict(),
    /** The version the edit was made on: a save over a newer one is refused (409) instead of overwriting it. */
    version: z.number().int().nonnegative().optional(),
  })
  .strict()
  .superRefine((flows, ctx) => {
    const answerIds = new Set<string>();
    flows.answers.forEach((a, i) => {
      if (answerIds.has(a.id)) ctx.addIssue({ code: 'custom', path: ['answers', i, 'id'], message: `answer id "${a.id}" is used twice` });
      answerIds.add(a.id);
    });
    const menuIds = new Set<string>();
    flows.menu.forEach((item, i) => {
      if (menuIds.has(item.id)) ctx.addIssue({ code: 'custom', path: ['menu', i, 'id'], message: `menu id "${item.id}" is used twice` });
      menuIds.add(item.id);
      if (item.action === 'answer' && !(item.answerId && answerIds.has(item.answerId))) {
        ctx.addIssue({ code: 'custom', path: ['menu', i, 'answerId'], message: 'an "answer" item names one of the answers by its id' });
      }
      if (item.action === 'qualify' && !flows.qualification.enabled) {
        ctx.addIssue({ code: 'custom', path: ['menu', i, 'action'], message: 'a "qualify" item needs the qualification on' });
      }
    });
  });
export type BotFlowsInput = z.infer<typeof botFlowsBody>;
export type BotFlows = Omit<BotFlowsInput, 'version'>;

export const botFlowsViewSchema = z.object({
  flows: botFlowsBody,
  version: z.number().int().nonnegative(),
  updatedAt: z.string().nullable(),
  /** Set when BOT_WEBHOOK_URL hands customers' messages to an external bot instead of these flows. */
  external: z.boolean(),
});
export type BotFlowsView = z.infer<typeof botFlowsViewSchema>;

export const botSwitchBody = z.object({ enabled: z.boolean() }).strict();

/** Why a person took over from the bot. */
export const handOffReasons = [
  'request',
  'choice',
  'keyword',
  'unmatched',
  'flow-end',
  'takeover',
  'external',
  'external-failure',
] as const;
export type HandOffReason = (typeof handOffReasons)[number];

/** What the external bot answers, in its webhook response or through POST /api/bot/messages. */
export const externalAnswerSchema = z
  .object({
    text: z.string().trim().min(1).max(4096).optional(),
    choices: z.array(choiceSchema).max(10).optional(),
    handOff: z
      .object({ reason: z.string().trim().min(1).max(200) })
      .strict()
      .optional(),
  })
  .strict()
  .refine((a) => a.text !== undefined || a.handOff !== undefined, { message: 'give "text", "handOff" or both' })
  .refine((a) => !a.choices?.length || a.text !== undefined, { path: ['choices'], message: 'choices go with a text' });
export type ExternalAnswer = z.infer<typeof externalAnswerSchema>;
export const botMessageBody = z
  .object({
    conversationId: z.string().regex(/^[a-f0-9]{24}$/i, 'must be a conversation id'),
    text: z.string().trim().min(1).max(4096).optional(),
    choices: z.array(choiceSchema).max(10).optional(),
    handOff: z
      .object({ reason: z.string().trim().min(1).max(200) })
      .strict()
      .optional(),
  })
  .strict()
  .refine((a) => a.text !== undefined || a.handOff !== undefined, { message: 'give "text", "handOff" or both' });

export const botFiguresQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
    to: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
    channel: z.enum(channelNames).optional(),
  })
  .refine((q) => q.from < q.to, { path: ['to'], message: '"to" must be after "from"' })
  .refine((q) => q.to.getTime() - q.from.getTime() <= 92 * 86_400_000, { path: ['to'], message: 'a range is at most 92 days' });

export const botFiguresSchema = z.object({
  /** Conversations the bot took in the range (by when it took them). */
  conversations: z.number(),
  /** Resolved without a person, or never handed off and silent for a day. */
  handledByBot: z.number(),
  handedOff: z.number(),
  /** Handed off / taken, 0..1; null when the bot took none. */
  handOffRate: z.number().nullable(),
  reasons: z.array(z.object({ reason: z.string(), count: z.number() })),
  timeToHandOff: z.object({ p50Ms: z.number().nullable(), p90Ms: z.number().nullable() }),
  /** What customers asked that no answer matched, counted, most frequent first (at most 50). */
  unmatched: z.array(z.object({ text: z.string(), count: z.number() })),
});
export type BotFigures = z.infer<typeof botFiguresSchema>;
