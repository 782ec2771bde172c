import { listOf, type SavedReplyView, savedReplyViewSchema } from '../../../shared/inbox-api';
import { api } from './api';

export const savedReplyList = listOf(savedReplyViewSchema);

/** The team's and my saved replies, by shortcut. */
export const loadSavedReplies = (): Promise<SavedReplyView[]> => api(savedReplyList, 'GET', '/api/saved-replies').then((a) => a.items);

/** What the reply box holds while a saved reply is being picked: `/` and the start of a shortcut, nothing else. */
export function pickerQuery(text: string): string | null {
  const match = /^\/([\p{L}\p{N}_-]*)$/u.exec(text);
  return match ? (match[1] ?? '').toLowerCase() : null;
}

/** Shortcuts starting with the query first, then those whose title or text holds it; at most `limit`. */
export function matching(replies: readonly SavedReplyView[], query: string, limit = 8): SavedReplyView[] {
  const byShortcut = replies.filter((r) => r.shortcut.startsWith(query));
  const byWords = replies.filter(
    (r) => !r.shortcut.startsWith(query) && (r.title.toLowerCase().includes(query) || r.text.toLowerCase().includes(query)),
  );
  return [...byShortcut, ...byWords].slice(0, limit);
}

/** `{name}` becomes the customer's name; with no name known it goes, with the comma or space before it. */
export function fillIn(text: string, contactName: string): string {
  const name = contactName.trim();
  return name ? text.replaceAll('{name}', name) : text.replace(/[,\s]*\{name\}/g, '');
}
