import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './http';

export interface GraphCall {
  method: string;
  /** Path without the query, e.g. `/v21.0/106540352242922/messages`. */
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  contentType: string | undefined;
  body: any;
  at: number;
}

export type GraphReply = { status: number; body: unknown; headers?: Record<string, string> };
export type GraphResponder = (call: GraphCall, index: number) => GraphReply | undefined;

/** Meta's error body, as the Graph API sends it. */
export const graphError = (status: number, code: number, message: string, extra: Record<string, unknown> = {}): GraphReply => ({
  status,
  body: { error: { message, type: 'OAuthException', code, fbtrace_id: `A${randomBytes(8).toString('hex')}`, ...extra } },
});

/**
 * A local stand-in for the Graph API under `${url}/v21.0`: records every call and answers like Meta does —
 * WhatsApp Cloud sends with `{messaging_product, contacts, messages: [{id: "wamid…"}]}`, Instagram sends with
 * `{recipient_id, message_id}`, profile look-ups with the profiles registered here (or Meta's error 100).
 */
export class FakeGraph {
  readonly calls: GraphCall[] = [];
  readonly profiles = new Map<string, { name?: string; username?: string }>();
  private server: Server | undefined;
  private responders: GraphResponder[] = [];
  private sequence = 0;
  url = '';

  /** The base to give the gateway as META_GRAPH_URL. */
  get baseUrl(): string {
    return `${this.url}/v21.0`;
  }

  respond(responder: GraphResponder): void {
    this.responders.push(responder);
  }

  /** Sends to `/<id>/messages`. */
  sends(): GraphCall[] {
    return this.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/messages'));
  }

  /**
   * Request bodies in order, each once. The delivery queue is at-least-once (a job may run again, e.g. after a crash
   * between sending and recording it), so checks of what was sent compare distinct requests.
   */
  static distinctBodies(calls: readonly GraphCall[]): unknown[] {
    const seen = new Set<string>();
    return calls.map((c) => c.body).filter((b) => !seen.has(JSON.stringify(b)) && Boolean(seen.add(JSON.stringify(b))));
  }

  async waitForSends(count: number, timeoutMs = 15_000): Promise<GraphCall[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const sends = this.sends();
      if (sends.length >= count) return sends;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`expected ${count} send(s), saw ${this.sends().length}`);
  }

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const text = await readBody(req);
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // recorded as text
      }
      const call: GraphCall = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body,
        at: Date.now(),
      };
      const index = this.calls.length;
      this.calls.push(call);
      const reply = this.responders.map((r) => r(call, index)).find(Boolean) ?? this.defaultReply(call);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private defaultReply(call: GraphCall): GraphReply {
    if (call.method === 'POST' && call.path.endsWith('/messages')) {
      const n = ++this.sequence;
      if (call.body?.messaging_product === 'whatsapp') {
        const id = `wamid.HBgMMzgwNjcxMjM0NTY3FQIAERgS${Buffer.from(`out-${n}-${randomBytes(6).toString('hex')}`).toString('base64')}`;
        return {
          status: 200,
          body: { messaging_product: 'whatsapp', contacts: [{ input: call.body.to, wa_id: call.body.to }], messages: [{ id }] },
        };
      }
      const mid = `aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAw${Buffer.from(`out-${n}`).toString('base64url')}`;
      return { status: 200, body: { recipient_id: call.body?.recipient?.id, message_id: mid } };
    }
    if (call.method === 'GET') {
      const id = call.path.split('/').pop() ?? '';
      const profile = this.profiles.get(id);
      if (profile) return { status: 200, body: { ...profile, id } };
      return graphError(400, 100, `Unsupported get request. Object with ID '${id}' does not exist`, { error_subcode: 33 });
    }
    return graphError(400, 100, 'Unknown path components');
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
