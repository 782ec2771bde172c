/**
 * Runs tasks one at a time per key, in arrival order, within this process.
 *
 * Why: FerretDB (the embedded store) does not apply concurrent updates to one document atomically; 50 concurrent
 * `$inc`s on a document were seen to leave it at 9, and a conditional `findOneAndUpdate` had several winners.
 * MongoDB does both atomically. Serializing the inbox's writes per conversation in the process makes the embedded
 * store correct too; what must hold across processes (one stored message, one conversation, one alert) rests on
 * unique indexes, which both stores enforce.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
