import type { ContactRecord } from '../inbox/store/records';

const reasonWords: Record<string, string> = {
  request: 'клієнт попросив людину / the customer asked for a person',
  choice: 'клієнт обрав «менеджер» / the customer picked a manager',
  keyword: 'ключове слово / a hand-off keyword',
  unmatched: 'бот не зрозумів питання / the bot did not understand',
  'flow-end': 'анкету заповнено / the qualification is complete',
  external: 'зовнішній бот передав розмову / the external bot handed off',
  'external-failure': 'зовнішній бот не відповів / the external bot failed',
};

/** The note managers read when the bot hands off: what the customer told it, and why it let go. */
export function summaryOf(contact: ContactRecord | null, reason: string | null): string[] {
  const lines = ['Бот передав розмову / The bot handed off'];
  if (reason) lines.push(`Причина / Reason: ${reasonWords[reason] ?? reason}`);
  if (contact?.givenName) lines.push(`Ім’я / Name: ${contact.givenName}`);
  const phone = contact?.givenPhone || contact?.phone;
  if (phone) lines.push(`Телефон / Phone: ${phone}`);
  if (contact?.need) lines.push(`Потреба / Need: ${contact.need}`);
  return lines;
}
