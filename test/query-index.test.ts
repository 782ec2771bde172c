import { runInNewContext } from 'node:vm';
import { BSON, Long, ObjectId } from 'mongodb';
import {
  type AllowedQuery,
  analyse,
  branchesOf,
  type DeclaredIndex,
  formatReport,
  isWholeSuite,
  judge,
  queriesOf,
  queryShape,
  type RecordedQuery,
  serves,
  shapeOfFilter,
  sortOf,
} from './support/query-index';
import { QueryRecorder } from './support/query-recorder';

/** The index check's analysis (test/support/query-index.ts): what a filter bounds, and which index serves it. */

const index = (key: Record<string, unknown>, unique = false): DeclaredIndex => ({ key: Object.entries(key), unique });
const query = (filter: Record<string, unknown>, sort?: Record<string, unknown>) => {
  const q = queryShape('find', filter, sort);
  if (!q) throw new Error('trivial query');
  return q;
};

describe('the shape of a filter', () => {
  test.each<[string, Record<string, unknown>, string]>([
    ['values are dropped, fields sorted', { externalId: '42', channel: 'telegram' }, '{channel, externalId}'],
    ['operators are kept', { status: 'queued', nextAttemptAt: { $lte: new Date() } }, '{nextAttemptAt: {$lte}, status}'],
    ['several operators on a field', { at: { $lt: 5, $gte: 1 } }, '{at: {$gte, $lt}}'],
    ['an embedded document is a value', { sender: { type: 'contact', id: 'x' } }, '{sender}'],
    ['a dotted path is a field', { 'sender.type': 'contact' }, '{sender.type}'],
    ['a regular expression', { name: /^Ол/ }, '{name: /regex/}'],
    ['$or and $and keep their items', { $or: [{ a: 1 }, { b: { $gt: 2 } }], c: 3 }, '{$or: [{a}, {b: {$gt}}], c}'],
    ['$elemMatch on objects', { items: { $elemMatch: { sku: 'x', qty: { $gt: 1 } } } }, '{items: {$elemMatch: {qty: {$gt}, sku}}}'],
    ['$not keeps its operator', { n: { $not: { $gt: 3 } } }, '{n: {$not: {$gt}}}'],
    ['$expr is named only', { $expr: { $gt: ['$a', '$b'] } }, '{$expr}'],
  ])('%s', (_, filter, shape) => {
    expect(shapeOfFilter(filter)).toBe(shape);
  });

  test('the same query with other values has the same shape', () => {
    const a = queryShape('find', { channel: 'telegram', createdAt: { $gt: new Date(1) } }, { createdAt: -1 });
    const b = queryShape('find', { createdAt: { $gt: new Date(2) }, channel: 'viber' }, { createdAt: -1 });
    expect(a?.shape).toBe('find {channel, createdAt: {$gt}} sort {createdAt: -1}');
    expect(b?.shape).toBe(a?.shape);
  });

  test.each<[string, unknown, unknown]>([
    ['an empty filter', {}, undefined],
    ['no filter at all', undefined, undefined],
    ['only _id', { _id: new ObjectId() }, undefined],
    ['only _id, with a range and a sort on _id', { _id: { $gt: new ObjectId() } }, { _id: -1 }],
    ['only a $comment', { $comment: 'why' }, undefined],
    ['a $natural sort', {}, { $natural: 1 }],
  ])('%s is left out: the primary key serves it', (_, filter, sort) => {
    expect(queryShape('find', filter, sort)).toBeUndefined();
  });

  test('an empty filter with a sort is kept: the sort needs an index', () => {
    expect(queryShape('find', {}, { createdAt: -1 })?.shape).toBe('find {} sort {createdAt: -1}');
  });
});

