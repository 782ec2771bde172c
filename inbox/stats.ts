/** Summary of durations; percentiles by the nearest-rank method (the value below which p% of samples fall). */
export interface Stats {
  count: number;
  avgMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

export function summarize(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const count = sorted.length;
  return {
    count,
    avgMs: count ? Math.round(sorted.reduce((s, v) => s + v, 0) / count) : null,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p95Ms: percentile(sorted, 95),
    maxMs: count ? (sorted[count - 1] ?? null) : null,
  };
}

/**
 * Durations summarized: exact count, sum and max, a logarithmic histogram, and the values themselves while there
 * are at most so many of them (the report keeps EXACT_RANGE_LIMIT of a row's values; EXACT_VALUES is the default).
 *
 * Histogram bucket b holds durations in (GROWTH^(b-1), GROWTH^b] ms (bucket 0: up to 1 ms). A percentile read from
 * it is the upper edge of the bucket holding the nearest-rank sample, capped at the exact maximum: never below the
 * true value and less than 2% (plus 1 ms of rounding) above it.
 */
export interface Durations {
  count: number;
  sumMs: number;
  maxMs: number | null;
  hist: [number, number][];
  values: number[] | null;
}

export const GROWTH = 1.02;
/** Values kept by default when durations are summarized or merged. */
export const EXACT_VALUES = 256;
/** Above this many samples of a row's kind in a range, percentiles come from the histogram. */
export const EXACT_RANGE_LIMIT = 20_000;

const LOG_GROWTH = Math.log(GROWTH);
export const bucketOf = (ms: number): number => (ms <= 1 ? 0 : Math.ceil(Math.log(ms) / LOG_GROWTH - 1e-9));
const upperEdge = (bucket: number): number => Math.ceil(GROWTH ** bucket);

export const emptyDurations = (): Durations => ({ count: 0, sumMs: 0, maxMs: null, hist: [], values: [] });

export function durationsOf(values: readonly number[] | Float64Array, keepValues = EXACT_VALUES): Durations {
  const counts = new Map<number, number>();
  let sum = 0;
  let max: number | null = null;
  for (const v of values) {
    sum += v;
    max = max === null || v > max ? v : max;
    const b = bucketOf(v);
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  return {
    count: values.length,
    sumMs: sum,
    maxMs: max,
    hist: [...counts.entries()].sort((a, b) => a[0] - b[0]),
    values: values.length <= keepValues ? [...values].sort((a, b) => a - b) : null,
  };
}

export function mergeDurations(parts: readonly Durations[], keepValues = EXACT_VALUES): Durations {
  const counts = new Map<number, number>();
  let count = 0;
  let sum = 0;
  let max: number | null = null;
  let values: number[] | null = [];
  for (const p of parts) {
    if (p.count === 0) continue;
    count += p.count;
    sum += p.sumMs;
    if (p.maxMs !== null && (max === null || p.maxMs > max)) max = p.maxMs;
    for (const [b, n] of p.hist) counts.set(b, (counts.get(b) ?? 0) + n);
    values = values && p.values && count <= keepValues ? values.concat(p.values) : null;
  }
  return {
    count,
    sumMs: sum,
    maxMs: max,
    hist: [...counts.entries()].sort((a, b) => a[0] - b[0]),
    values: values ? values.sort((a, b) => a - b) : null,
  };
}

function histogramPercentile(d: Durations, p: number): number | null {
  if (d.count === 0) return null;
  const rank = Math.min(d.count, Math.max(1, Math.ceil((p / 100) * d.count)));
  let seen = 0;
  for (const [b, n] of d.hist) {
    seen += n;
    if (seen >= rank) return Math.min(upperEdge(b), d.maxMs ?? Number.POSITIVE_INFINITY);
  }
  return d.maxMs;
}

/** Stats of pre-aggregated durations: exact while the values are known, from the histogram beyond. */
export function summarizeDurations(d: Durations): Stats {
  if (d.values && d.values.length === d.count) return summarize(d.values);
  return {
    count: d.count,
    avgMs: d.count ? Math.round(d.sumMs / d.count) : null,
    p50Ms: histogramPercentile(d, 50),
    p90Ms: histogramPercentile(d, 90),
    p95Ms: histogramPercentile(d, 95),
    maxMs: d.maxMs,
  };
}
