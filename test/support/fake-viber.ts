import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import JSONbig from 'json-bigint';
import { hmacSha256Hex } from '../../shared/secrets';

export interface ViberCall {
  endpoint: string;
  /** X-Viber-Auth-Token as received. */
  authToken: string | undefined;
  contentType: string | undefined;
  /** The body parsed with json-bigint (storeAsString), so nothing in it was rounded. */
  body: Record<string, unknown>;
  rawBody: string;
  at: number;
  /** When the answer went back; unset until then. */
  answeredAt?: number;
}

/** `body` as a string is sent as is: how a test answers with 64-bit integers JSON.stringify cannot write. */
export type ViberReply = { httpStatus?: number; body: string | Record<string, unknown> };
export type ViberResponder = (call: ViberCall, index: number) => ViberReply | undefined;

export interface WebhookCheck {
  url: string;
  status: number | 'unreachable';
}

const exactJson = JSONbig({ storeAsString: true });

/**
 * A local stand-in for the Viber REST bot API at `${url}/pa/<endpoint>`: records every call and answers like Viber
 * does — HTTP 200 with `{"status":0,…}` or a non-zero status, `message_token` as a bare 64-bit integer. Like Viber,
 * set_webhook first calls the given URL with a signed `event: webhook` callback and only succeeds on a 200.
 */
export class FakeViber {
  readonly calls: ViberCall[] = [];
  readonly webhookChecks: WebhookCheck[] = [];
  /** Every message_token handed out by send_message, in order, as exact decimal strings. */
  readonly issuedTokens: string[] = [];
  private server: Server | undefined;
  private responders: ViberResponder[] = [];
  private nextToken = 5741311803571721087n;
  /** How long the fake holds a call before answering it: a Viber slow to reply. */
  answerDelayMs: (call: ViberCall, index: number) => number = () => 0;
  url = '';

  constructor(private readonly authToken: string) {}

  get apiUrl(): string {
    return `${this.url}/pa`;
  }

  respond(responder: ViberResponder): void {
    this.responders.push(responder);
  }

  callsTo(endpoint: string): ViberCall[] {
    return this.calls.filter((c) => c.endpoint === endpoint);
  }

  async waitForCalls(endpoint: string, count: number, timeoutMs = 10_000): Promise<ViberCall[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const calls = this.callsTo(endpoint);
      if (calls.length >= count) return calls;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`expected ${count} ${endpoint} call(s), saw ${this.callsTo(endpoint).length}`);
  }

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const endpoint = /^\/pa\/(\w+)/.exec(req.url ?? '')?.[1] ?? 'unknown';
      const rawBody = await readBody(req);
      let body: Record<string, unknown> = {};
      try {
        body = rawBody ? (exactJson.parse(rawBody) as Record<string, unknown>) : {};
      } catch {
        body = {};
      }
      const header = req.headers['x-viber-auth-token'];
      const call: ViberCall = {
        endpoint,
        authToken: Array.isArray(header) ? header[0] : header,
        contentType: req.headers['content-type'],
        body,
        rawBody,
        at: Date.now(),
      };
      const index = this.calls.length;
      this.calls.push(call);
      const reply = this.responders.map((r) => r(call, index)).find(Boolean) ?? (await this.defaultReply(call));
      const delay = this.answerDelayMs(call, index);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      call.answeredAt = Date.now();
      res.writeHead(reply.httpStatus ?? 200, { 'content-type': 'application/json' });
      res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The reply Viber gives a successful send: the token as a bare integer beyond 2^53. */
  issueToken(): string {
    const token = (this.nextToken++).toString();
    this.issuedTokens.push(token);
    return token;
  }

  private async defaultReply(call: ViberCall): Promise<ViberReply> {
    if (call.authToken !== this.authToken) {
      return { body: { status: 2, status_message: 'invalidAuthToken', chat_hostname: 'SN-CHAT-05_' } };
    }
    if (call.endpoint === 'send_message') {
      const token = this.issueToken();
      return { body: `{"status":0,"status_message":"ok","message_token":${token},"chat_hostname":"SN-CHAT-05_","billing_status":1}` };
    }
    if (call.endpoint === 'set_webhook') {
      const url = String(call.body.url ?? '');
      const status = await this.checkWebhook(url);
      this.webhookChecks.push({ url, status });
      if (status !== 200) return { body: { status: 1, status_message: `Result[HttpResponse(${status})]`, chat_hostname: 'SN-217_' } };
      return { body: { status: 0, status_message: 'ok', chat_hostname: 'SN-217_', event_types: call.body.event_types } };
    }
    return { body: { status: 0, status_message: 'ok' } };
  }

  /** What Viber does before answering set_webhook: a signed `webhook` callback that must get a 200. */
  private async checkWebhook(url: string): Promise<number | 'unreachable'> {
    const body = `{"event":"webhook","timestamp":${Date.now()},"chat_hostname":"SN-217_","message_token":5492093428461234567}`;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-viber-content-signature': hmacSha256Hex(this.authToken, body) },
        body,
        signal: AbortSignal.timeout(3000),
      });
      await res.text();
      return res.status;
    } catch {
      return 'unreachable';
    }
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
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
