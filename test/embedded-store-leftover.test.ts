import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { startEmbeddedStore } from '../gateway/embedded-store';
import { running } from '../gateway/store-leftover';

/**
 * A gateway killed outright (SIGKILL) cannot stop its embedded store: the store would run on, orphaned, holding the
 * data folder. The next gateway on the folder stops it first, and keeps what the killed one had stored.
 */
describe('the embedded store of a killed gateway', () => {
  it('is stopped by the next gateway on the same folder, and what it stored is kept', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'inbox-store-leftover-'));
    // A process standing in for the gateway: it starts the store, writes to it, and is killed.
    const script = `
      import { MongoClient } from 'mongodb';
      import { startEmbeddedStore } from './gateway/embedded-store.ts';
      const store = await startEmbeddedStore({ dataDir: process.env.DATA_DIR, database: 'inbox', preferFerretdb: true, log: () => {} });
      const client = await MongoClient.connect(store.uri);
      await client.db().collection('messages').insertOne({ text: 'Доброго дня! Коли буде доставка?' });
      console.log('store ' + store.pid);
      setInterval(() => {}, 60_000);
    `;
    const gateway = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      env: { ...process.env, DATA_DIR: dataDir },
    });
    try {
      const storePid = await new Promise<number>((resolve, reject) => {
        let out = '';
        gateway.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const match = /store (\d+)/.exec(out);
          if (match) resolve(Number(match[1]));
        });
        gateway.on('exit', (code) => reject(new Error(`exited with ${code} before its store answered`)));
      });
      gateway.kill('SIGKILL');
      await new Promise((r) => gateway.once('exit', r));
      expect(running(storePid)).toBe(true);

      const next = await startEmbeddedStore({ dataDir, database: 'inbox', preferFerretdb: true, log: () => {} });
      try {
        expect(running(storePid)).toBe(false);
        const client = await MongoClient.connect(next.uri);
        try {
          expect(
            await client
              .db()
              .collection('messages')
              .find({}, { projection: { _id: 0 } })
              .toArray(),
          ).toEqual([{ text: 'Доброго дня! Коли буде доставка?' }]);
        } finally {
          await client.close();
        }
      } finally {
        await next.stop();
      }
    } finally {
      gateway.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