describe('equality and range fields', () => {
  test.each<[string, Record<string, unknown>, { equality: string[]; range: string[] }[]]>([
    ['a value, $eq, null', { a: 1, b: { $eq: 2 }, c: null }, [{ equality: ['a', 'b', 'c'], range: [] }]],
    [
      '$in and $all count as equality (MongoDB scans a small $in as points)',
      { a: { $in: [1, 2] }, b: { $all: [1] } },
      [{ equality: ['a', 'b'], range: [] }],
    ],
    [
      'range operators',
      { a: { $gt: 1 }, b: { $lte: 2 }, c: { $ne: 3 }, d: { $exists: true }, e: { $nin: [1] }, f: /x/, g: { $regex: 'x', $options: 'i' } },
      [{ equality: [], range: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }],
    ],
    ['a field with equality and range is equality', { a: { $in: [1, 2], $ne: 3 } }, [{ equality: ['a'], range: [] }]],
    ['$and is merged', { $and: [{ a: 1 }, { b: { $gt: 1 } }], c: 2 }, [{ equality: ['a', 'c'], range: ['b'] }]],
    [
      '$or gives a branch per alternative, with the rest of the filter',
      { status: 'open', $or: [{ assigneeId: null }, { escalationDueAt: { $lte: 1 } }] },
      [
        { equality: ['assigneeId', 'status'], range: [] },
        { equality: ['status'], range: ['escalationDueAt'] },
      ],
    ],
    [
      'two $or inside $and multiply',
      { $and: [{ $or: [{ a: 1 }, { b: 1 }] }, { $or: [{ c: 1 }, { d: 1 }] }] },
      [
        { equality: ['a', 'c'], range: [] },
        { equality: ['a', 'd'], range: [] },
        { equality: ['b', 'c'], range: [] },
        { equality: ['b', 'd'], range: [] },
      ],
    ],
    [
      'a nested $or',
      { $or: [{ a: 1 }, { $or: [{ b: 1 }, { c: { $gt: 1 } }] }] },
      [
        { equality: ['a'], range: [] },
        { equality: ['b'], range: [] },
        { equality: [], range: ['c'] },
      ],
    ],
    [
      '$elemMatch on objects bounds the paths under it',
      { items: { $elemMatch: { sku: 'x', qty: { $gt: 1 } } } },
      [{ equality: ['items.sku'], range: ['items.qty'] }],
    ],
    ['$elemMatch on values is a range', { scores: { $elemMatch: { $gt: 1, $lt: 5 } } }, [{ equality: [], range: ['scores'] }]],
    ['$expr, $where and $nor bound nothing', { a: 1, $expr: {}, $where: 'x', $nor: [{ b: 1 }] }, [{ equality: ['a'], range: [] }]],
  ])('%s', (_, filter, branches) => {
    expect(branchesOf(filter)).toEqual(branches);
  });

  test('an ObjectId, a Date, a Long are values; an operator object made in another realm is still one', () => {
    expect(branchesOf({ contactId: new ObjectId(), createdAt: new Date(), n: Long.fromNumber(3) })).toEqual([
      { equality: ['contactId', 'createdAt', 'n'], range: [] },
    ]);
    expect(branchesOf(runInNewContext('({ at: { $gt: 1 }, status: "open" })'))).toEqual([{ equality: ['status'], range: ['at'] }]);
  });

  test('a regular expression decoded from the wire is a range', () => {
    const decoded = BSON.deserialize(BSON.serialize({ filter: { name: /^a/ } })).filter;
    expect(branchesOf(decoded)).toEqual([{ equality: [], range: ['name'] }]);
    expect(shapeOfFilter(decoded)).toBe('{name: /regex/}');
  });

  test('a sort keeps its order and directions', () => {
    expect(sortOf({ lastMessageAt: -1, _id: -1 })).toEqual([
      ['lastMessageAt', -1],
      ['_id', -1],
    ]);
    expect(sortOf({ score: { $meta: 'textScore' } })).toEqual([]);
  });
});

