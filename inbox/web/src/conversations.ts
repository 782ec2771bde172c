import { useCallback, useEffect, useRef, useState } from 'react';
import type { Channel } from '../../../shared/channels';
import { type ConversationView, conversationViewSchema, pageOf } from '../../../shared/inbox-api';
import { api } from './api';
import { nextFrame } from './later';
import { emptyListing, type Sort, sortedAs, withPage, withUpdates } from './listing';

export { compare, type Sort } from './listing';

export type Scope = 'mine' | 'unassigned' | 'all';
export type StatusFilter = ConversationView['status'] | 'all';
export interface Filters {
  scope: Scope;
  status: StatusFilter;
  channel: Channel | 'all';
  q: string;
  sort: Sort;
  /** A saved view opened on the list: its name, and the query parameters the list's own filters do not have. */
  view?: { name: string; params: Record<string, string> } | null;
}
export const defaultFilters: Filters = { scope: 'all', status: 'open', channel: 'all', q: '', sort: 'recent', view: null };

const PAGE = 50;
const conversationPage = pageOf(conversationViewSchema);

/** Whether a conversation belongs in the list the filters describe (the server's filters, applied to a live update). */
export function matches(c: ConversationView, f: Filters, meId: string): boolean {
  if (f.status !== 'all' && c.status !== f.status) return false;
  if (f.channel !== 'all' && c.channel !== f.channel) return false;
  if (f.scope === 'mine' && c.assigneeId !== meId) return false;
  if (f.scope === 'unassigned' && c.assigneeId !== null) return false;
  if (f.sort === 'waiting' && c.awaitingReplySince === null) return false;
  // As the server: the waiting queue of every status leaves out the snoozed, who are not to be answered yet.
  if (f.sort === 'waiting' && f.status === 'all' && c.status === 'snoozed') return false;
  return true;
}

function searchable(c: ConversationView, q: string): boolean {
  if (!q) return true;
  const needle = q.toLocaleLowerCase();
  return c.contact.name.toLocaleLowerCase().includes(needle) || c.lastMessagePreview.toLocaleLowerCase().includes(needle);
}

export function queryOf(f: Filters, meId: string, cursor?: string): string {
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (f.status !== 'all') q.set('status', f.status);
  if (f.channel !== 'all') q.set('channel', f.channel);
  if (f.scope === 'mine') q.set('assigneeId', meId);
  if (f.scope === 'unassigned') q.set('assigneeId', 'none');
  if (f.q.trim()) q.set('q', f.q.trim());
  if (f.sort === 'waiting') q.set('sort', 'waiting');
  for (const [key, value] of Object.entries(f.view?.params ?? {})) q.set(key, value);
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}

type ConversationPage = Awaited<ReturnType<typeof readPage>>;
const readPage = (query: string) => api(conversationPage, 'GET', `/api/conversations?${query}`);

let early: { query: string; page: Promise<ConversationPage> } | undefined;

/**
 * Asks for the first page of the list as it opens, as soon as there is a token: while the workspace is still being
 * drawn after a sign-in, or beside /api/me after a reload (the list's first page needs no more than the token).
 * The workspace's first read takes it, when it asks for that very query.
 */
export function prefetchFirstPage(meId: string): void {
  const query = queryOf(defaultFilters, meId);
  const page = readPage(query);
  page.catch(() => undefined);
  early = { query, page };
}

function takeEarly(query: string): Promise<ConversationPage> | undefined {
  const taken = early?.query === query ? early.page : undefined;
  early = undefined;
  return taken;
}

/**
 * The list and everything known about conversations: pages read by keyset, live updates merged by id, so a row
 * keeps its place (and its DOM node) when it changes and the reader's scroll position is never reset.
 */
export function useConversations(meId: string) {
  const [listing, setListing] = useState(emptyListing);
  const [filters, setFilters] = useState<Filters>(defaultFilters);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const generation = useRef(0);

  // Live updates wait for the next frame and are merged together: a burst of them is one render, not one each.
  const queued = useRef<ConversationView[]>([]);
  const scheduled = useRef<(() => void) | null>(null);
  const flushLive = useCallback(() => {
    scheduled.current?.();
    scheduled.current = null;
    const items = queued.current;
    if (items.length === 0) return;
    queued.current = [];
    const f = filtersRef.current;
    setListing((prev) =>
      withUpdates(
        prev,
        items,
        // While searching, the server decided who matched (an email or a phone too); a live update only adds a
        // conversation whose name or last message matches, and never drops one the search found.
        (next, listed) => matches(next, f, meId) && (listed || (searchable(next, f.q) && !f.view)),
        f.sort,
      ),
    );
  }, [meId]);
  useEffect(() => () => scheduled.current?.(), []);

  const merge = useCallback((items: readonly ConversationView[]) => {
    setListing((prev) => withUpdates(prev, items, (_c, listed) => listed, filtersRef.current.sort));
  }, []);

  const load = useCallback(
    async (f: Filters, cursor?: string) => {
      const mine = ++generation.current;
      setLoading(true);
      try {
        const query = queryOf(f, meId, cursor);
        const page = await (takeEarly(query) ?? readPage(query));
        if (mine !== generation.current) return;
        // What arrived live before the page is merged first, as it would have been without the wait for a frame.
        flushLive();
        setListing((prev) => withPage(prev, page.items, Boolean(cursor), f.sort));
        setNextCursor(page.nextCursor);
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [meId, flushLive],
  );

  const changeFilters = useCallback(
    (patch: Partial<Filters>) => {
      flushLive();
      const f = { ...filtersRef.current, ...patch };
      setFilters(f);
      setListing((prev) => sortedAs(prev, f.sort));
      // Every filter, the order too, is the server's: the longest waits may be far down the list by last message.
      return load(f);
    },
    [load, flushLive],
  );

  /** A conversation pushed live: known (by the next frame), listed or unlisted as the filters say. */
  const upsert = useCallback(
    (c: ConversationView) => {
      queued.current.push(c);
      scheduled.current ??= nextFrame(flushLive);
    },
    [flushLive],
  );

  const reload = useCallback(() => load(filtersRef.current), [load]);
  const loadMore = useCallback(() => (nextCursor ? load(filtersRef.current, nextCursor) : Promise.resolve()), [load, nextCursor]);

  return {
    known: listing.known,
    rows: listing.rows,
    filters,
    loading,
    hasMore: nextCursor !== null,
    reload,
    loadMore,
    changeFilters,
    upsert,
    merge,
  };
}
