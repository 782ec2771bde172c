import type { Collection, Document } from 'mongodb';
import type { Model } from 'mongoose';

/**
 * The driver's collection behind a model, for the few operations on every message's path: there, mongoose's
 * document building, casting and hooks cost more than the command. Callers write whole, schema-shaped values
 * (ObjectIds, Dates, every default) and keep the timestamps themselves.
 */
export function native<T>(model: Model<T>): Collection<Document> {
  const db = model.db.db;
  if (!db) throw new Error(`the store is not connected: ${model.collection.collectionName} cannot be reached`);
  return db.collection(model.collection.collectionName);
}
