import fc from 'fast-check';

/**
 * Bodies that are almost what a platform sends: a real webhook body with one value somewhere swapped for something
 * of the wrong kind (an object for a date, a float or a list for an id, null, a huge number) or taken out; and,
 * beside those, any JSON at all and text that is not JSON.
 */

type Path = (string | number)[];

/** Every place in a JSON document a value sits at. */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => [[...prefix, i], ...pathsOf(item, [...prefix, i])]);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [[...prefix, key], ...pathsOf(item, [...prefix, key])]);
  }
  return [];
}

const wrongValue = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e21, Number.MAX_SAFE_INTEGER + 2, '', 'undefined', 'null', '[object Object]'),
  fc.constantFrom({}, [], [1, 2], { id: 5 }, { $gt: '' }, ['a'], { toString: 'x' }),
  fc.string({ maxLength: 20 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.jsonValue({ maxDepth: 2 }),
);

type Mutation = { at: number; value?: unknown; remove?: true };

function mutate(document: unknown, { at, value, remove }: Mutation): unknown {
  const copy = structuredClone(document);
  const paths = pathsOf(copy);
  if (paths.length === 0) return value;
  const path = paths[at % paths.length] as Path;
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (remove && !Array.isArray(parent)) delete parent[last];
  else parent[last] = value;
  return copy;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ at: fc.nat(), value: wrongValue }),
  fc.record({ at: fc.nat(), remove: fc.constant(true as const) }),
);

/** One or two wrong values in one of the given real bodies. */
export function nearlyReal(bodies: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc
    .tuple(fc.constantFrom(...bodies), fc.array(mutation, { minLength: 1, maxLength: 2 }))
    .map(([body, mutations]) => mutations.reduce((doc, m) => mutate(doc, m), body));
}

/** The text of a malformed body: mostly nearly-real JSON, some any JSON, a few not JSON at all. */
export function malformedBody(bodies: readonly unknown[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: nearlyReal(bodies).map((b) => JSON.stringify(b) ?? 'null') },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((b) => JSON.stringify(b)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );
}

/** Ids a contact or a message must never get from a body: what String() makes of a missing, null or object value. */
export const impossibleIds = /^(undefined|null|NaN|-?Infinity|true|false)$|\[object |:(undefined|null|NaN)$|^-?\d+,\d/;
