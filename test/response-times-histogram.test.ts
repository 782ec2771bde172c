import { bucketOf, durationsOf, EXACT_VALUES, GROWTH, mergeDurations, summarize, summarizeDurations } from '../inbox/stats';

/** A deterministic spread of waits from 1 s to about 6 h (no randomness: the same figures on every run). */
function waits(n: number, seed: number): number[] {
  const out: number[] = [];
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out.push(1000 + Math.floor((x / 2 ** 31) ** 3 * 6 * 3600_000));
  }
  return out;
}

describe('pre-aggregated durations', () => {
  it('are exact while few: percentiles by nearest rank, as over the raw values', () => {
    const values = [120_000, 660_000, 180_000];
    expect(summarizeDurations(durationsOf(values))).toEqual(summarize(values));
    const merged = mergeDurations([durationsOf([120_000]), durationsOf([660_000, 180_000])]);
    expect(summarizeDurations(merged)).toEqual({
      count: 3,
      avgMs: 320_000,
      p50Ms: 180_000,
      p90Ms: 660_000,
      p95Ms: 660_000,
      maxMs: 660_000,
    });
  });

  it('over many values: count, average and maximum stay exact; percentiles are within 2% above the truth', () => {
    const hours = Array.from({ length: 48 }, (_, h) => waits(800, h + 1));
    const merged = mergeDurations(hours.map((v) => durationsOf(v)));
    expect(merged.values).toBeNull();
    const exact = summarize(hours.flat());
    const approx = summarizeDurations(merged);
    expect(approx.count).toBe(exact.count);
    expect(approx.avgMs).toBe(exact.avgMs);
    expect(approx.maxMs).toBe(exact.maxMs);
    for (const p of ['p50Ms', 'p90Ms', 'p95Ms'] as const) {
      const truth = exact[p] ?? 0;
      const reported = approx[p] ?? 0;
      expect(reported).toBeGreaterThanOrEqual(truth);
      expect(reported).toBeLessThanOrEqual(Math.ceil(truth * GROWTH) + 1);
    }
  });

  it('keep the values of a bucket only up to the limit', () => {
    expect(durationsOf(waits(EXACT_VALUES, 7)).values).toHaveLength(EXACT_VALUES);
    expect(durationsOf(waits(EXACT_VALUES + 1, 7)).values).toBeNull();
  });

  it('put each duration in the bucket whose upper edge is the first at or above it', () => {
    for (const ms of [2, 999, 1000, 1001, 59_999, 60_000, 3600_000, 86_400_000]) {
      const b = bucketOf(ms);
      expect(GROWTH ** b).toBeGreaterThanOrEqual(ms * (1 - 1e-9));
      expect(GROWTH ** (b - 1)).toBeLessThan(ms);
    }
    expect(bucketOf(0)).toBe(0);
  });
});
