/**
 * A job's passes in one process: each starts after every pass already running here (failed or not), so passes never
 * overlap; stopping starts no more, and the running pass, watching `stopped`, ends after what it is acting on.
 */
export class SerialPasses<T> {
  private last: Promise<unknown> = Promise.resolve();
  private halted = false;

  constructor(private readonly pass: () => Promise<T>) {}

  get stopped(): boolean {
    return this.halted;
  }

  run(): Promise<T> {
    const pass = this.last.then(
      () => this.pass(),
      () => this.pass(),
    );
    this.last = pass.catch(() => undefined);
    return pass;
  }

  async stop(): Promise<void> {
    this.halted = true;
    await this.last;
  }
}
