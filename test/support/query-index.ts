import type { Document } from 'mongodb';

/**
 * Which queries no declared index serves: the pure half of the suite's index check (test/support/query-recorder.ts
 * records what the suite sends; the global teardown fails the run on what this file finds).
 *
 * The queries. From each command the suite sends: `find` (filter, sort), `count` (query), `aggregate` (its leading
 * `$match` stages, merged, and a `$sort` among them), `update` (every `updates[].q`, and its `sort`), `delete`
 * (every `deletes[].q`), `findAndModify` (query, sort), `distinct` (query). A filter that is empty or names only
 * `_id`, without a sort other than on `_id`, is left out: the primary key serves it.
 *
 * A filter becomes one or more conjunctions ("branches"): its top-level fields and the items of a top-level `$and`
 * merged into one; a `$or` (at the top, or inside `$and` or another `$or`) gives one branch per alternative, each
 * with the rest of the filter, because MongoDB plans every alternative of a `$or` on its own and scans the whole
 * collection if one of them has no index. Within a branch every field (dotted paths are fields of their own; a
 * `$elemMatch` on objects gives `field.sub` paths) is:
 * - equality: a plain value (`null` and embedded documents included), `$eq`, `$in` and `$all`. `$in` is not a single
 *   point, but MongoDB scans a small `$in` as that many equality bounds and merges their order for a sort (up to 200
 *   combinations), so for ESR it counts as equality, as MongoDB's own guidance does;
 * - range: `$gt`, `$gte`, `$lt`, `$lte`, `$ne`, `$nin`, `$exists`, `$not`, `$type`, `$size`, `$mod`, `$regex` or a
 *   regular expression, `$elemMatch` on values: anything an index can bound but not to one point;
 * - left out: `$expr`, `$where`, `$text`, `$nor`, `$jsonSchema`, `$comment`, which no index bounds; they filter the
 *   documents the rest of the query fetched.
 * A field with both equality and range operators counts as equality (the tighter bound). A sort field bound by
 * equality in the branch is dropped from the sort (it is one value, so any order of it holds); `$natural` and
 * `$meta` sorts ask nothing.
 *
 * The rule (MongoDB's ESR: Equality, then Sort, then Range). A declared index (the key pattern of a `createIndexes`
 * the suite sent for that collection of that database, or the implicit `{_id: 1}`) serves a branch when either
 * - it is unique (`_id` included) and every one of its fields is an equality field of the branch: a point lookup,
 *   whatever else the branch asks (a guarded write, `{_id, status: 'queued'}`, reads one document); or
 * - its first n fields are exactly the branch's n equality fields, in any order (n may be 0), and then:
 *   - with a sort: its next fields are the sort's fields in the sort's order, with directions all the same as the
 *     sort's or all reversed (an index is read both ways); the range fields need not be in the index then, they are
 *     checked on what the index yields already in order;
 *   - without a sort: its next field is one of the branch's range fields, or the branch has no range field and
 *     n > 0 (the equality fields alone are the bounds).
 * A query is served when every branch is served, each by some index (the same sort for all). Anything else is an
 * offender: it scans the whole collection, or bounds only some of its equality fields by the index and checks the
 * rest document by document, or sorts in memory what it read. (So an equality field outside the index's prefix is
 * an offender even where the index narrows the query to a handful of documents: ESR names the index that would serve
 * the query whole, and whether the handful is acceptable is the allowlist's reason to give.) A branch that bounds
 * nothing (a `$where` alone) and has no sort is served by no index.
 *
 * Not modelled, to stay simple: partial and sparse indexes count as full ones, collation is ignored, a key that is
 * not 1 or -1 (hashed, text, 2dsphere) serves equality only, and an index dropped during the run still counts.
 */

export type Direction = 1 | -1;
export type SortSpec = [field: string, direction: Direction][];

/** One conjunction of a filter: the fields it bounds to points, and those it bounds to ranges. */
export interface Branch {
  equality: string[];
  range: string[];
}

/** A query with its values dropped: what is analysed, and what the report dedupes on. */
export interface QueryShape {
  command: string;
  /** `find {channel, externalId} sort {createdAt: -1}`: field names and operators, never values. */
  shape: string;
  branches: Branch[];
  sort: SortSpec;
}

export interface DeclaredIndex {
  key: [field: string, direction: unknown][];
  unique: boolean;
}

/** The implicit index of every collection. */
export const PRIMARY_KEY: DeclaredIndex = { key: [['_id', 1]], unique: true };

