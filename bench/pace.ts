/** Runs `tasks` at `perSecond`, each started on its own schedule (an open loop: a slow answer delays nothing). */
export async function atRate<T>(count: number, perSecond: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const started = performance.now();
  const pending: Promise<T>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = started + (i * 1000) / perSecond - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(task(i));
  }
  return Promise.all(pending);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
