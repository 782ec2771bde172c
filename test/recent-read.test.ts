import { RecentRead } from '../inbox/recent-read';

/** The pipeline's stages, as a store would answer: each read counted, the labels as an admin last saved them. */
function storedStages(labels: string[]) {
  const reads = { count: 0 };
  const read = async () => {
    reads.count++;
    const answer = [...labels];
    await new Promise((resolve) => setTimeout(resolve, 5));
    return answer;
  };
  return { reads, read };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a store read kept for a moment (the stages, the triggers, the bot flows)', () => {
  it('serves a burst of new leads from one read', async () => {
    const { reads, read } = storedStages(['Новий лід', 'Qualified']);
    const stages = new RecentRead(2_000, read);
    const seen = await Promise.all(Array.from({ length: 20 }, () => stages.get()));
    expect(seen.every((s) => s[0] === 'Новий лід')).toBe(true);
    expect(await stages.get()).toEqual(['Новий лід', 'Qualified']);
    expect(reads.count).toBe(1);
  });

  it('reads again at once after this process saved a change', async () => {
    const labels = ['Новий лід'];
    const { reads, read } = storedStages(labels);
    const stages = new RecentRead(60_000, read);
    expect(await stages.get()).toEqual(['Новий лід']);
    labels[0] = 'New lead';
    stages.forget();
    expect(await stages.get()).toEqual(['New lead']);
    expect(reads.count).toBe(2);
  });

  it('shows a change saved by another process once its time is up', async () => {
    const labels = ['Новий лід'];
    const { read } = storedStages(labels);
    const stages = new RecentRead(50, read);
    await stages.get();
    labels[0] = 'New lead';
    expect(await stages.get()).toEqual(['Новий лід']);
    await sleep(80);
    expect(await stages.get()).toEqual(['New lead']);
  });

  it('keeps no failed read: the next caller asks the store again', async () => {
    let fail = true;
    const stages = new RecentRead(60_000, async () => {
      if (fail) throw new Error('the store is not answering');
      return ['Новий лід'];
    });
    await expect(stages.get()).rejects.toThrow('the store is not answering');
    fail = false;
    expect(await stages.get()).toEqual(['Новий лід']);
  });

  it('does not keep a read that began before this process saved a change', async () => {
    const labels = ['Новий лід'];
    const { read } = storedStages(labels);
    const stages = new RecentRead(60_000, read);
    const before = stages.get();
    labels[0] = 'New lead';
    stages.forget();
    await before;
    expect(await stages.get()).toEqual(['New lead']);
  });
});