const EQUALITY_OPERATORS = new Set(['$eq', '$in', '$all']);
/** Top-level operators no index bounds: left out of the branches, kept in the shape. */
const UNBOUNDED_OPERATORS = new Set(['$expr', '$where', '$text', '$nor', '$jsonSchema', '$comment', '$sampleRate']);
/** More branches than this and the rest are dropped: enough to find the alternative that no index serves. */
const MAX_BRANCHES = 64;

/** A document or operator object, not a value (an ObjectId, a Date, a Binary): by tag, so it holds across realms. */
const isPlainObject = (value: unknown): value is Document =>
  typeof value === 'object' &&
  value !== null &&
  Object.prototype.toString.call(value) === '[object Object]' &&
  (value as { _bsontype?: unknown })._bsontype === undefined;
const isRegex = (value: unknown) =>
  value instanceof RegExp || (typeof value === 'object' && value !== null && (value as { _bsontype?: string })._bsontype === 'BSONRegExp');
/** `{$gt: 1, $lt: 5}`: an object of operators (`{a: 1}` is an embedded document compared whole). */
const isOperatorObject = (value: unknown): value is Document => {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => k.startsWith('$'));
};

// ---- shapes ----

function shapeOfValue(value: unknown): string | undefined {
  if (isRegex(value)) return '/regex/';
  if (!isOperatorObject(value)) return undefined;
  const parts = Object.keys(value)
    .sort()
    .map((op) => {
      const operand = value[op];
      if (op === '$elemMatch' && isPlainObject(operand)) {
        return `$elemMatch: ${isOperatorObject(operand) ? (shapeOfValue(operand) ?? '{}') : shapeOfFilter(operand)}`;
      }
      if (op === '$not') {
        const inner = shapeOfValue(operand);
        return inner ? `$not: ${inner}` : op;
      }
      return op;
    });
  return `{${parts.join(', ')}}`;
}

/** `{channel, status: {$in}, $or: [{a}, {b: {$gt}}]}`: the filter's fields (sorted) and operators, no values. */
export function shapeOfFilter(filter: Document): string {
  const parts = Object.keys(filter)
    .sort()
    .map((key) => {
      const value = filter[key];
      if ((key === '$and' || key === '$or' || key === '$nor') && Array.isArray(value)) {
        return `${key}: [${value.map((item) => (isPlainObject(item) ? shapeOfFilter(item) : '?')).join(', ')}]`;
      }
      if (key.startsWith('$')) return key;
      const inner = shapeOfValue(value);
      return inner ? `${key}: ${inner}` : key;
    });
  return `{${parts.join(', ')}}`;
}

const shapeOfSort = (sort: SortSpec) => `{${sort.map(([field, direction]) => `${field}: ${direction}`).join(', ')}}`;

// ---- branches ----

interface Conjunction {
  equality: Set<string>;
  range: Set<string>;
}

const emptyConjunction = (): Conjunction => ({ equality: new Set(), range: new Set() });
const copy = (c: Conjunction): Conjunction => ({ equality: new Set(c.equality), range: new Set(c.range) });

function merge(a: Conjunction, b: Conjunction): Conjunction {
  const merged = copy(a);
  for (const f of b.equality) merged.equality.add(f);
  for (const f of b.range) merged.range.add(f);
  return merged;
}

function cross(left: Conjunction[], right: Conjunction[]): Conjunction[] {
  const out: Conjunction[] = [];
  for (const a of left) for (const b of right) if (out.length < MAX_BRANCHES) out.push(merge(a, b));
  return out;
}

/** What one field's condition bounds: itself, or with `$elemMatch` on objects, the paths under it. */
function conditionOf(field: string, value: unknown): Conjunction[] {
  const one = emptyConjunction();
  if (isRegex(value)) {
    one.range.add(field);
    return [one];
  }
  if (!isOperatorObject(value)) {
    one.equality.add(field);
    return [one];
  }
  let branches: Conjunction[] = [one];
  let equality = false;
  let range = false;
  for (const [op, operand] of Object.entries(value)) {
    if (op === '$elemMatch' && isPlainObject(operand) && !isOperatorObject(operand)) {
      // Conditions on the elements' fields: `{items: {$elemMatch: {sku: 1}}}` bounds `items.sku`.
      const prefixed = conjunctionsOf(operand).map((c) => ({
        equality: new Set([...c.equality].map((f) => `${field}.${f}`)),
        range: new Set([...c.range].map((f) => `${field}.${f}`)),
      }));
      branches = cross(branches, prefixed);
    } else if (EQUALITY_OPERATORS.has(op)) {
      equality = true;
    } else if (op !== '$options') {
      range = true;
    }
  }
  for (const b of branches) {
    if (equality) b.equality.add(field);
    else if (range) b.range.add(field);
  }
  return branches;
}

