/** A clock the test moves by hand: the gateway reads it for every timestamp it stores and every due time it checks. */
export class ManualClock {
  private t: number;

  constructor(start: string | Date) {
    this.t = new Date(start).getTime();
  }

  readonly now = (): Date => new Date(this.t);

  set(at: string | Date): void {
    this.t = new Date(at).getTime();
  }

  advance(ms: number): void {
    this.t += ms;
  }
}
