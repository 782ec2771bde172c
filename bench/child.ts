import { type ChildProcess, fork } from 'node:child_process';

type Tagged = { type: string };

/**
 * A bench's helper process over IPC (bench/fanout-clients.ts, bench/bot-customers.ts): started under tsx, asked by
 * message and answered by a message of a named type, told `{type: 'close'}` at the end. `ready` is its first answer.
 */
export class BenchChild<To extends Tagged, From extends Tagged> {
  private readonly waiting = new Map<From['type'], { resolve: (m: From) => void; reject: (e: Error) => void }>();
  readonly child: ChildProcess;
  readonly ready: Promise<From & { type: 'ready' }>;

  constructor(script: string) {
    this.child = fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: From) => {
      const waiter = this.waiting.get(m.type);
      this.waiting.delete(m.type);
      waiter?.resolve(m);
    });
    this.child.once('exit', (code) => {
      for (const [type, waiter] of this.waiting) waiter.reject(new Error(`${script} exited (${code}) before answering ${type}`));
      this.waiting.clear();
    });
    this.ready = this.next('ready');
  }

  private next<K extends From['type']>(type: K): Promise<From & { type: K }> {
    return new Promise((resolve, reject) => {
      this.waiting.set(type, { resolve: resolve as (m: From) => void, reject });
    });
  }

  ask<K extends From['type']>(message: To, answer: K): Promise<From & { type: K }> {
    const reply = this.next(answer);
    this.child.send(message);
    return reply;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'close' });
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (this.child.exitCode === null) this.child.kill();
  }
}
