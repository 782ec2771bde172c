import mongoose from 'mongoose';
import { sleep, storeUri, TestGateway } from './support/gateway';

/**
 * A process that stops gracefully (a deploy's rolling restart) hands its recurring jobs back at once: a job it had
 * locked ahead of its next run would otherwise wait out the lock's lifetime (five minutes) before another process
 * runs it, and escalations, campaigns and the bot's repair would stall that long.
 */
describe('a gateway stopped gracefully', () => {
  it('leaves none of the recurring jobs locked for the processes that go on', async () => {
    const first = await TestGateway.start({ env: { JOBS_POLL_INTERVAL: '200ms' } });
    const { database } = first;
    // A few polls: the jobs due every 200 ms are locked ahead of their next run, again and again.
    await sleep(1_500);
    await first.stop();

    const connection = await mongoose.createConnection(storeUri(database)).asPromise();
    try {
      const jobs = await connection.collection('jobs').find({}).toArray();
      expect(jobs.length).toBeGreaterThan(3);
      const locked = jobs.filter((j) => j.lockedAt).map((j) => j.name);
      expect(locked).toEqual([]);
    } finally {
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    }
  });
});
