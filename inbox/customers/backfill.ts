import type { InboxStore } from '../store/port';
import { kyivDay } from './days';

/** Marks the sweep done: stored once it finished, so a sweep a restart cut short runs again whole (it is idempotent). */
export const BACKFILL_CHECKPOINT = 'contact-activity-backfill';
const PAGE = 500;

/**
 * Interactions from before they were kept: each customer's first and latest message, as their conversation
 * recorded them, become their span and two of their days. Written with the same earliest-and-latest upserts as live
 * messages, so running beside the inbound path, or twice, changes nothing it has recorded more exactly.
 */
export async function backfillInteractions(store: InboxStore, now: () => Date): Promise<number> {
  if (await store.checkpoints.get(BACKFILL_CHECKPOINT)) return 0;
  let after: string | null = null;
  let seen = 0;
  for (;;) {
    const page = await store.activity.conversationHistory(after, PAGE);
    for (const c of page) {
      for (const at of new Set([c.firstAt, c.lastAt].filter((d): d is Date => d !== null))) {
        await store.activity.record({ contactId: c.contactId, channel: c.channel, day: kyivDay(at), at });
      }
    }
    seen += page.length;
    const last = page.at(-1);
    if (!last || page.length < PAGE) break;
    after = last.id;
  }
  await store.checkpoints.create(BACKFILL_CHECKPOINT, now());
  return seen;
}
