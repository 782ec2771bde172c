import type { Channel } from '../../../shared/channels';
import type { FunnelCell } from '../records';

/**
 * A tally's cells as the store keeps them: the names once (`names`, JSON: the channels, the grouping's values and
 * the stages a cell points into) and every count and duration in one binary value (`cells`). A year of a funnel is
 * a million durations, and the embedded store's cost grows with every value and byte it reads: as JSON numbers each
 * would be parsed twice on every read (by the store and here). Layout: the count of cells (u32 LE), then nine u32 LE
 * per cell (channel, value and stage as indexes into the names; entered, toNext, toWon, leads, neverContacted; the
 * count of its durations), then each cell's durations ascending, in the cells' order, as LEB128 varints of the
 * difference from the one before (the first from 0): whole milliseconds, four bytes each for a typical month.
 */
export interface StoredCells {
  names: string;
  cells: Buffer;
}

const WORDS = 9;
const HEAD = WORDS * 4;
const PREFIX = 4;
const SEVEN = 128;

function indexer(): { of: (name: string) => number; names: string[] } {
  const at = new Map<string, number>();
  const names: string[] = [];
  return {
    names,
    of: (name) => {
      let i = at.get(name);
      if (i === undefined) {
        i = names.length;
        at.set(name, i);
        names.push(name);
      }
      return i;
    },
  };
}

/** Whether a run is already what is stored: whole milliseconds, none below zero, ascending. */
function storable(run: Float64Array): boolean {
  let before = 0;
  for (const v of run) {
    if (!Number.isInteger(v) || v < before) return false;
    before = v;
  }
  return true;
}

/** A cell's runs of durations as one ascending run of whole milliseconds. */
function oneRun(runs: readonly Float64Array[]): Float64Array {
  // One run read back from a tally is stored as it is: checked, not sorted again.
  if (runs.length === 1 && storable(runs[0] as Float64Array)) return runs[0] as Float64Array;
  let n = 0;
  for (const r of runs) n += r.length;
  const all = new Float64Array(n);
  n = 0;
  for (const r of runs) {
    all.set(r, n);
    n += r.length;
  }
  // Durations are differences of millisecond instants; rounding only guards the varints against a stray fraction.
  for (let i = 0; i < all.length; i++) all[i] = Math.max(0, Math.round(all[i] as number));
  return all.sort();
}

/** The cells in their stored form; each cell's runs of durations become one ascending run. */
export function encodeCells(cells: readonly FunnelCell[]): StoredCells {
  const channels = indexer();
  const keys = indexer();
  const stages = indexer();
  const runs = cells.map((c) => oneRun(c.ms));
  const total = runs.reduce((n, r) => n + r.length, 0);
  // At most eight bytes a duration (2^53 ms needs that many groups of seven bits): trimmed to what was written.
  const bytes = Buffer.alloc(PREFIX + cells.length * HEAD + total * 8);
  bytes.writeUInt32LE(cells.length, 0);
  let at = PREFIX + cells.length * HEAD;
  cells.forEach((c, i) => {
    const run = runs[i] as Float64Array;
    const words = [channels.of(c.channel), keys.of(c.key), stages.of(c.stageId), c.entered, c.toNext, c.toWon, c.leads];
    words.push(c.neverContacted, run.length);
    words.forEach((w, k) => {
      bytes.writeUInt32LE(w, PREFIX + i * HEAD + k * 4);
    });
    let before = 0;
    for (let k = 0; k < run.length; k++) {
      let d = (run[k] as number) - before;
      before = run[k] as number;
      while (d >= SEVEN) {
        bytes[at++] = (d % SEVEN) | SEVEN;
        d = Math.floor(d / SEVEN);
      }
      bytes[at++] = d;
    }
  });
  return { names: JSON.stringify([channels.names, keys.names, stages.names]), cells: bytes.subarray(0, at) };
}

const cutShort = () => new Error('a funnel tally whose durations are cut short');

/** The cells as stored. */
export function decodeCells(stored: { names: string; cells: Uint8Array }): FunnelCell[] {
  const [channels, keys, stages] = JSON.parse(stored.names) as [Channel[], string[], string[]];
  const bytes = stored.cells;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = bytes.byteLength >= PREFIX ? view.getUint32(0, true) : 0;
  let at = PREFIX + count * HEAD;
  if (at > bytes.byteLength) throw new Error('a funnel tally whose cells are cut short');
  const out: FunnelCell[] = [];
  for (let i = 0; i < count; i++) {
    const word = (k: number) => view.getUint32(PREFIX + i * HEAD + k * 4, true);
    const n = word(8);
    const run = new Float64Array(n);
    let value = 0;
    for (let k = 0; k < n; k++) {
      let d = 0;
      let scale = 1;
      for (;;) {
        if (at >= bytes.byteLength) throw cutShort();
        const b = bytes[at++] as number;
        d += (b & 0x7f) * scale;
        if (b < SEVEN) break;
        scale *= SEVEN;
      }
      value += d;
      run[k] = value;
    }
    out.push({
      channel: channels[word(0)] as Channel,
      key: keys[word(1)] as string,
      stageId: stages[word(2)] as string,
      entered: word(3),
      toNext: word(4),
      toWon: word(5),
      leads: word(6),
      neverContacted: word(7),
      ms: n ? [run] : [],
    });
  }
  return out;
}
