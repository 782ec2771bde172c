import { z } from 'zod';
import { AppError, ErrorCode } from './errors';

/** Every problem zod found, each with where it is (`entry.0.changes.1.value.messages.0.from: …`), at most `limit`. */
export function describeIssues(error: z.ZodError, limit = 5): string {
  const issues = error.issues.slice(0, limit).map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`);
  const more = error.issues.length - issues.length;
  return `${issues.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

/**
 * Parses an input at an edge (a webhook body, a platform update) with its schema. What cannot be such an input is a
 * BadInput naming every problem, so the caller answers 400 and stores nothing.
 */
export function parseOrReject<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new AppError(ErrorCode.BadInput, `${what}: ${describeIssues(result.error)}`, result.error.issues);
}

/** What String() makes of a value that is not an id: never taken for one, even when a body sends it as text. */
const notIds = new Set(['undefined', 'null', 'NaN', 'Infinity', '-Infinity', 'true', 'false', '[object Object]']);

/** False for `undefined`, `[object Object]` and their kind: what a sender's bug writes where an id belongs. */
export const isNotTextOfMissingValue = (value: string): boolean => !notIds.has(value.trim());

/** A platform's opaque id as text: of the platform's alphabet, and never the text of a missing value. */
export const idString = (pattern: RegExp, what: string) =>
  z.string().regex(pattern, `must be ${what}`).refine(isNotTextOfMissingValue, `must be ${what}, not the text of a missing value`);
