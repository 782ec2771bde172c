import { decodeCells, encodeCells } from '../inbox/store/mongo/funnel-cells-codec';
import type { FunnelCell } from '../inbox/store/records';

/** A tally's cells go to the store as names and bytes, and come back as they were, durations to the millisecond. */
describe('the funnel tallies’ stored form', () => {
  const cell = (over: Partial<FunnelCell>): FunnelCell => ({
    channel: 'telegram',
    key: 'telegram',
    stageId: 'new',
    entered: 0,
    toNext: 0,
    toWon: 0,
    leads: 0,
    neverContacted: 0,
    ms: [],
    ...over,
  });
  const plain = (cells: FunnelCell[]) => cells.map((c) => ({ ...c, ms: c.ms.flatMap((r) => [...r]) }));

  it('keeps every count and duration, each cell’s runs as one ascending run', () => {
    const cells = [
      cell({
        entered: 5,
        toNext: 3,
        toWon: 1,
        leads: 5,
        neverContacted: 2,
        ms: [Float64Array.of(300_000, 7_200_000), Float64Array.of(60_000)],
      }),
      cell({ channel: 'viber', key: 'ad:kyiv-spring', stageId: 'qualified', entered: 1 }),
      cell({ channel: 'email', key: '65f1c0ffee0000000000abcd', stageId: 'won', entered: 2, ms: [Float64Array.of(1_728_000_000_123)] }),
    ];
    const stored = encodeCells(cells);
    // The driver hands the bytes back wherever they sit in its buffer: not on an 8-byte boundary here.
    const shifted = new Uint8Array(stored.cells.byteLength + 3).subarray(3);
    shifted.set(stored.cells);
    const back = decodeCells({ names: stored.names, cells: shifted });
    expect(plain(back)).toEqual([
      { ...plain(cells)[0], ms: [60_000, 300_000, 7_200_000] },
      { ...plain(cells)[1], ms: [] },
      plain(cells)[2],
    ]);
  });

  it('sorts a single run of a cell that is not yet in order, and rounds its stray fractions', () => {
    // The times in "Новий лід" of three leads counted from their moves, in the order the moves were read.
    const cells = [cell({ entered: 3, leads: 3, ms: [Float64Array.of(7_200_000, 60_000.4, 300_000)] })];
    const back = decodeCells(encodeCells(cells));
    expect(plain(back)[0]?.ms).toEqual([60_000, 300_000, 7_200_000]);
  });

  it('stores the names once, however many cells point to them', () => {
    const cells = Array.from({ length: 50 }, (_, i) => cell({ stageId: i % 2 ? 'new' : 'contacted', entered: i }));
    expect(JSON.parse(encodeCells(cells).names)).toEqual([['telegram'], ['telegram'], ['contacted', 'new']]);
  });

  it('refuses bytes cut short instead of reading past them', () => {
    const stored = encodeCells([cell({ entered: 1, ms: [Float64Array.of(1, 2, 3)] })]);
    expect(() => decodeCells({ names: stored.names, cells: stored.cells.subarray(0, stored.cells.byteLength - 1) })).toThrow(
      'a funnel tally whose durations are cut short',
    );
  });
});
