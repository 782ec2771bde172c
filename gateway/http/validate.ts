import type { z } from 'zod';
import { AppError, ErrorCode } from '../../shared/errors';
import { describeIssues } from '../../shared/validation';

/** Parses an edge input with its schema; a 400 names every field at fault at once, not one per try. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new AppError(ErrorCode.BadInput, describeIssues(result.error, 10), result.error.issues);
}