function conjunctionsOf(filter: Document): Conjunction[] {
  let branches: Conjunction[] = [emptyConjunction()];
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const item of value) if (isPlainObject(item)) branches = cross(branches, conjunctionsOf(item));
    } else if (key === '$or' && Array.isArray(value)) {
      const alternatives = value.filter(isPlainObject).flatMap((item) => conjunctionsOf(item));
      if (alternatives.length > 0) branches = cross(branches, alternatives);
    } else if (UNBOUNDED_OPERATORS.has(key) || key.startsWith('$')) {
      // no index bounds it
    } else {
      branches = cross(branches, conditionOf(key, value));
    }
  }
  // Equality is the tighter bound when a field has both.
  for (const b of branches) for (const f of b.equality) b.range.delete(f);
  return branches;
}

/** The filter's conjunctions, `$and` merged and `$or` expanded, with their equality and range fields. */
export function branchesOf(filter: Document): Branch[] {
  return conjunctionsOf(filter).map((c) => ({ equality: [...c.equality].sort(), range: [...c.range].sort() }));
}

/** `{a: 1, b: -1}` as the wire sends it; `$natural` and `{$meta}` sorts ask nothing of an index. */
export function sortOf(sort: unknown): SortSpec {
  if (!isPlainObject(sort)) return [];
  const spec: SortSpec = [];
  for (const [field, direction] of Object.entries(sort)) {
    if (field === '$natural' || typeof direction === 'object') return [];
    spec.push([field, Number(direction) < 0 ? -1 : 1]);
  }
  return spec;
}

/**
 * The query a filter and sort make, or undefined when the primary key serves it whatever the indexes (no filter
 * and no sort, or only `_id` in both).
 */
export function queryShape(command: string, filter: unknown, sort: unknown = undefined): QueryShape | undefined {
  const f = isPlainObject(filter) ? filter : {};
  const s = sortOf(sort);
  const fields = Object.keys(f).filter((k) => k !== '$comment');
  if (fields.every((k) => k === '_id') && s.every(([field]) => field === '_id')) return undefined;
  const shape = `${command} ${shapeOfFilter(f)}${s.length ? ` sort ${shapeOfSort(s)}` : ''}`;
  return { command, shape, branches: branchesOf(f), sort: s };
}

/** The command's query-shaped parts: a command and its batches, as test/support/wire-tap.ts logs them. */
export function queriesOf(command: { name: string; body: Document; documents: Record<string, Document[]> }): QueryShape[] {
  const { name, body, documents } = command;
  const shapes: (QueryShape | undefined)[] = [];
  switch (name) {
    case 'find':
      shapes.push(queryShape(name, body.filter, body.sort));
      break;
    case 'count':
    case 'distinct':
      shapes.push(queryShape(name, body.query));
      break;
    case 'findAndModify':
      shapes.push(queryShape(name, body.query, body.sort));
      break;
    case 'update':
      for (const u of documents.updates ?? []) shapes.push(queryShape(name, u.q, u.sort));
      break;
    case 'delete':
      for (const d of documents.deletes ?? []) shapes.push(queryShape(name, d.q));
      break;
    case 'aggregate': {
      // The leading $match stages (MongoDB coalesces them) and a $sort among them: what the first stage reads.
      const matches: Document[] = [];
      let sort: unknown;
      for (const stage of Array.isArray(body.pipeline) ? body.pipeline : []) {
        if (isPlainObject(stage) && isPlainObject(stage.$match)) matches.push(stage.$match);
        else if (isPlainObject(stage) && isPlainObject(stage.$sort) && sort === undefined) sort = stage.$sort;
        else break;
      }
      if (matches.length > 0 || sort !== undefined) {
        shapes.push(queryShape(name, matches.length === 1 ? matches[0] : matches.length ? { $and: matches } : {}, sort));
      }
      break;
    }
  }
  return shapes.filter((s): s is QueryShape => s !== undefined);
}

// ---- the rule ----

const directionOf = (value: unknown): Direction | undefined => (value === 1 || value === -1 ? value : undefined);