describe('the ESR rule: which index serves a query', () => {
  test.each<[string, DeclaredIndex, Record<string, unknown>, Record<string, unknown> | undefined, boolean]>([
    [
      'equality fields are the prefix, in any order',
      index({ channel: 1, externalId: 1 }),
      { externalId: 'x', channel: 't' },
      undefined,
      true,
    ],
    [
      'equality on the leading field of a longer index',
      index({ conversationId: 1, createdAt: 1, _id: 1 }),
      { conversationId: 1 },
      undefined,
      true,
    ],
    [
      'an equality field outside the prefix',
      index({ conversationId: 1, createdAt: 1 }),
      { conversationId: 1, direction: 'in' },
      undefined,
      false,
    ],
    ['equality on a field that is not leading', index({ channel: 1, externalId: 1 }), { externalId: 'x' }, undefined, false],
    ['equality, then the sort', index({ status: 1, lastMessageAt: -1, _id: -1 }), { status: 'open' }, { lastMessageAt: -1, _id: -1 }, true],
    [
      'the sort reversed is read backwards',
      index({ status: 1, lastMessageAt: -1, _id: -1 }),
      { status: 'open' },
      { lastMessageAt: 1, _id: 1 },
      true,
    ],
    [
      'mixed directions do not follow',
      index({ status: 1, lastMessageAt: -1, _id: -1 }),
      { status: 'open' },
      { lastMessageAt: -1, _id: 1 },
      false,
    ],
    ['a sort in another order does not follow', index({ a: 1, b: 1, c: 1 }), { a: 1 }, { c: 1, b: 1 }, false],
    ['a sort on a prefix of the rest', index({ a: 1, b: 1, c: 1 }), { a: 1 }, { b: -1 }, true],
    [
      'equality, sort, then range: the range need not be indexed',
      index({ role: 1, lastAssignedAt: 1 }),
      { role: 'agent', _id: { $nin: [1] } },
      { lastAssignedAt: 1 },
      true,
    ],
    ['a sort on a field bound by equality asks nothing', index({ kind: 1 }), { kind: 'x' }, { kind: -1 }, true],
    [
      '... when the rest of the sort follows',
      index({ conversationId: 1, createdAt: 1 }),
      { conversationId: 1 },
      { conversationId: 1, createdAt: 1 },
      true,
    ],
    ['a sort with no filter needs the index to start with it', index({ createdAt: -1 }), {}, { createdAt: -1 }, true],
    ['a sort on a field the index lacks', index({ createdAt: -1 }), {}, { updatedAt: -1 }, false],
    ['a sort with only a range: the range need not be indexed', index({ at: 1 }), { text: /x/ }, { at: -1 }, true],
    ['equality, then range', index({ status: 1, nextAttemptAt: 1 }), { status: 'queued', nextAttemptAt: { $lte: 1 } }, undefined, true],
    [
      'range and sort on the same field',
      index({ status: 1, nextAttemptAt: 1 }),
      { status: 'queued', nextAttemptAt: { $lte: 1 } },
      { nextAttemptAt: 1 },
      true,
    ],
    [
      'range before the equality',
      index({ nextAttemptAt: 1, status: 1 }),
      { status: 'queued', nextAttemptAt: { $lte: 1 } },
      undefined,
      false,
    ],
    ['range alone on the leading field', index({ escalationDueAt: 1, _id: 1 }), { escalationDueAt: { $lte: 1 } }, undefined, true],
    ['a range the index does not follow with', index({ status: 1 }), { status: 'queued', attempts: { $lt: 3 } }, undefined, false],
    [
      '$in is equality before a sort',
      index({ status: 1, lastMessageAt: -1 }),
      { status: { $in: ['open', 'pending'] } },
      { lastMessageAt: -1 },
      true,
    ],
    [
      'a unique index bound whole serves whatever else is asked',
      index({ contactId: 1 }, true),
      { contactId: 1, status: { $ne: 'resolved' } },
      undefined,
      true,
    ],
    ['a non-unique one does not', index({ contactId: 1 }), { contactId: 1, status: { $ne: 'resolved' } }, undefined, false],
    [
      'a unique index bound in part is no point lookup',
      index({ channel: 1, externalId: 1 }, true),
      { channel: 't', status: 'x' },
      undefined,
      false,
    ],
    ['a hashed key serves equality only', index({ key: 'hashed' }), { key: { $gt: 1 } }, undefined, false],
  ])('%s', (_, idx, filter, sort, expected) => {
    const q = query(filter, sort);
    expect(q.branches.every((b) => serves(idx, b, q.sort))).toBe(expected);
  });

  test('the primary key is always there: _id with a guard is a point lookup', () => {
    expect(judge(query({ _id: new ObjectId(), status: 'queued', nextAttemptAt: new Date() }), [])).toEqual({ served: true });
  });

  test('every branch of a $or must be served, each by its own index', () => {
    const q = query({ $or: [{ escalationDueAt: { $lte: 1 } }, { slaWarnAt: { $lte: 1 } }] });
    expect(judge(q, [index({ escalationDueAt: 1 }), index({ slaWarnAt: 1 })]).served).toBe(true);
    const half = judge(q, [index({ escalationDueAt: 1 })]);
    expect(half.served).toBe(false);
    expect(half.why).toBe('the branch {slaWarnAt}: no index bounds any of slaWarnAt: a collection scan');
  });

  test.each<[string, Record<string, unknown>, Record<string, unknown> | undefined, DeclaredIndex[], string]>([
    [
      'an index that bounds part of it',
      { channel: 't', status: 'open' },
      undefined,
      [index({ channel: 1, awaitingReplySince: 1 })],
      '{channel: 1, awaitingReplySince: 1} bounds channel; status checked document by document',
    ],
    [
      'the closest index, with the sort',
      { status: 'queued', direction: 'out', nextAttemptAt: { $lte: 1 } },
      { nextAttemptAt: 1 },
      [index({ direction: 1 }), index({ status: 1, nextAttemptAt: 1 })],
      '{status: 1, nextAttemptAt: 1} bounds status, nextAttemptAt; direction checked document by document, in the index order',
    ],
    [
      'an index that bounds every field but not the sort',
      { channel: 't' },
      { lastMessageAt: -1 },
      [index({ channel: 1, awaitingReplySince: 1 })],
      '{channel: 1, awaitingReplySince: 1} bounds channel, sorted in memory',
    ],
    ['no index at all', { status: 'open' }, undefined, [index({ channel: 1 })], 'no index bounds any of status: a collection scan'],
    [
      'no index, and a sort',
      { status: 'open' },
      { at: 1 },
      [index({ channel: 1 })],
      'no index bounds any of status: a collection scan, sorted in memory',
    ],
    [
      'an index read whole for its order',
      { status: 'open' },
      { at: -1 },
      [index({ at: 1 })],
      'reads all of {at: 1} for its order, bounding none of status',
    ],
  ])('an offender says how far the closest index goes: %s', (_, filter, sort, indexes, why) => {
    expect(judge(query(filter, sort), indexes)).toEqual({ served: false, why });
  });
});

