import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { startEmbeddedStore } from '../gateway/embedded-store';

/** The environment a process was started with (Linux's /proc), by name. */
function environmentOf(pid: number): Map<string, string> {
  const pairs = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return new Map(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

/** Starts the embedded FerretDB on a scratch folder with `env` in place of GOGC and GOMEMLIMIT; returns its Go settings. */
async function goSettingsOfStoreStartedWith(env: { GOGC?: string; GOMEMLIMIT?: string }) {
  const saved = { GOGC: process.env.GOGC, GOMEMLIMIT: process.env.GOMEMLIMIT };
  for (const name of ['GOGC', 'GOMEMLIMIT'] as const) {
    if (env[name] === undefined) delete process.env[name];
    else process.env[name] = env[name];
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'inbox-store-runtime-'));
  try {
    const store = await startEmbeddedStore({ dataDir, database: 'runtime', preferFerretdb: true, log: () => {} });
    try {
      const client = await MongoClient.connect(store.uri);
      try {
        await client.db().collection('notes').insertOne({ text: 'Передзвоніть мені, будь ласка' });
        expect(await client.db().collection('notes').countDocuments()).toBe(1);
      } finally {
        await client.close();
      }
      const environment = environmentOf(store.pid ?? -1);
      return { GOGC: environment.get('GOGC'), GOMEMLIMIT: environment.get('GOMEMLIMIT') };
    } finally {
      await store.stop();
    }
  } finally {
    for (const name of ['GOGC', 'GOMEMLIMIT'] as const) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('the embedded FerretDB trades a little memory for CPU', () => {
  it('collects garbage less often than Go does by default, under a memory limit, when nothing says otherwise', async () => {
    expect(await goSettingsOfStoreStartedWith({})).toEqual({ GOGC: '400', GOMEMLIMIT: '512MiB' });
  });

  it('keeps the GOGC and GOMEMLIMIT of the environment it is started from', async () => {
    expect(await goSettingsOfStoreStartedWith({ GOGC: '150', GOMEMLIMIT: '2GiB' })).toEqual({ GOGC: '150', GOMEMLIMIT: '2GiB' });
  });
});
