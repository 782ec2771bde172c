import type { z } from 'zod';
import { AppError, ErrorCode } from '../../shared/errors';

/** Parses an edge input with its schema; the first problem becomes a 400 naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'body';
  throw new AppError(ErrorCode.BadInput, `${where}: ${issue?.message ?? 'invalid'}`, result.error.issues);
}