/** Whether `index` serves one branch with `sort` (see the rule above). */
export function serves(index: DeclaredIndex, branch: Branch, sort: SortSpec): boolean {
  const key = index.key.map(([field, direction]) => [field, typeof direction === 'number' ? directionOf(direction) : undefined] as const);
  const equality = new Set(branch.equality);
  if (index.unique && key.length > 0 && key.every(([field]) => equality.has(field))) return true;

  const n = equality.size;
  if (key.length < n) return false;
  if (!key.slice(0, n).every(([field]) => equality.has(field))) return false;

  const rest = sort.filter(([field]) => !equality.has(field));
  if (rest.length > 0) {
    const following = key.slice(n, n + rest.length);
    if (following.length < rest.length) return false;
    const same = rest.every(([field, direction], i) => following[i]?.[0] === field && following[i]?.[1] === direction);
    const reversed = rest.every(([field, direction], i) => following[i]?.[0] === field && following[i]?.[1] === -direction);
    return same || reversed;
  }
  if (branch.range.length === 0) return n > 0;
  const next = key[n];
  return next !== undefined && next[1] !== undefined && branch.range.includes(next[0]);
}

export interface Verdict {
  served: boolean;
  /** For an offender: why, in a few words, for the report. */
  why?: string;
}

const describeKey = (index: DeclaredIndex) => `{${index.key.map(([f, d]) => `${f}: ${String(d)}`).join(', ')}}`;

/** Whether the declared indexes (the primary key is added) serve every branch of the query. */
export function judge(query: QueryShape, declared: readonly DeclaredIndex[]): Verdict {
  const indexes = [PRIMARY_KEY, ...declared];
  for (const branch of query.branches) {
    if (indexes.some((index) => serves(index, branch, query.sort))) continue;
    const which = query.branches.length > 1 ? `the branch {${[...branch.equality, ...branch.range].join(', ')}}: ` : '';
    return { served: false, why: `${which}${explain(branch, query.sort, indexes)}` };
  }
  return { served: true };
}

/** How far the closest index goes for a branch no index serves: which fields it bounds, and whether it gives the sort. */
function explain(branch: Branch, sort: SortSpec, indexes: readonly DeclaredIndex[]): string {
  const equality = new Set(branch.equality);
  const rest = sort.filter(([field]) => !equality.has(field));
  const uses = indexes.map((index) => {
    const key = index.key.map(([field, direction]) => [field, directionOf(direction)] as const);
    let p = 0;
    while (p < key.length && equality.has(key[p]?.[0] ?? '')) p += 1;
    const bound = key.slice(0, p).map(([field]) => field);
    const following = key.slice(p, p + rest.length);
    const sorted =
      rest.length > 0 &&
      following.length === rest.length &&
      [1, -1].some((flip) => rest.every(([field, direction], i) => following[i]?.[0] === field && following[i]?.[1] === direction * flip));
    const next = key[p];
    if (next?.[1] !== undefined && branch.range.includes(next[0]) && (rest.length === 0 || sorted || rest[0]?.[0] === next[0])) {
      bound.push(next[0]);
    }
    return { index, bound, sorted, score: bound.length * 2 + (sorted ? 1 : 0) };
  });
  const best = uses.reduce((a, b) => (b.score > a.score ? b : a));
  const fields = [...branch.equality, ...branch.range];
  const unbounded = fields.filter((f) => !best.bound.includes(f));
  const sortText = rest.length === 0 ? '' : best.sorted ? ', in the index order' : ', sorted in memory';
  if (best.bound.length === 0) {
    return best.sorted
      ? `reads all of ${describeKey(best.index)} for its order, bounding none of ${fields.join(', ')}`
      : `no index bounds any of ${fields.join(', ') || 'its fields'}: a collection scan${sortText}`;
  }
  const checked = unbounded.length ? `; ${unbounded.join(', ')} checked document by document` : '';
  return `${describeKey(best.index)} bounds ${best.bound.join(', ')}${checked}${sortText}`;
}

// ---- over a whole run ----

/** What the recorder kept: one row per database, collection and query shape. */
export interface RecordedQuery {
  db: string;
  collection: string;
  query: QueryShape;
  count: number;
}

/** An allowed offender: its collection, and its shape as the report prints it or `*` for a whole fixture collection. */
export interface AllowedQuery {
  collection: string;
  shape: string;
  reason: string;
}

export interface Offender {
  collection: string;
  shape: string;
  /** How many times it was sent where no index served it. */
  count: number;
  /** The databases it was sent to unserved (one is an example for the report). */
  databases: string[];
  /** Databases where the same shape was served (a database the suite made without the app's indexes, say). */
  servedIn: number;
  why: string;
  allowed?: AllowedQuery;
}

export interface IndexReport {
  offenders: Offender[];
  /** Offenders the allowlist does not name: these fail the run. */
  unexpected: Offender[];
  /** Allowlist entries no offender matched (meaningful only over the whole suite). */
  stale: AllowedQuery[];
}

