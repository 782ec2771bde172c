import type { Document } from 'mongodb';
import { type DeclaredIndex, queriesOf, type RecordedQuery } from './query-index';
import type { WireCommand, WireTap } from './wire-tap';

/**
 * The recording half of the suite's index check: a WireTap in front of the test store (started by the global setup,
 * so every connection of every test file, in jest's workers and in the processes they start, goes through it) and,
 * per database and collection, the indexes the suite declared (`createIndexes`) and the shapes of the queries it
 * sent, counted. Only shapes are kept, never the commands, so a whole run fits in little memory. The analysis is
 * test/support/query-index.ts.
 */

/** Databases of the server itself, and commands that are no query. */
const SERVER_DATABASES = new Set(['admin', 'config', 'local']);

export class QueryRecorder {
  private readonly indexes = new Map<string, DeclaredIndex[]>();
  private readonly queries = new Map<string, RecordedQuery>();
  /** Commands seen, recorded or not: the report says how much it looked at. */
  commands = 0;

  /**
   * Takes over the tap's log: every command it parses is recorded here and not kept (the tap keeps every command
   * for its holds' messages otherwise, which over a whole run is hundreds of megabytes). The tap's holds still work.
   */
  static attach(tap: WireTap): QueryRecorder {
    const recorder = new QueryRecorder();
    tap.commands.push = (...commands: WireCommand[]) => {
      for (const command of commands) recorder.record(command);
      return 0;
    };
    return recorder;
  }

  record(command: Pick<WireCommand, 'name' | 'db' | 'collection' | 'body' | 'documents'>): void {
    this.commands += 1;
    const { db, collection } = command;
    if (!collection || SERVER_DATABASES.has(db) || collection.startsWith('system.')) return;
    const at = `${db}\0${collection}`;
    if (command.name === 'createIndexes') {
      const declared = this.indexes.get(at) ?? [];
      for (const spec of (command.body.indexes ?? []) as Document[]) {
        if (spec.key && typeof spec.key === 'object') declared.push({ key: Object.entries(spec.key), unique: spec.unique === true });
      }
      this.indexes.set(at, declared);
      return;
    }
    for (const query of queriesOf(command)) {
      const id = `${at}\0${query.shape}`;
      const row = this.queries.get(id);
      if (row) row.count += 1;
      else this.queries.set(id, { db, collection, query, count: 1 });
    }
  }

  recorded(): Iterable<RecordedQuery> {
    return this.queries.values();
  }

  indexesOf = (db: string, collection: string): readonly DeclaredIndex[] => this.indexes.get(`${db}\0${collection}`) ?? [];
}
