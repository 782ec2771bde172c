import type { Collection, Document } from 'mongodb';
import type { Model } from 'mongoose';

/**
 * Every default the model's schema declares, with the version key, as a document mongoose would insert: read once
 * from the schema, so a document written through the driver has the fields one written through mongoose has. (The
 * arrays in it are shared by every document built from it: callers replace them, never push to them.)
 */
export function schemaDefaults<T>(model: Model<T>): Record<string, unknown> {
  let defaults = readDefaults.get(model);
  if (!defaults) {
    const { _id, ...fields } = new model({}).toObject() as Record<string, unknown>;
    defaults = { ...fields, __v: 0 };
    readDefaults.set(model, defaults);
  }
  return defaults;
}

/** Each model's defaults, read once: every store class writing through the driver shares them. */
const readDefaults = new WeakMap<object, Record<string, unknown>>();

/**
 * The driver's collection behind a model, for the few operations on every message's path: there, mongoose's
 * document building, casting and hooks cost more than the command. Callers write whole, schema-shaped values
 * (ObjectIds, Dates, every default) and keep the timestamps themselves.
 */
export function native(model: Pick<Model<unknown>, 'db' | 'collection'>): Collection<Document> {
  const db = model.db.db;
  if (!db) throw new Error(`the store is not connected: ${model.collection.collectionName} cannot be reached`);
  return db.collection(model.collection.collectionName);
}