const allows = (entry: AllowedQuery, collection: string, shape: string) =>
  entry.collection === collection && (entry.shape === '*' || entry.shape === shape);

/** The offenders of a run, deduped by collection and shape, each matched against the allowlist. */
export function analyse(
  recorded: Iterable<RecordedQuery>,
  indexesOf: (db: string, collection: string) => readonly DeclaredIndex[],
  allowlist: readonly AllowedQuery[],
): IndexReport {
  const byShape = new Map<string, Offender>();
  const served = new Map<string, number>();
  for (const row of recorded) {
    const id = `${row.collection}\0${row.query.shape}`;
    const verdict = judge(row.query, indexesOf(row.db, row.collection));
    if (verdict.served) {
      served.set(id, (served.get(id) ?? 0) + 1);
      continue;
    }
    const offender = byShape.get(id) ?? {
      collection: row.collection,
      shape: row.query.shape,
      count: 0,
      databases: [],
      servedIn: 0,
      why: verdict.why ?? '',
      allowed: allowlist.find((entry) => allows(entry, row.collection, row.query.shape)),
    };
    offender.count += row.count;
    if (!offender.databases.includes(row.db)) offender.databases.push(row.db);
    byShape.set(id, offender);
  }
  const offenders = [...byShape.entries()]
    .map(([id, o]) => ({ ...o, servedIn: served.get(id) ?? 0 }))
    .sort((a, b) => a.collection.localeCompare(b.collection) || a.shape.localeCompare(b.shape));
  return {
    offenders,
    unexpected: offenders.filter((o) => !o.allowed),
    stale: allowlist.filter((entry) => !offenders.some((o) => allows(entry, o.collection, o.shape))),
  };
}

/** The report as a table: collection, times, an example database, the shape, and under it why and the verdict. */
export function formatReport(report: IndexReport): string {
  if (report.offenders.length === 0) return 'index check: every filter and sort the suite sent is served by a declared index';
  const rows = report.offenders.map((o) => [o.collection, String(o.count), o.databases[0] ?? '', o.shape] as const);
  const header = ['collection', 'times', 'example database', 'query shape'] as const;
  const width = (i: 0 | 1 | 2) => Math.max(header[i].length, ...rows.map((r) => r[i].length));
  const [w0, w1, w2] = [width(0), width(1), width(2)];
  const line = (r: readonly [string, string, string, string]) => `  ${r[0].padEnd(w0)}  ${r[1].padStart(w1)}  ${r[2].padEnd(w2)}  ${r[3]}`;
  const indent = ' '.repeat(2 + w0 + 2 + w1 + 2 + w2 + 2);
  const out = ['index check: queries no declared index serves (ESR: equality, then sort, then range)', line(header)];
  report.offenders.forEach((o, i) => {
    const row = rows[i];
    if (!row) return;
    out.push(line(row));
    const elsewhere = o.servedIn ? `; served in ${o.servedIn} other database(s)` : '';
    out.push(`${indent}↳ ${o.why}${elsewhere}`);
    out.push(
      `${indent}${o.allowed ? `✓ allowed: ${o.allowed.reason}` : '✗ NOT ALLOWED: add an index, or an entry to test/support/unindexed-queries.ts'}`,
    );
  });
  for (const entry of report.stale) out.push(`  stale allowlist entry (no longer sent unserved): ${entry.collection} ${entry.shape}`);
  return out.join('\n');
}

/** The parts of jest's global config that say whether this run is the whole suite. */
export interface RunConfig {
  testPathPatterns?: { patterns?: string[] } | string[];
  testNamePattern?: string;
  onlyChanged?: boolean;
  onlyFailures?: boolean;
  findRelatedTests?: boolean;
  changedSince?: string;
  lastCommit?: boolean;
  shard?: unknown;
}

/**
 * The whole suite ran: no file path, test name, changed-files or shard filter on the command line (`npm test`,
 * `.ci/run`). Only then can an allowlist entry that nothing matched be called stale: a single file's run does not
 * send the queries of the others.
 */
export function isWholeSuite(config: RunConfig): boolean {
  const patterns = Array.isArray(config.testPathPatterns) ? config.testPathPatterns : (config.testPathPatterns?.patterns ?? []);
  return (
    patterns.length === 0 &&
    !config.testNamePattern &&
    !config.onlyChanged &&
    !config.onlyFailures &&
    !config.findRelatedTests &&
    !config.changedSince &&
    !config.lastCommit &&
    !config.shard
  );
}
