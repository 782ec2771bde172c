import type { Channel } from '../../../shared/channels';
import type { FunnelCell } from '../records';

/**
 * A tally's cells as the store keeps them: the names once (`names`, JSON: the channels, the grouping's values and
 * the stages a cell points into) and every count and duration in one binary value (`cells`). A year of a funnel is
 * a million durations; as JSON numbers each would be parsed twice on every read (by the store and here), as bytes
 * they are copied once. Layout, little-endian: the count of cells (u32, and one unused), ten u32 per cell (channel, value and stage as indexes into the names;
 * entered, toNext, toWon, leads, neverContacted; the count of its durations; one unused), then each cell's durations
 * as f64, ascending, in the cells' order.
 */
export interface StoredCells {
  names: string;
  cells: Buffer;
}

const WORDS = 10;
const HEAD = WORDS * 4;
/** The count of cells, padded so that the durations start on an 8-byte boundary (ten words per cell keep it). */
const PREFIX = 8;
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

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

/** The cells in their stored form; each cell's runs of durations become one ascending run. */
export function encodeCells(cells: readonly FunnelCell[]): StoredCells {
  const channels = indexer();
  const keys = indexer();
  const stages = indexer();
  const runs = cells.map((c) => {
    if (c.ms.length === 1) return c.ms[0] as Float64Array;
    let n = 0;
    for (const r of c.ms) n += r.length;
    const all = new Float64Array(n);
    n = 0;
    for (const r of c.ms) {
      all.set(r, n);
      n += r.length;
    }
    return all.sort();
  });
  const total = runs.reduce((n, r) => n + r.length, 0);
  const bytes = Buffer.alloc(PREFIX + cells.length * HEAD + total * 8);
  bytes.writeUInt32LE(cells.length, 0);
  let at = PREFIX + cells.length * HEAD;
  cells.forEach((c, i) => {
    const run = runs[i] as Float64Array;
    const words = [channels.of(c.channel), keys.of(c.key), stages.of(c.stageId), c.entered, c.toNext, c.toWon, c.leads];
    words.push(c.neverContacted, run.length, 0);
    words.forEach((w, k) => {
      bytes.writeUInt32LE(w, PREFIX + i * HEAD + k * 4);
    });
    if (LITTLE_ENDIAN) bytes.set(new Uint8Array(run.buffer, run.byteOffset, run.byteLength), at);
    else for (let k = 0; k < run.length; k++) bytes.writeDoubleLE(run[k] as number, at + k * 8);
    at += run.byteLength;
  });
  return { names: JSON.stringify([channels.names, keys.names, stages.names]), cells: bytes };
}

/** The cells as stored; the durations are views into one copy of the bytes. */
export function decodeCells(stored: { names: string; cells: Uint8Array }): FunnelCell[] {
  const [channels, keys, stages] = JSON.parse(stored.names) as [Channel[], string[], string[]];
  // One copy on an 8-byte boundary: the driver's buffer holds the binary wherever the document put it.
  const bytes = new Uint8Array(stored.cells.byteLength);
  bytes.set(stored.cells);
  const view = new DataView(bytes.buffer);
  const count = bytes.byteLength >= PREFIX ? view.getUint32(0, true) : 0;
  let at = PREFIX + count * HEAD;
  if (at > bytes.byteLength) throw new Error('a funnel tally whose cells are cut short');
  const out: FunnelCell[] = [];
  for (let i = 0; i < count; i++) {
    const word = (k: number) => view.getUint32(PREFIX + i * HEAD + k * 4, true);
    const n = word(8);
    if (at + n * 8 > bytes.byteLength) throw new Error('a funnel tally whose durations are cut short');
    let run: Float64Array;
    if (LITTLE_ENDIAN) run = new Float64Array(bytes.buffer, at, n);
    else run = Float64Array.from({ length: n }, (_, k) => view.getFloat64(at + k * 8, true));
    at += n * 8;
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
