import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedReply {
  body: { messageId: string; contactExternalId: string; text: string };
  signature: string | undefined;
  headers: IncomingHttpHeaders;
  /** The body exactly as it came, which the signature is over. */
  rawBody: string;
}

/**
 * A local stand-in for a site's API-channel callback: records every reply the gateway POSTs and answers 200, or as
 * `answer` says (a test's busy, refusing or silent site).
 */
export class FakeCallback {
  readonly received: ReceivedReply[] = [];
  answer: (res: ServerResponse) => void = (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  };
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const signature = req.headers['x-signature-256'];
        this.received.push({
          body: JSON.parse(rawBody),
          signature: typeof signature === 'string' ? signature : undefined,
          headers: req.headers,
          rawBody,
        });
        this.answer(res);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/inbox-replies`;
    return this;
  }

  async stop(): Promise<void> {
    // A silent site's connections would keep the server open: they are cut.
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
