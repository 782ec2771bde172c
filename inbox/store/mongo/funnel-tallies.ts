import { unitStart } from '../funnel-units';
import type { FunnelTallyStore } from '../port';
import type { FunnelDimension, FunnelTallyRecord } from '../records';
import { binaryBytes } from './binary';
import { decodeCells, encodeCells } from './funnel-cells-codec';
import type { Models } from './models';

export const hourStart = (at: Date): number => unitStart('hour', at.getTime());
const changeId = (unit: FunnelTallyRecord['unit'], start: number) => `${unit}:${start}`;
const tallyId = (unit: FunnelTallyRecord['unit'], start: number, dimension: FunnelDimension) => `${unit}:${start}:${dimension}`;

/**
 * Marks the hours (and their days and months) changed: one upsert each, in one round trip. Called after the change itself is
 * stored, so a count that began before it cannot clear the mark (the version moved on).
 */
export async function markFunnelChanged(models: Models, hours: Iterable<number>): Promise<void> {
  const starts = new Set<string>();
  const ops: Parameters<Models['FunnelChange']['bulkWrite']>[0] = [];
  for (const hour of hours) {
    for (const [unit, start] of [
      ['hour', hour],
      ['day', unitStart('day', hour)],
      ['month', unitStart('month', hour)],
    ] as const) {
      const id = changeId(unit, start);
      if (starts.has(id)) continue;
      starts.add(id);
      ops.push({
        updateOne: {
          filter: { _id: id },
          update: { $inc: { v: 1 }, $setOnInsert: { unit, start: new Date(start) } },
          upsert: true,
        },
      });
    }
  }
  if (ops.length) await models.FunnelChange.bulkWrite(ops, { ordered: false });
}

/** The hours of every step of a lead's path: what one of its moves (or its first answer) can change. */
export const hoursOfPath = (path: readonly { at: Date }[]): number[] => [...new Set(path.map((s) => hourStart(s.at)))];

/** A tally as read; the driver gives a binary as its Binary (`buffer`, `position`) or as a Buffer. */
interface StoredTally {
  unit: string;
  start: Date;
  dimension: string;
  stagesKey: string;
  names?: string;
  cells?: unknown;
}
const toTally = (doc: StoredTally): FunnelTallyRecord => {
  const bytes = binaryBytes(doc.cells);
  return {
    unit: doc.unit as FunnelTallyRecord['unit'],
    start: doc.start,
    dimension: doc.dimension as FunnelDimension,
    // A tally of the form before (cells as JSON text) reads as counted under no order: counted again, as a reorder is.
    stagesKey: bytes && typeof doc.names === 'string' ? doc.stagesKey : '',
    cells: bytes && typeof doc.names === 'string' ? decodeCells({ names: doc.names, cells: bytes }) : [],
  };
};

/** Two collections: `funnel_tallies` (the counts) and `funnel_changes` (the marks); see ./funnel-models.ts. */
export class MongoFunnelTallies implements FunnelTallyStore {
  constructor(private readonly models: Models) {}

  async changedBetween(unit: FunnelTallyRecord['unit'], from: Date, to: Date): Promise<Date[]> {
    const docs = await this.models.FunnelChange.find({ unit, start: { $gte: from, $lt: to } }, { start: 1 }).lean();
    return docs.map((d) => d.start);
  }

  async changed(unit: FunnelTallyRecord['unit'], limit: number): Promise<{ start: Date; version: number }[]> {
    const docs = await this.models.FunnelChange.find({ unit, start: { $gte: new Date(0) } })
      .sort({ start: 1 })
      .limit(limit)
      .lean();
    return docs.map((d) => ({ start: d.start, version: d.v }));
  }

  async tallies(unit: FunnelTallyRecord['unit'], dimension: FunnelDimension, from: Date, to: Date): Promise<FunnelTallyRecord[]> {
    const docs = await this.models.FunnelTally.find({ unit, dimension, start: { $gte: from, $lt: to } }).lean<StoredTally[]>();
    return docs.map(toTally);
  }

  async saveTallies(unit: FunnelTallyRecord['unit'], start: Date, version: number, tallies: readonly FunnelTallyRecord[]): Promise<void> {
    const at = start.getTime();
    await this.models.FunnelTally.bulkWrite(
      tallies.map((t) => ({
        replaceOne: {
          filter: { _id: tallyId(unit, at, t.dimension) },
          replacement: {
            _id: tallyId(unit, at, t.dimension),
            unit,
            start,
            dimension: t.dimension,
            stagesKey: t.stagesKey,
            ...encodeCells(t.cells),
          },
          upsert: true,
        },
      })),
      { ordered: false },
    );
    await this.models.FunnelChange.deleteOne({ _id: changeId(unit, at), v: version });
  }

  markChanged(hours: readonly Date[]): Promise<void> {
    return markFunnelChanged(
      this.models,
      hours.map((h) => hourStart(h)),
    );
  }
}
