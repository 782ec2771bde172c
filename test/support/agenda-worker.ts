/**
 * A second process on the test store for test/store-semantics.test.ts: an Agenda worker on the given database that
 * prints `ready` once it polls, then one JSON line per job it runs. It stops when its stdin closes, so it cannot
 * outlive the test that spawned it.
 *
 *   node --import tsx test/support/agenda-worker.ts <mongodb-uri> <job-name>
 */
import { MongoClient } from 'mongodb';
import { queueAgenda } from './queue-agenda';

const [uri, jobName] = process.argv.slice(2);
if (!uri || !jobName) throw new Error('usage: agenda-worker.ts <mongodb-uri> <job-name>');

const client = await MongoClient.connect(uri);
const agenda = queueAgenda(client.db());
agenda.on('error', (err: unknown) => process.stderr.write(`agenda error: ${String(err)}\n`));
agenda.define<{ n: number }>(jobName, async (job) => {
  process.stdout.write(`${JSON.stringify({ n: job.attrs.data.n, by: 'child' })}\n`);
  await new Promise((r) => setTimeout(r, 25));
});
await agenda.start();
process.stdout.write('ready\n');

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await agenda.stop();
  await client.close();
  process.exit(0);
}
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
