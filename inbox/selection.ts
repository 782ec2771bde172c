/**
 * Nearest-rank percentiles of many durations without sorting them: a range of a year holds a million, and sorting
 * them all to read two of them is most of a figure's time. Quickselect places each asked rank in expected linear
 * time; the ranks are placed from the smallest up, each in the part above the one before.
 */

/** Rearranges `values[lo..hi]` so that `values[k]` is the value a sort would put there, nothing above it on its left. */
function placeRank(values: Float64Array, k: number, lo: number, hi: number): void {
  while (hi > lo) {
    // The median of three as the pivot: sorted and reverse-sorted runs, common among stored durations, stay linear.
    const mid = (lo + hi) >>> 1;
    const a = values[lo] as number;
    const b = values[mid] as number;
    const c = values[hi] as number;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) {
        const t = values[i] as number;
        values[i] = values[j] as number;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/**
 * The nearest-rank percentiles `ps` (ascending, 0–100) of `values`, as `percentile` in ./stats.ts reads them from a
 * sorted list; null for none. Reorders `values`.
 */
export function percentilesOf(values: Float64Array, ps: readonly number[]): (number | null)[] {
  const n = values.length;
  if (n === 0) return ps.map(() => null);
  let lo = 0;
  return ps.map((p) => {
    const k = Math.min(n, Math.max(1, Math.ceil((p / 100) * n))) - 1;
    if (k >= lo) {
      placeRank(values, k, lo, n - 1);
      lo = k;
    }
    return values[k] as number;
  });
}

/** The runs as one array (a copy), for percentilesOf to reorder. */
export function joinRuns(runs: readonly Float64Array[]): Float64Array {
  let n = 0;
  for (const r of runs) n += r.length;
  const out = new Float64Array(n);
  let at = 0;
  for (const r of runs) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}
