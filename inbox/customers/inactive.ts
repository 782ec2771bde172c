import type { InactiveContactsQuery, InactiveContactView } from '../../shared/customers-api';
import { decodeCursor, encodeCursor } from '../cursor';
import type { Clock } from '../ports';
import { conversationIdFor } from '../store/ids';
import type { InboxStore } from '../store/port';
import type { ContactSpanRecord } from '../store/records';

const DAY = 24 * 60 * 60_000;

/** Customers who have not written for N days, the most recently silent first: who to win back first. */
export class InactiveContacts {
  constructor(
    private readonly store: InboxStore,
    private readonly clock: Clock,
  ) {}

  async list(query: InactiveContactsQuery): Promise<{ items: InactiveContactView[]; nextCursor: string | null }> {
    const before = new Date(this.clock().getTime() - query.days * DAY);
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const spans = await this.store.activity.silentSince(before, query.limit + 1, query.channel, after);
    const page = spans.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: await this.describe(page),
      nextCursor: spans.length > query.limit && last ? encodeCursor(last.lastAt, last.contactId) : null,
    };
  }

  /** Every inactive customer's span, page by page (a campaign's recipients). */
  async *all(days: number, channel?: InactiveContactsQuery['channel'], pageSize = 500): AsyncGenerator<ContactSpanRecord[]> {
    const before = new Date(this.clock().getTime() - days * DAY);
    let after: { at: Date; id: string } | undefined;
    for (;;) {
      const page = await this.store.activity.silentSince(before, pageSize, channel, after);
      if (page.length > 0) yield page;
      const last = page.at(-1);
      if (!last || page.length < pageSize) return;
      after = { at: last.lastAt, id: last.contactId };
    }
  }

  private async describe(spans: readonly ContactSpanRecord[]): Promise<InactiveContactView[]> {
    const contacts = new Map((await this.store.contacts.getMany(spans.map((s) => s.contactId))).map((c) => [c.id, c]));
    return spans.map((s) => {
      const contact = contacts.get(s.contactId);
      return {
        id: s.contactId,
        name: contact?.name ?? '',
        channel: s.channel,
        reachable: contact?.reachable ?? true,
        conversationId: conversationIdFor(s.contactId),
        firstInteractionAt: s.firstAt.toISOString(),
        lastInteractionAt: s.lastAt.toISOString(),
      };
    });
  }
}
