import type { Choice } from '../../shared/messages';

/**
 * Viber's reply buttons send their `ActionBody` back as the customer's own text message, and the chat shows that
 * text as what the customer wrote. So the ActionBody is the button's title, readable in the chat, followed by the
 * choice id in characters no screen draws: U+2063 INVISIBLE SEPARATOR, then the id in Unicode tag characters
 * (U+E0021–U+E007E mirror printable ASCII one for one, which is exactly what a choice id may hold). Nobody types
 * that, so words the customer types are never taken for a press; and should a client ever strip the marker, the
 * press still reads as the title.
 */
const SEPARATOR = '\u2063';
const TAG_OFFSET = 0xe0000;
const marked = /\u2063((?:[\u{e0021}-\u{e007e}])+)$/u;

/** The ActionBody of the button for `choice`. */
export const actionBody = (choice: Choice): string =>
  `${choice.title}${SEPARATOR}${Array.from(choice.id, (ch) => String.fromCodePoint(TAG_OFFSET + (ch.codePointAt(0) ?? 0))).join('')}`;

/** A text message's words and, when they came from one of our buttons, the choice pressed. */
export function pressedChoice(text: string): { text: string; choice?: string } {
  const match = marked.exec(text);
  if (!match?.[1]) return { text };
  const choice = Array.from(match[1], (ch) => String.fromCodePoint((ch.codePointAt(0) ?? TAG_OFFSET) - TAG_OFFSET)).join('');
  return { text: text.slice(0, match.index), choice };
}

/** Viber draws at most 24 rows of buttons; a menu longer than that is written out as numbered lines instead. */
export const MAX_BUTTONS = 24;
/** Two buttons share a row (3 of its 6 columns each) only when both titles fit half a phone's width. */
const PAIRABLE_TITLE = 16;

/** `Text` takes Viber's small HTML subset (`<b>`, `<font>`): the title is shown as written, not as markup. */
const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface ViberButton {
  Columns: number;
  Rows: 1;
  ActionType: 'reply';
  ActionBody: string;
  Text: string;
  TextSize: 'regular';
}

export interface ViberKeyboard {
  Type: 'keyboard';
  DefaultHeight: false;
  Buttons: ViberButton[];
}

/**
 * The choices as a keyboard under the message: one reply button a choice, in the order given, two short ones to a
 * row, and only as tall as its buttons (DefaultHeight false).
 */
export function keyboardOf(choices: readonly Choice[]): ViberKeyboard {
  const short = (c: Choice | undefined) => c !== undefined && Array.from(c.title).length <= PAIRABLE_TITLE;
  const button = (c: Choice, columns: number): ViberButton => ({
    Columns: columns,
    Rows: 1,
    ActionType: 'reply',
    ActionBody: actionBody(c),
    Text: escapeHtml(c.title),
    TextSize: 'regular',
  });
  const buttons: ViberButton[] = [];
  for (let i = 0; i < choices.length; i++) {
    const choice = choices[i] as Choice;
    const next = choices[i + 1];
    if (short(choice) && short(next) && next) {
      buttons.push(button(choice, 3), button(next, 3));
      i++;
    } else buttons.push(button(choice, 6));
  }
  return { Type: 'keyboard', DefaultHeight: false, Buttons: buttons };
}
