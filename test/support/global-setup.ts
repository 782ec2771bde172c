import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedStore } from '../../gateway/embedded-store';

/**
 * One store for the whole run: MONGODB_URI when given (a real MongoDB), otherwise FerretDB started here. Each test
 * file then takes a database of its own, so files run in parallel without seeing each other's data.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) {
    process.env.TEST_STORE_URI = process.env.MONGODB_URI;
    return;
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'inbox-test-store-'));
  const store = await startEmbeddedStore({
    dataDir,
    database: 'test',
    preferFerretdb: true,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.env.TEST_STORE_URI = store.uri;
  (globalThis as { __testStore?: typeof store }).__testStore = store;
}
