import type { Connection } from 'mongoose';

interface Sent {
  collection: string;
  /** An insert, or a filter with `_id` in it: a primary-key lookup on MongoDB, whatever else the filter guards. */
  keyed: boolean;
}

/** The filters a command carries, by the command's own shape. */
function filtersOf(name: string, command: Record<string, unknown>): Record<string, unknown>[] {
  const list = (field: string) => ((command[field] as { q?: Record<string, unknown> }[] | undefined) ?? []).map((u) => u.q ?? {});
  if (name === 'find' || name === 'count' || name === 'distinct')
    return [(command.filter ?? command.query ?? {}) as Record<string, unknown>];
  if (name === 'findAndModify') return [(command.query ?? {}) as Record<string, unknown>];
  if (name === 'update') return list('updates');
  if (name === 'delete') return list('deletes');
  return [];
}

/** Per-hour and per-day collections are counted together. */
const family = (collection: string) => collection.replace(/_\d+$/, '_*');

/**
 * Counts the commands one connection sends to the store while switched on, by collection, and whether each one
 * finds its documents by primary key. That number does not depend on the store, so it shows what a piece of work
 * costs on MongoDB even where only the embedded store can be run.
 */
export class CommandCount {
  private on = false;
  private sent: Sent[] = [];

  constructor(connection: Connection) {
    connection.getClient().on('commandStarted', (event) => {
      if (!this.on) return;
      const name = event.commandName;
      const target = event.command[name];
      if (typeof target !== 'string') return;
      const filters = filtersOf(name, event.command);
      const keyed = name === 'insert' || (filters.length > 0 && filters.every((f) => '_id' in f));
      this.sent.push({ collection: family(target), keyed });
    });
  }

  start(): void {
    this.sent = [];
    this.on = true;
  }

  /** Stops counting; the tally reads like `52 (conversations 20, …); not by _id: agents 10`. */
  stop(): { total: number; notKeyed: number; describe: () => string } {
    this.on = false;
    const sent = this.sent;
    const tally = (list: readonly Sent[]) => {
      const by = new Map<string, number>();
      for (const s of list) by.set(s.collection, (by.get(s.collection) ?? 0) + 1);
      return [...by.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([c, n]) => `${c} ${n}`)
        .join(', ');
    };
    const loose = sent.filter((s) => !s.keyed);
    return {
      total: sent.length,
      notKeyed: loose.length,
      describe: () => `${sent.length} (${tally(sent)}); not by _id: ${loose.length ? tally(loose) : 'none'}`,
    };
  }
}