describe('the commands a query is read from', () => {
  const cmd = (name: string, body: Record<string, unknown>, documents: Record<string, Record<string, unknown>[]> = {}) => ({
    name,
    body,
    documents,
  });

  test.each<[string, ReturnType<typeof cmd>, string[]]>([
    ['find: filter and sort', cmd('find', { find: 'c', filter: { a: 1 }, sort: { b: -1 } }), ['find {a} sort {b: -1}']],
    ['count: its query', cmd('count', { count: 'c', query: { a: { $gt: 1 } } }), ['count {a: {$gt}}']],
    ['count without a query: nothing', cmd('count', { count: 'c' }), []],
    ['distinct: its query', cmd('distinct', { distinct: 'c', key: 'k', query: { a: 1 } }), ['distinct {a}']],
    [
      'findAndModify: query and sort',
      cmd('findAndModify', { findAndModify: 'c', query: { a: 1 }, sort: { b: 1 } }),
      ['findAndModify {a} sort {b: 1}'],
    ],
    [
      'update: every q of the batch',
      cmd('update', { update: 'c' }, { updates: [{ q: { a: 1 } }, { q: { _id: 1 } }, { q: { b: 1 } }] }),
      ['update {a}', 'update {b}'],
    ],
    [
      'delete: every q of the batch',
      cmd('delete', { delete: 'c' }, { deletes: [{ q: { a: { $lt: 1 } }, limit: 0 }] }),
      ['delete {a: {$lt}}'],
    ],
    [
      'aggregate: the leading $match stages merged, and a $sort among them',
      cmd('aggregate', {
        aggregate: 'c',
        pipeline: [{ $match: { a: 1 } }, { $sort: { t: 1 } }, { $match: { b: 1 } }, { $group: { _id: 1 } }, { $match: { z: 1 } }],
      }),
      ['aggregate {$and: [{a}, {b}]} sort {t: 1}'],
    ],
    [
      'aggregate: countDocuments',
      cmd('aggregate', { aggregate: 'c', pipeline: [{ $match: { a: 1 } }, { $group: { _id: 1, n: { $sum: 1 } } }] }),
      ['aggregate {a}'],
    ],
    [
      'aggregate starting elsewhere: nothing',
      cmd('aggregate', { aggregate: 'c', pipeline: [{ $group: { _id: '$a' } }, { $match: { a: 1 } }] }),
      [],
    ],
    ['insert: nothing', cmd('insert', { insert: 'c' }, { documents: [{ a: 1 }] }), []],
  ])('%s', (_, command, shapes) => {
    expect(queriesOf(command).map((q) => q.shape)).toEqual(shapes);
  });

  test('the recorder keeps declared indexes and counted shapes per database and collection, and skips the server', () => {
    const recorder = new QueryRecorder();
    const send = (db: string, name: string, body: Record<string, unknown>, documents = {}) =>
      recorder.record({ name, db, collection: typeof body[name] === 'string' ? (body[name] as string) : undefined, body, documents });
    send('t1', 'createIndexes', { createIndexes: 'messages', indexes: [{ key: { dedupeKey: 1 }, name: 'dedupeKey_1', unique: true }] });
    send('t1', 'find', { find: 'messages', filter: { dedupeKey: 'a' } });
    send('t1', 'find', { find: 'messages', filter: { dedupeKey: 'b' } });
    send('t2', 'find', { find: 'messages', filter: { dedupeKey: 'c' } });
    send('admin', 'find', { find: 'users', filter: { user: 'x' } });
    send('t1', 'find', { find: 'system.views', filter: { viewOn: 'x' } });
    send('t1', 'hello', { hello: 1 });
    expect([...recorder.recorded()].map((r) => [r.db, r.collection, r.query.shape, r.count])).toEqual([
      ['t1', 'messages', 'find {dedupeKey}', 2],
      ['t2', 'messages', 'find {dedupeKey}', 1],
    ]);
    expect(recorder.indexesOf('t1', 'messages')).toEqual([{ key: [['dedupeKey', 1]], unique: true }]);
    expect(recorder.indexesOf('t2', 'messages')).toEqual([]);
  });
});

