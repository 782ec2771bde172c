import fc from 'fast-check';
import { compare, emptyListing, type Listing, type Sort, sortedAs, withPage, withUpdates } from '../inbox/web/src/listing';
import type { ConversationView } from '../shared/inbox-api';

const base = Date.parse('2026-12-01T09:00:00.000Z');
const iso = (minute: number) => new Date(base + minute * 60_000).toISOString();
const hexId = (n: number) => n.toString(16).padStart(24, '0');

function conversation(n: number, lastMinute: number, waitingSinceMinute: number | null, name = `Олена Коваленко ${n}`): ConversationView {
  return {
    id: hexId(n),
    channel: 'telegram',
    status: 'open',
    contact: { id: hexId(100_000 + n), name, reachable: true },
    assigneeId: null,
    lastMessageAt: iso(lastMinute),
    lastMessagePreview: 'Добрий день! Чи є кросівки 39 розміру?',
    awaitingReplySince: waitingSinceMinute === null ? null : iso(waitingSinceMinute),
    lastInboundAt: iso(lastMinute),
    firstResponseAt: null,
    firstResponseDueAt: null,
    escalationStep: 0,
    escalationDueAt: null,
    unreadCount: waitingSinceMinute === null ? 0 : 1,
    outcome: null,
    lossReason: null,
    createdAt: iso(0),
  };
}

const fullSort = (items: Iterable<ConversationView>, sort: Sort) => [...items].sort(compare(sort));
const ids = (rows: readonly ConversationView[]) => rows.map((c) => c.id);
const listedIs = (_c: ConversationView, listed: boolean) => listed;
const always = () => true;

