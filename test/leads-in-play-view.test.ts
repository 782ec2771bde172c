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
  /** The lead at its revision `rev`: its path's steps a day apart from 28 October (so across a month's end). */
  const lead = (rev: number, stageId: string, path: string[], open = true, assignee: Types.ObjectId | null = manager) => {
    const steps = path.map((s, i) => ({ stageId: s, at: new Date(Date.UTC(2026, 9, 28 + 2 * i, 9)) }));
    return {
      _id: `${new Types.ObjectId('65f1c0ffee0000000000abcd').toHexString()}:1`,
      open,
      stageId,
      stageSince: steps.at(-1)?.at ?? new Date(),
      channel: 'viber',
      source: 'ad:kyiv-spring',
      assigneeId: assignee,
      rev,
      path: steps,
    };
  };
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

    // Process one moves it on twice (into November); process two's writes of the first move arrive last, one of
    // them with the lead still unassigned.
    await first.sync(lead(3, 'qualified', ['new', 'contacted', 'qualified']) as never);
    await second.sync(lead(2, 'contacted', ['new', 'contacted']) as never);
    await second.sync(lead(2, 'qualified', ['new', 'contacted', 'qualified'], true, null) as never);
    for (const view of [first, second, new LeadsInPlayView(models)]) {
      expect(await view.read(stages)).toEqual([
        expect.objectContaining({ stageId: 'qualified', stageSince: new Date(Date.UTC(2026, 10, 1, 9)), assigneeId: manager.toString() }),
      ]);
    }
    // The October part of its first stage holds it no more.
    const october = await models.LeadInPlay.collection.findOne({ _id: `new@${Date.UTC(2026, 9, 1)}` } as never);
    expect(Object.keys((october as { m?: object } | null)?.m ?? {})).toEqual([]);
  });

  it('drops the lead from every stage once it is won, for the processes that had read it too', async () => {
    const first = new LeadsInPlayView(models);
    const second = new LeadsInPlayView(models);
    expect(await second.read(stages)).toHaveLength(1);
    await first.sync(lead(4, 'won', ['new', 'contacted', 'qualified', 'won'], false) as never);
    expect(await second.read(stages)).toEqual([]);
    expect(await second.read(stages, 'viber')).toEqual([]);
  });

  it('reads the one-document-per-stage form stored before, and empties it as its leads change', async () => {
    const other = `${new Types.ObjectId().toHexString()}:1`;
    // As a build before kept it: the stage's id, one text per lead, no version.
    await models.LeadInPlay.collection.insertOne({
      _id: 'contacted',
      m: { [other]: `0000000001${JSON.stringify(['telegram', null, null, Date.UTC(2026, 8, 3, 12)])}` },
    } as never);
    const view = new LeadsInPlayView(models);
    expect(await view.read(stages)).toEqual([
      expect.objectContaining({ id: other, stageId: 'contacted', channel: 'telegram', stageSince: new Date(Date.UTC(2026, 8, 3, 12)) }),
    ]);
    await new LeadsInPlayView(models).sync({
      _id: other,
      open: true,
      stageId: 'proposal',
      stageSince: new Date(Date.UTC(2026, 10, 25, 10)),
      channel: 'telegram',
      source: null,
      assigneeId: null,
      rev: 2,
      path: [
        { stageId: 'contacted', at: new Date(Date.UTC(2026, 8, 3, 12)) },
        { stageId: 'proposal', at: new Date(Date.UTC(2026, 10, 25, 10)) },
      ],
    } as never);
    expect(await view.read(stages)).toEqual([expect.objectContaining({ id: other, stageId: 'proposal' })]);
    const before = await models.LeadInPlay.collection.findOne({ _id: 'contacted' } as never);
    expect((before as { m?: object } | null)?.m).toEqual({});
  });
});