describe('the report over a run', () => {
  const row = (db: string, collection: string, filter: Record<string, unknown>, count = 1): RecordedQuery => ({
    db,
    collection,
    query: query(filter),
    count,
  });
  const indexes: Record<string, DeclaredIndex[]> = { 't1/messages': [index({ dedupeKey: 1 }, true)] };
  const indexesOf = (db: string, collection: string) => indexes[`${db}/${collection}`] ?? [];

  test('offenders are deduped by collection and shape, counted, and matched against the allowlist', () => {
    const allowlist: AllowedQuery[] = [
      { collection: 'messages', shape: 'find {direction}', reason: 'to be served by an index: {direction: 1}' },
      { collection: 'upserts', shape: '*', reason: 'a fixture of store-semantics.test.ts' },
      { collection: 'messages', shape: 'find {gone}', reason: 'no longer sent' },
    ];
    const report = analyse(
      [
        row('t1', 'messages', { dedupeKey: 'a' }, 5),
        row('t2', 'messages', { dedupeKey: 'a' }, 2),
        row('t1', 'messages', { direction: 'in' }, 3),
        row('t2', 'messages', { direction: 'out' }, 4),
        row('t1', 'messages', { text: 'x' }),
        row('s1', 'upserts', { key: 'k' }),
      ],
      indexesOf,
      allowlist,
    );
    expect(report.offenders.map((o) => [o.collection, o.shape, o.count, o.databases, o.servedIn])).toEqual([
      ['messages', 'find {dedupeKey}', 2, ['t2'], 1],
      ['messages', 'find {direction}', 7, ['t1', 't2'], 0],
      ['messages', 'find {text}', 1, ['t1'], 0],
      ['upserts', 'find {key}', 1, ['s1'], 0],
    ]);
    expect(report.unexpected.map((o) => o.shape)).toEqual(['find {dedupeKey}', 'find {text}']);
    expect(report.stale).toEqual([allowlist[2]]);
    const table = formatReport(report);
    expect(table).toMatch(/messages\s+7\s+t1\s+find \{direction\}/);
    expect(table).toContain('✓ allowed: to be served by an index: {direction: 1}');
    expect(table).toContain('✗ NOT ALLOWED');
    expect(table).toContain('served in 1 other database(s)');
    expect(table).toContain('stale allowlist entry (no longer sent unserved): messages find {gone}');
  });

  test('a clean run says so', () => {
    expect(formatReport(analyse([row('t1', 'messages', { dedupeKey: 'a' })], indexesOf, []))).toMatch(/every filter and sort .* is served/);
  });

  test.each<[string, Record<string, unknown>, boolean]>([
    ['npm test', { testPathPatterns: { patterns: [] } }, true],
    ['npm test -- test/x.test.ts', { testPathPatterns: { patterns: ['test/x.test.ts'] } }, false],
    ['-t name', { testPathPatterns: { patterns: [] }, testNamePattern: 'x' }, false],
    ['--onlyChanged', { onlyChanged: true }, false],
    ['--shard 1/2', { shard: { shardIndex: 1, shardCount: 2 } }, false],
  ])('the whole suite ran: %s', (_, config, whole) => {
    expect(isWholeSuite(config)).toBe(whole);
  });
});
