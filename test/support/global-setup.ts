import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedStore } from '../../gateway/embedded-store';
import { QueryRecorder } from './query-recorder';
import { WireTap } from './wire-tap';

/** What the global setup leaves for the global teardown (the same process; jest's workers see only the env). */
export interface TestRun {
  store?: { stop(): Promise<void> };
  tap?: WireTap;
  recorder?: QueryRecorder;
}
export const testRun = globalThis as { __testRun?: TestRun };

/**
 * One store for the whole run: MONGODB_URI when given (a real MongoDB), otherwise FerretDB started here. Each test
 * file then takes a database of its own, so files run in parallel without seeing each other's data.
 *
 * In front of the store, a WireTap (test/support/wire-tap.ts) that records every command of the run for the index
 * check (test/support/query-recorder.ts; the teardown fails the run on a query no declared index serves).
 * TEST_STORE_URI is the tap's address, so every connection goes through it: the gateways in jest's workers, the
 * processes the tests start with that URI, the tests' own clients. The tap speaks plain TCP to one host: a
 * MONGODB_URI with TLS, several hosts or mongodb+srv needs INDEX_CHECK=off, which also turns the check off.
 */
export default async function globalSetup(): Promise<void> {
  const run: TestRun = {};
  testRun.__testRun = run;
  let target = process.env.MONGODB_URI;
  if (!target) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'inbox-test-store-'));
    const store = await startEmbeddedStore({
      dataDir,
      database: 'test',
      preferFerretdb: true,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    run.store = store;
    target = store.uri;
  }
  if (process.env.INDEX_CHECK === 'off') {
    process.env.TEST_STORE_URI = target;
    return;
  }
  run.tap = await WireTap.start(target);
  run.recorder = QueryRecorder.attach(run.tap);
  process.env.TEST_STORE_URI = run.tap.uri('test');
}
