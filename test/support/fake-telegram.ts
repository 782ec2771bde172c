import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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
  url = '';

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
      const reply = this.responders.map((r) => r(call, index)).find(Boolean) ?? this.defaultReply(call);
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private defaultReply(call: RecordedCall): Reply {
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
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
