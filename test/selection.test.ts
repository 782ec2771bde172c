import { joinRuns, percentilesOf } from '../inbox/selection';
import { percentile } from '../inbox/stats';

/** The funnel's medians and p90s are read by selection; they must be what a sort would give, to the millisecond. */
describe('percentiles by selection', () => {
  let seed = 11;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const bySort = (values: Float64Array, ps: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return ps.map((p) => percentile(sorted, p));
  };
  const ps = [50, 90];

  it('gives the nearest-rank percentiles a sort gives, for lists of every shape', () => {
    const shapes: Record<string, (n: number) => number[]> = {
      'times in a stage, minutes to weeks': (n) => Array.from({ length: n }, () => Math.round(300_000 + random() ** 3 * 20 * 86_400_000)),
      'many equal values': (n) => Array.from({ length: n }, () => Math.floor(random() * 4) * 60_000),
      ascending: (n) => Array.from({ length: n }, (_, i) => i * 1000),
      descending: (n) => Array.from({ length: n }, (_, i) => (n - i) * 1000),
      'sorted runs side by side': (n) => Array.from({ length: n }, (_, i) => (i % 97) * 3_600_000 + i),
    };
    for (const [shape, make] of Object.entries(shapes)) {
      for (const n of [1, 2, 3, 10, 11, 100, 1_001, 25_000]) {
        const values = Float64Array.from(make(n));
        const expected = bySort(values, ps);
        expect({ shape, n, got: percentilesOf(values.slice(), ps) }).toEqual({ shape, n, got: expected });
      }
    }
  });

  it('answers null for no durations, and the one value for one', () => {
    expect(percentilesOf(new Float64Array(0), ps)).toEqual([null, null]);
    expect(percentilesOf(Float64Array.of(42_000), ps)).toEqual([42_000, 42_000]);
  });

  it('joins sorted runs of several hours into one list, nothing lost', () => {
    const joined = joinRuns([Float64Array.of(1, 5, 9), new Float64Array(0), Float64Array.of(2, 3)]);
    expect([...joined]).toEqual([1, 5, 9, 2, 3]);
    expect(percentilesOf(joined, [0, 50, 100])).toEqual([1, 3, 9]);
  });
});
