import mongoose, { type Connection, Types } from 'mongoose';
import { createMongoStore } from '../inbox/store/mongo';
import { LeadsInPlayView } from '../inbox/store/mongo/leads-in-play';
import type { Models } from '../inbox/store/mongo/models';
import { storeUri } from './support/gateway';

/**
 * The in-play view the ageing reads, written by two processes that see one lead's changes out of order: of two
 * writes of one lead the newer revision stays, whichever lands last, and a lead is in one stage only.
 */
describe('the leads-in-play view', () => {
  let connection: Connection;
  let models: Models;
  const stages = ['new', 'contacted', 'qualified', 'proposal', 'won', 'lost'];
  const manager = new Types.ObjectId();
  const lead = (rev: number, stageId: string, path: string[], open = true) => ({
    _id: `${new Types.ObjectId('65f1c0ffee0000000000abcd').toHexString()}:1`,
    open,
    stageId,
    stageSince: new Date(Date.UTC(2026, 10, 20, 9, rev)),
    channel: 'viber',
    source: 'ad:kyiv-spring',
    assigneeId: manager,
    rev,
    path: path.map((s) => ({ stageId: s })),
  });

  beforeAll(async () => {
    connection = await mongoose.createConnection(storeUri(`in_play_${Date.now()}`)).asPromise();
    ({ models } = await createMongoStore(connection));
  });
  afterAll(async () => {
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  });

  it('keeps the newer revision when an older write lands after it, in the same stage or another', async () => {
    const first = new LeadsInPlayView(models);
    const second = new LeadsInPlayView(models);
    await first.sync(lead(1, 'new', ['new']) as never, true);
    expect((await second.read(stages)).map((l) => l.stageId)).toEqual(['new']);

    // Process one moves it on twice; process two's write of the first move arrives last.
    await first.sync(lead(3, 'qualified', ['new', 'contacted', 'qualified']) as never);
    await second.sync(lead(2, 'contacted', ['new', 'contacted']) as never);
    await second.sync(lead(2, 'qualified', ['new', 'contacted', 'qualified']) as never);
    for (const view of [first, second, new LeadsInPlayView(models)]) {
      const shown = await view.read(stages);
      expect(shown).toEqual([expect.objectContaining({ stageId: 'qualified', stageSince: new Date(Date.UTC(2026, 10, 20, 9, 3)) })]);
    }
  });

  it('drops the lead from every stage once it is won, for the processes that had read it too', async () => {
    const first = new LeadsInPlayView(models);
    const second = new LeadsInPlayView(models);
    expect(await second.read(stages)).toHaveLength(1);
    await first.sync(lead(4, 'won', ['new', 'contacted', 'qualified', 'won'], false) as never);
    expect(await second.read(stages)).toEqual([]);
    expect(await second.read(stages, 'viber')).toEqual([]);
  });
});