describe('the list order kept by live updates', () => {
  it('moves the conversation that got a message to the top and leaves every other row where it was', () => {
    const page = [conversation(1, 30, null), conversation(2, 20, 20), conversation(3, 10, null), conversation(4, 5, 5)];
    const listing = withPage(emptyListing, page, false, 'recent');
    expect(ids(listing.rows)).toEqual([hexId(1), hexId(2), hexId(3), hexId(4)]);

    const answered = withUpdates(listing, [conversation(3, 40, 40)], always, 'recent');
    expect(ids(answered.rows)).toEqual([hexId(3), hexId(1), hexId(2), hexId(4)]);
    expect(answered.known.get(hexId(3))?.lastMessageAt).toBe(iso(40));
    // The rows that did not change are the very objects they were, so their memoised rows are not drawn again.
    expect(answered.rows[1]).toBe(listing.rows[0]);
    expect(answered.rows[3]).toBe(listing.rows[3]);
  });

  it('drops a conversation that no longer fits the filters, and keeps it known for the open thread', () => {
    const listing = withPage(emptyListing, [conversation(1, 30, 30), conversation(2, 20, 20)], false, 'waiting');
    const resolved = { ...conversation(1, 31, null), status: 'resolved' as const };
    const next = withUpdates(listing, [resolved], (c) => c.status === 'open', 'waiting');
    expect(ids(next.rows)).toEqual([hexId(2)]);
    expect(next.known.get(hexId(1))?.status).toBe('resolved');
  });

  it('updates a conversation that is known but not listed without listing it', () => {
    const listing = withPage(emptyListing, [conversation(1, 30, null)], false, 'recent');
    const elsewhere = withUpdates(listing, [conversation(9, 50, 50)], listedIs, 'recent');
    expect(ids(elsewhere.rows)).toEqual([hexId(1)]);
    expect(elsewhere.known.has(hexId(9))).toBe(true);
  });

  it('puts the longest wait first in the waiting queue, then those not waiting by their last message', () => {
    const listing = withPage(
      emptyListing,
      [conversation(1, 50, null), conversation(2, 40, 12), conversation(3, 45, 3), conversation(4, 60, null)],
      false,
      'waiting',
    );
    expect(ids(listing.rows)).toEqual([hexId(3), hexId(2), hexId(4), hexId(1)]);
    expect(ids(sortedAs(listing, 'recent').rows)).toEqual([hexId(4), hexId(1), hexId(3), hexId(2)]);
  });

  it('appends a next page after the rows already listed, and a first page of new filters replaces them', () => {
    const first = withPage(emptyListing, [conversation(1, 50, null), conversation(2, 40, null)], false, 'recent');
    const more = withPage(first, [conversation(3, 30, null), conversation(4, 20, null)], true, 'recent');
    expect(ids(more.rows)).toEqual([hexId(1), hexId(2), hexId(3), hexId(4)]);
    const narrowed = withPage(more, [conversation(4, 20, null)], false, 'recent');
    expect(ids(narrowed.rows)).toEqual([hexId(4)]);
    expect(narrowed.known.size).toBe(4);
  });

  it('compares times and ids as the collation did, character by character', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 2 ** 48 }),
        fc.integer({ min: 0, max: 2 ** 48 }),
        (a, b, x, y) => {
          const one = { ...conversation(x, 0, null), lastMessageAt: a.toISOString() };
          const two = { ...conversation(y, 0, null), lastMessageAt: b.toISOString() };
          const collated = two.lastMessageAt.localeCompare(one.lastMessageAt) || two.id.localeCompare(one.id);
          expect(Math.sign(compare('recent')(one, two))).toBe(Math.sign(collated));
        },
      ),
    );
  });

  it('after any run of pages, new filters and live updates, holds exactly the rows a full sort would, in its order', () => {
    const update = fc.record({
      n: fc.integer({ min: 0, max: 40 }),
      minute: fc.integer({ min: 0, max: 500 }),
      waiting: fc.option(fc.integer({ min: 0, max: 500 }), { nil: null }),
      fits: fc.boolean(),
    });
    const step = fc.oneof(
      { weight: 6, arbitrary: update.map((u) => ({ kind: 'live' as const, updates: [u] })) },
      { weight: 1, arbitrary: fc.array(update, { maxLength: 6 }).map((updates) => ({ kind: 'live' as const, updates })) },
      { weight: 1, arbitrary: fc.array(update, { maxLength: 8 }).map((updates) => ({ kind: 'page' as const, updates })) },
      { weight: 1, arbitrary: fc.array(update, { maxLength: 8 }).map((updates) => ({ kind: 'first page' as const, updates })) },
      { weight: 1, arbitrary: fc.constantFrom<Sort>('recent', 'waiting').map((sort) => ({ kind: 'sort' as const, sort })) },
    );
    fc.assert(
      fc.property(fc.constantFrom<Sort>('recent', 'waiting'), fc.array(step, { maxLength: 60 }), (startSort, steps) => {
        let sort = startSort;
        let listing: Listing = withPage(emptyListing, [], false, sort);
        const listed = new Map<string, ConversationView>();
        const known = new Map<string, ConversationView>();
        for (const s of steps) {
          if (s.kind === 'sort') {
            sort = s.sort;
            listing = sortedAs(listing, sort);
            continue;
          }
          const items = s.updates.map((u) => conversation(u.n, u.minute, u.waiting));
          if (s.kind === 'page' || s.kind === 'first page') {
            listing = withPage(listing, items, s.kind === 'page', sort);
            if (s.kind === 'first page') listed.clear();
            for (const c of items) {
              known.set(c.id, c);
              listed.set(c.id, c);
            }
            continue;
          }
          const fits = new Map(s.updates.map((u, i) => [items[i] as ConversationView, u.fits]));
          listing = withUpdates(listing, items, (c) => fits.get(c) ?? false, sort);
          for (const c of items) {
            known.set(c.id, c);
            if (fits.get(c)) listed.set(c.id, c);
            else listed.delete(c.id);
          }
        }
        expect(listing.rows).toEqual(fullSort(listed.values(), sort));
        expect(new Set(listing.known.keys())).toEqual(new Set(known.keys()));
      }),
      { numRuns: 500 },
    );
  });
});
