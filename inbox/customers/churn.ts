import { kyivDay } from './days';

/**
 * A customer is active at `t` when they interacted in [t − window, t). The store answers that from each customer's
 * days (their first and latest time of the day), so the range comes with the Kyiv days that bound the read.
 */
export function activeRange(t: Date, windowMs: number): { from: Date; to: Date; fromDay: string; toDay: string } {
  const from = new Date(t.getTime() - windowMs);
  return { from, to: t, fromDay: kyivDay(from), toDay: kyivDay(t) };
}

/** The inputs of a period's churn: active at its start, active at its end, new in it. */
export interface ChurnInputs {
  c1: number;
  c2: number;
  c3: number;
}

export interface ChurnRates {
  /** (C1 − C2) / C1: how far the active customers fell, new ones making up for the lost. */
  churnNet: number | null;
  /** (C1 + C3 − C2) / C1: the share of the customers there were or came who are no longer active. */
  churnWithNew: number | null;
}

/** Both formulas; null when nobody was active at the start (C1 = 0: the rate is undefined, not zero). */
export function churnRates({ c1, c2, c3 }: ChurnInputs): ChurnRates {
  if (c1 === 0) return { churnNet: null, churnWithNew: null };
  return { churnNet: (c1 - c2) / c1, churnWithNew: (c1 + c3 - c2) / c1 };
}
