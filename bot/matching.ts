/**
 * How the bot reads a customer's words: pure functions, no state. Both sides of a comparison are brought to one
 * Latin skeleton — Ukrainian letters transliterated, the spellings people use for the same sound folded together
 * ("ціна", "cina", "tsina" all read `cina`) — and then compared word by word with a small edit distance, so case,
 * punctuation, a typo or an inflected ending do not stop a match.
 */

const cyrillic: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'h',
  ґ: 'g',
  д: 'd',
  е: 'e',
  є: 'ie',
  ж: 'zh',
  з: 'z',
  и: 'y',
  і: 'i',
  ї: 'i',
  й: 'i',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ь: '',
  ю: 'iu',
  я: 'ia',
  // Russian letters customers type on a Russian layout.
  ё: 'io',
  ы: 'y',
  э: 'e',
  ъ: '',
};

/** Spellings of one Ukrainian sound in Latin, folded to one (longest first). */
const folds: [RegExp, string][] = [
  [/shch/g, 'sc'],
  [/sch/g, 'sc'],
  [/ts/g, 'c'],
  [/tz/g, 'c'],
  [/kh/g, 'h'],
  [/zh/g, 'j'],
  [/ch/g, 'q'],
  [/sh/g, 'x'],
  [/ya|ja/g, 'ia'],
  [/yu|ju/g, 'iu'],
  [/ye|je/g, 'ie'],
  [/yi|ji/g, 'i'],
  [/g/g, 'h'],
  [/y/g, 'i'],
  [/w/g, 'v'],
  [/ck/g, 'k'],
  [/(.)\1+/g, '$1'],
];

/** The words of a text: lower case, letters and digits only (apostrophes inside a word dropped). */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/['’ʼ`]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** A word's Latin skeleton. */
export function skeleton(word: string): string {
  let latin = '';
  for (const ch of word.toLowerCase()) latin += cyrillic[ch] ?? ch;
  for (const [from, to] of folds) latin = latin.replace(from, to);
  return latin;
}

/** Levenshtein distance, stopping early once it exceeds `max`. */
export function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      row.push(value);
      best = Math.min(best, value);
    }
    if (best > max) return max + 1;
    prev = row;
  }
  return prev[b.length] ?? max + 1;
}

/** Typos allowed in a word of this length: none in short words, where one letter makes another word. */
const allowance = (length: number): number => (length >= 8 ? 2 : length >= 4 ? 1 : 0);

/**
 * Whether the customer's word is the keyword's word: the same skeleton within the typos its length allows, or the
 * keyword's stem with an inflected ending ("доставку", "доставкою" for "доставка").
 */
export function sameWord(said: string, keyword: string): boolean {
  if (said === keyword) return true;
  if (distance(said, keyword, allowance(keyword.length)) <= allowance(keyword.length)) return true;
  if (keyword.length < 4) return false;
  const stem = keyword.replace(/[aeiou]+$/, '');
  return stem.length >= 3 && stem.length >= keyword.length - 2 && said.startsWith(stem) && said.length <= keyword.length + 3;
}

/** A text read once for matching: its words' skeletons. */
export type Reading = readonly string[];
export const read = (text: string): Reading => words(text).map(skeleton);

/** Words allowed between two of a phrase's ("коли ви працюєте" holds "коли працюєте"). */
const GAP = 1;

/** How many words of the phrase the text holds in order, at most GAP words apart (the whole phrase, or 0). */
export function phraseHits(text: Reading, phrase: string): number {
  const wanted = read(phrase);
  if (wanted.length === 0) return 0;
  const from = (start: number, k: number): boolean => {
    if (k === wanted.length) return true;
    for (let i = start; i < text.length && i <= start + GAP; i++)
      if (sameWord(text[i] ?? '', wanted[k] ?? '') && from(i + 1, k + 1)) return true;
    return false;
  };
  for (let start = 0; start < text.length; start++) {
    if (sameWord(text[start] ?? '', wanted[0] ?? '') && from(start + 1, 1)) return wanted.length;
  }
  return 0;
}

/** Whether any of the phrases is in the text. */
export const mentionsAny = (text: Reading, phrases: readonly string[]): boolean => phrases.some((p) => phraseHits(text, p) > 0);

/**
 * The best of several candidates by their keywords: the one whose matched phrases cover the most words; ties go to
 * the first. Undefined when none matches.
 */
export function bestMatch<T extends { keywords: readonly string[] }>(text: Reading, candidates: readonly T[]): T | undefined {
  let best: T | undefined;
  let bestScore = 0;
  for (const candidate of candidates) {
    const score = candidate.keywords.reduce((sum, k) => sum + phraseHits(text, k), 0);
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/** The words that ask for a person in every flow, in both languages (a flow may add its own). */
export const handOffWords = [
  'оператор',
  'людина',
  'людиною',
  'людини',
  'менеджер',
  'консультант',
  'жива людина',
  'operator',
  'manager',
  'human',
  'agent',
  'real person',
  'live person',
] as const;

/** "2", "2.", "2)" or " 2 ": the customer picked the 2nd of the choices offered; the number, from 1. */
export function pickedNumber(text: string): number | undefined {
  const match = /^\s*(\d{1,2})\s*[.)]?\s*$/.exec(text);
  return match ? Number(match[1]) : undefined;
}
