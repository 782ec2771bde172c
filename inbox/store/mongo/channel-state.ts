import { type Connection, type Model, Schema } from 'mongoose';
import type { ChannelStateStore } from '../../../shared/channel-state';
import type { Channel } from '../../../shared/channels';

interface ChannelStateDoc {
  _id: string;
  value: unknown;
  updatedAt: Date;
}

const channelStateSchema = new Schema<ChannelStateDoc>(
  { _id: { type: String, required: true }, value: { type: Schema.Types.Mixed }, updatedAt: { type: Date, required: true } },
  { collection: 'channel_state', versionKey: false, minimize: false },
);

/**
 * One document per key, read and written by its `_id` only (the primary key serves every query), namespaced by
 * channel so two channels can never read each other's state.
 */
export function channelStateStore(connection: Connection, channel: Channel): ChannelStateStore {
  const model = (connection.models.ChannelState ??
    connection.model<ChannelStateDoc>('ChannelState', channelStateSchema)) as Model<ChannelStateDoc>;
  const idOf = (key: string) => `${channel}:${key}`;
  return {
    async get(key) {
      const doc = await model.findById(idOf(key)).lean<ChannelStateDoc>();
      return doc?.value ?? undefined;
    },
    async set(key, value) {
      await model.updateOne({ _id: idOf(key) }, { $set: { value, updatedAt: new Date() } }, { upsert: true });
    },
  };
}
