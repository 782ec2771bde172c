import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './http';

export interface RecordedCall {
  method: string;
  token: string;
  body: Record<string, unknown>;
  contentType: string | undefined;
  at: number;
}

export type Reply = { status: number; body: unknown };
export type Responder = (call: RecordedCall, index: number) => Reply | undefined;

/**
 * A local stand-in for the Telegram Bot API at `${url}/bot<token>/<method>`: records every call and answers like
 * Telegram does (`{ok:true,result}` or `{ok:false,error_code,description,parameters}`).
 */
export class FakeTelegram {
  readonly calls: RecordedCall[] = [];
  private server: Server | undefined;
  private responders: Responder[] = [];
  private nextMessageId = 5000;
  /** Updates handed out by getUpdates (long polling), in order, honouring `offset` as Telegram does. */
  private readonly pendingUpdates: { update_id: number }[] = [];
  url = '';

  queueUpdate(update: { update_id: number }): void {
    this.pendingUpdates.push(update);
  }

  private gates: { predicate: (call: RecordedCall) => boolean; resolve: (call: RecordedCall) => void }[] = [];
  private held: (() => void)[] = [];

  /**
   * The first call matching `predicate` is recorded but not answered until `releaseHeld()`: the sender is caught
   * mid-send, with Telegram holding its message and the caller not knowing. Resolves when that call arrives.
   */
  holdNext(predicate: (call: RecordedCall) => boolean): Promise<RecordedCall> {
    return new Promise((resolve) => this.gates.push({ predicate, resolve }));
  }

  /** Answers every held call (to a caller that was killed meanwhile the answer goes nowhere). */
  releaseHeld(): void {
    for (const answer of this.held.splice(0)) answer();
  }

  /** Answers the next matching calls from `responder` (first one returning a reply wins). */
  respond(responder: Responder): void {
    this.responders.push(responder);
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  async waitForCalls(method: string, count: number, timeoutMs = 10_000): Promise<RecordedCall[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const calls = this.callsTo(method);
      if (calls.length >= count) return calls;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`expected ${count} ${method} call(s), saw ${this.callsTo(method).length}`);
  }

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const match = /^\/bot([^/]+)\/(\w+)/.exec(req.url ?? '');
      const text = await readBody(req);
      const call: RecordedCall = {
        method: match?.[2] ?? 'unknown',
        token: match?.[1] ?? '',
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
        contentType: req.headers['content-type'],
        at: Date.now(),
      };
      const index = this.calls.length;
      this.calls.push(call);
      const gate = this.gates.find((g) => g.predicate(call));
      if (gate) {
        this.gates = this.gates.filter((g) => g !== gate);
        gate.resolve(call);
        await new Promise<void>((answer) => this.held.push(answer));
      }
      const reply = this.responders.map((r) => r(call, index)).find(Boolean) ?? (await this.defaultReply(call));
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private async defaultReply(call: RecordedCall): Promise<Reply> {
    if (call.method === 'getUpdates') {
      const offset = Number(call.body.offset ?? 0);
      // Confirmed updates (below the offset) are gone for good, as on Telegram.
      while (this.pendingUpdates.length > 0 && (this.pendingUpdates[0]?.update_id ?? 0) < offset) this.pendingUpdates.shift();
      // A short long-poll: hold an empty answer a little so the client does not spin.
      if (this.pendingUpdates.length === 0) await new Promise((r) => setTimeout(r, 100));
      return { status: 200, body: { ok: true, result: this.pendingUpdates.slice(0, Number(call.body.limit ?? 100)) } };
    }
    if (call.method === 'sendMessage') {
      const chatId = Number(call.body.chat_id);
      return {
        status: 200,
        body: {
          ok: true,
          result: {
            message_id: this.nextMessageId++,
            date: Math.floor(Date.now() / 1000),
            chat: { id: chatId, type: 'private', first_name: 'Customer' },
            from: { id: 42, is_bot: true, first_name: 'Shop', username: 'shop_bot' },
            text: call.body.text,
          },
        },
      };
    }
    if (call.method === 'getMe') {
      return { status: 200, body: { ok: true, result: { id: 42, is_bot: true, first_name: 'Shop', username: 'shop_bot' } } };
    }
    return { status: 200, body: { ok: true, result: true } };
  }

  async stop(): Promise<void> {
    this.releaseHeld();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
