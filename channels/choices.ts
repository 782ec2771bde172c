import type { Choice } from '../shared/messages';

const ELLIPSIS = '…';

/**
 * A title cut to `max` characters (code points, as the platforms count them): at the last word boundary that keeps
 * at least half of it, else mid-word, with an ellipsis inside the limit. A title that fits is returned as it is.
 */
export function shorten(title: string, max: number): string {
  const text = title.trim().replace(/\s+/g, ' ');
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  if (max <= 1) return chars.slice(0, max).join('');
  const head = chars.slice(0, max - 1).join('');
  const boundary = head.lastIndexOf(' ');
  const cut = boundary >= head.length / 2 ? head.slice(0, boundary) : head;
  return `${cut.replace(/[\s,.;:!?\-–—]+$/u, '')}${ELLIPSIS}`;
}

/**
 * The language of a message the gateway sends, for the few words it adds itself (a hint, a list's button): the
 * channel is not told which one the customer reads, so the text's own script says it.
 */
export const languageOf = (text: string): 'uk' | 'en' => (/[\u0400-\u04ff]/.test(text) ? 'uk' : 'en');

/** The hint under numbered choices. */
export const numberedHint = { uk: 'Надішліть номер варіанта у відповідь.', en: 'Reply with the number of your choice.' } as const;

/** Said above buttons sent with no text of their own: the platforms refuse a message with buttons and no text. */
export const buttonsPrompt = { uk: 'Оберіть варіант:', en: 'Choose an option:' } as const;

/** The text to send buttons under: the message's own, or the prompt in the titles' language when it has none. */
export const textForButtons = (text: string, choices: readonly Choice[]): string =>
  text.trim() ? text : buttonsPrompt[languageOf(choices.map((c) => c.title).join(' '))];

/** The choices as lines `1. Title — description`, in the order given. */
export const numberedLines = (choices: readonly Choice[]): string =>
  choices.map((c, i) => `${i + 1}. ${c.title}${c.description ? ` — ${c.description}` : ''}`).join('\n');

/**
 * The text with its choices as numbered lines below it, and the hint, for channels without buttons (email, the API
 * channel, WhatsApp Web) and for choices beyond a platform's limits. Without choices the text stays as it is.
 */
export function withNumberedChoices(text: string, choices: readonly Choice[] | undefined): string {
  if (!choices || choices.length === 0) return text;
  const body = text.trimEnd();
  const hint = numberedHint[languageOf(body || choices.map((c) => c.title).join(' '))];
  return `${body ? `${body}\n\n` : ''}${numberedLines(choices)}\n\n${hint}`;
}
