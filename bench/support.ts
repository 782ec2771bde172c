import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type EmbeddedStore, startEmbeddedStore } from '../gateway/embedded-store';

/** The store a benchmark runs against: MONGODB_URI when given, otherwise a fresh embedded one. */
export async function benchStore(
  database: string,
  ferretdbBinary?: string,
): Promise<{ uri: string; kind: string; pid?: number; stop: () => Promise<void> }> {
  if (process.env.MONGODB_URI && !ferretdbBinary) {
    const url = new URL(process.env.MONGODB_URI);
    url.pathname = `/${database}`;
    return { uri: url.toString(), kind: 'mongodb (MONGODB_URI)', stop: async () => undefined };
  }
  const store: EmbeddedStore = await startEmbeddedStore({
    dataDir: mkdtempSync(path.join(tmpdir(), 'inbox-bench-')),
    database,
    preferFerretdb: true,
    ferretdbBinary,
    log: (line) => console.log(line),
  });
  return { uri: store.uri, kind: `${store.kind} (embedded)`, ...(store.pid ? { pid: store.pid } : {}), stop: () => store.stop() };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

/** CPU time (ms) this process and, where known, the store's process have used so far (Linux /proc for the store). */
export function cpuNow(storePid?: number): { self: number; store: number | null } {
  const u = process.cpuUsage();
  let store: number | null = null;
  if (storePid) {
    try {
      // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 a second on Linux).
      const fields = readFileSync(`/proc/${storePid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      store = (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      store = null;
    }
  }
  return { self: (u.user + u.system) / 1000, store };
}
