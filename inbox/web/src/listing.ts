import type { ConversationView } from '../../../shared/inbox-api';

export type Sort = 'waiting' | 'recent';
type Order = (a: ConversationView, b: ConversationView) => number;

// Timestamps are ISO strings of one width and ids are lowercase hex: code-unit order is their order, and a plain
// comparison costs a fraction of localeCompare's collation, which a list of thousands pays on every live update.
const ordinal = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const recent: Order = (a, b) => ordinal(b.lastMessageAt, a.lastMessageAt) || ordinal(b.id, a.id);
const waiting: Order = (a, b) => {
  if (a.awaitingReplySince && b.awaitingReplySince) return ordinal(a.awaitingReplySince, b.awaitingReplySince) || recent(a, b);
  if (a.awaitingReplySince) return -1;
  if (b.awaitingReplySince) return 1;
  return recent(a, b);
};

/** The waiting queue: longest wait first (the server sends only those waiting). Otherwise by the last message. */
export function compare(sort: Sort): Order {
  return sort === 'recent' ? recent : waiting;
}

/**
 * Everything known about conversations, and the listed ones in the list's order. A listed conversation's row is the
 * very object `known` holds for it, so where it stands is found by binary search with the version being replaced.
 */
export interface Listing {
  readonly known: ReadonlyMap<string, ConversationView>;
  readonly rows: readonly ConversationView[];
  readonly sort: Sort;
}

export const emptyListing: Listing = { known: new Map(), rows: [], sort: 'recent' };

/** The first index whose row does not come before `c`. */
function lowerBound(rows: readonly ConversationView[], c: ConversationView, order: Order): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (order(rows[mid] as ConversationView, c) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Where a conversation's row stands, found by binary search with the version `known` holds (the very object a listed
 * row is); -1 when it is not listed. No scan of the rows: a conversation never seen before is not listed.
 */
function positionOf(rows: readonly ConversationView[], last: ConversationView | undefined, order: Order): number {
  if (!last) return -1;
  const at = lowerBound(rows, last, order);
  return rows[at] === last ? at : -1;
}

/** The rows in `sort`'s order (the listing itself when they already are). */
export function sortedAs(listing: Listing, sort: Sort): Listing {
  if (listing.sort === sort) return listing;
  return { ...listing, rows: [...listing.rows].sort(compare(sort)), sort };
}

/**
 * A page read from the server: its conversations known, and listed after the pages before it (`append`) or alone
 * (the first page of new filters).
 */
export function withPage(listing: Listing, items: readonly ConversationView[], append: boolean, sort: Sort): Listing {
  const order = compare(sort);
  const known = new Map(listing.known);
  const byId = new Map<string, ConversationView>();
  if (append) for (const row of listing.rows) byId.set(row.id, row);
  for (const c of items) {
    known.set(c.id, c);
    byId.set(c.id, c);
  }
  return { known, rows: [...byId.values()].sort(order), sort };
}

/**
 * Conversations pushed live, merged by id: each known at once, and moved to its place, added or dropped as
 * `fits(c, listedNow)` says; every other row keeps its place.
 */
export function withUpdates(
  listing: Listing,
  items: readonly ConversationView[],
  fits: (c: ConversationView, listed: boolean) => boolean,
  sort: Sort,
): Listing {
  const order = compare(sort);
  const sorted = sortedAs(listing, sort);
  const known = new Map(sorted.known);
  const rows = [...sorted.rows];
  for (const c of items) {
    const at = positionOf(rows, known.get(c.id), order);
    known.set(c.id, c);
    if (at >= 0) rows.splice(at, 1);
    if (!fits(c, at >= 0)) continue;
    rows.splice(lowerBound(rows, c, order), 0, c);
  }
  return { known, rows, sort };
}
