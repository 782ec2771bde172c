import ms from 'ms';
import { z } from 'zod';

/** Parses `ms`-style durations (`500ms`, `2s`, `10m`, `4h`) or plain milliseconds into a positive number of ms. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  const value = /^\d+$/.test(trimmed) ? Number(trimmed) : ms(trimmed as ms.StringValue);
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

export const durationSchema = z.string().transform((text, ctx) => {
  const value = parseDuration(text);
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration such as 500ms, 2s, 10m or 4h` });
    return z.NEVER;
  }
  return value;
});
