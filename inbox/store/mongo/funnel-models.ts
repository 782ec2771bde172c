import { type InferSchemaType, Schema } from 'mongoose';
import type { FunnelUnit } from '../records';

const funnelUnits: FunnelUnit[] = ['hour', 'day', 'month'];

/**
 * The funnel's counts per UTC hour, day and month, one document per grouping (`${unit}:${startMs}:${dimension}`), so
 * a range of a year reads about twelve months and the days and hours at its edges instead of its moves
 * (inbox/pipeline/).
 */
export const funnelTallySchema = new Schema(
  {
    _id: { type: String, required: true },
    unit: { type: String, enum: funnelUnits, required: true },
    start: { type: Date, required: true },
    dimension: { type: String, enum: ['channel', 'source', 'agent'], required: true },
    stagesKey: { type: String, required: true },
    /**
     * The cells in two values (./funnel-cells-codec.ts): the names as JSON, the counts and durations as bytes. The
     * store decodes two values instead of ten per cell and one per duration, which on the embedded store is most of
     * a read's cost. Nothing queries inside them. (Tallies stored before kept `cells` as JSON text: counted again.)
     */
    names: { type: String, required: true },
    cells: { type: Buffer, required: true },
  },
  { versionKey: false },
);
// The tallies of one grouping over a range of hours or days.
funnelTallySchema.index({ unit: 1, dimension: 1, start: 1 });

/**
 * An hour, day or month whose moves (or what became of them) changed since it was counted (`${unit}:${startMs}`); `v`
 * grows with every change, and the count clears the mark only at the version it counted.
 */
export const funnelChangeSchema = new Schema(
  {
    _id: { type: String, required: true },
    unit: { type: String, enum: funnelUnits, required: true },
    start: { type: Date, required: true },
    v: { type: Number, required: true },
  },
  { versionKey: false },
);
// The marks within a range (the figures), and the oldest first (the counting pass).
funnelChangeSchema.index({ unit: 1, start: 1 });

/**
 * The leads in play, one document per stage and UTC month they have been there since (`${stageId}@${monthStartMs}`),
 * each lead an entry of `m` under its id: one text, the lead's revision (ten digits, so texts compare as revisions do)
 * and then `[channel, source, manager, since]` as JSON; and `#versions`, whose `v.<part>` grows with every write to
 * a part. The ageing reads these documents, one value per lead, and each process keeps a copy it reads again part by
 * part as versions move (./leads-in-play.ts); an entry is written only over an older revision.
 */
export const leadInPlaySchema = new Schema(
  {
    _id: { type: String, required: true },
    m: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false },
);

export type FunnelTallyDoc = InferSchemaType<typeof funnelTallySchema>;
export type FunnelChangeDoc = InferSchemaType<typeof funnelChangeSchema>;
