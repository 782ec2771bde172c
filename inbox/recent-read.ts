/**
 * A store read needed often and changed rarely (the bot's flows and switch, the pipeline's stages, the triggers a
 * lead's move may fire): this process's last read serves for up to `ttlMs`, so a burst of customers costs one read,
 * not one each. A change made in this process is read at once (`forget`); one made in another shows within `ttlMs`.
 * Concurrent callers share one read; a failed read is not kept.
 */
export class RecentRead<V> {
  private last: { value: Promise<V>; until: number } | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly read: () => Promise<V>,
  ) {}

  get(): Promise<V> {
    const now = Date.now();
    if (this.last && this.last.until > now) return this.last.value;
    const entry = { value: this.read(), until: now + this.ttlMs };
    this.last = entry;
    entry.value.catch(() => {
      if (this.last === entry) this.last = undefined;
    });
    return entry.value;
  }

  /** After this process changed what it reads: the next `get` reads the store again. */
  forget(): void {
    this.last = undefined;
  }
}
