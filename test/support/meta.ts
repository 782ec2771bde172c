import { createHmac } from 'node:crypto';
import { FakeGraph } from './fake-graph';
import { type HttpReply, TestGateway } from './gateway';
import { InboxReader } from './inbox-reader';

/** Settings of the Meta app used by the suites: one WhatsApp number and one Instagram account. */
export const WHATSAPP = {
  token: 'EAAJtestWhatsAppSystemUserToken0123456789',
  phoneNumberId: '106540352242922',
  appSecret: 'wa-app-secret-5f2b8c1d9e7a4b3c',
  verifyToken: 'verify-whatsapp-7c1e',
};
export const INSTAGRAM = {
  accessToken: 'IGAAtestInstagramUserToken0123456789',
  accountId: '17841405822304914',
  appSecret: 'ig-app-secret-0d6e4a2f8b1c3e5a',
  verifyToken: 'verify-instagram-3a9d',
};

/** A clock the suites can move forward (messaging windows are measured by the gateway's clock). */
export class MovableClock {
  private offsetMs = 0;
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** X-Hub-Signature-256 as Meta computes it: HMAC-SHA256 over the exact body bytes, keyed with the app secret. */
export const hubSignature = (body: string | Buffer, secret: string): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** A whole gateway with WhatsApp (cloud) and Instagram on, both talking to a local fake Graph API. */
export class MetaGateway {
  private constructor(
    readonly gw: TestGateway,
    readonly graph: FakeGraph,
    readonly clock: MovableClock,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<MetaGateway> {
    const graph = await new FakeGraph().start();
    const clock = new MovableClock();
    const gw = await TestGateway.start({
      clock: clock.now,
      env: {
        META_GRAPH_URL: graph.baseUrl,
        WHATSAPP_MODE: 'cloud',
        WHATSAPP_TOKEN: WHATSAPP.token,
        WHATSAPP_PHONE_NUMBER_ID: WHATSAPP.phoneNumberId,
        WHATSAPP_APP_SECRET: WHATSAPP.appSecret,
        WHATSAPP_VERIFY_TOKEN: WHATSAPP.verifyToken,
        INSTAGRAM_ACCESS_TOKEN: INSTAGRAM.accessToken,
        INSTAGRAM_ACCOUNT_ID: INSTAGRAM.accountId,
        INSTAGRAM_APP_SECRET: INSTAGRAM.appSecret,
        INSTAGRAM_VERIFY_TOKEN: INSTAGRAM.verifyToken,
        ...env,
      },
    });
    return new MetaGateway(gw, graph, clock);
  }

  /** POSTs a callback the way Meta does: JSON bytes signed with the app secret (or a given signature). */
  post(
    channel: 'whatsapp' | 'instagram',
    payload: unknown,
    options: { secret?: string; signature?: string | null; body?: string } = {},
  ): Promise<HttpReply> {
    const body = options.body ?? JSON.stringify(payload);
    const secret = options.secret ?? (channel === 'whatsapp' ? WHATSAPP.appSecret : INSTAGRAM.appSecret);
    const signature = options.signature === undefined ? hubSignature(body, secret) : options.signature;
    return this.gw.request('POST', `/webhooks/${channel}`, {
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'facebookexternalua',
        ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
      },
    });
  }

  private reader?: InboxReader;

  /** The inbox as an admin sees it through the managers' API. */
  get inbox(): InboxReader {
    this.reader ??= new InboxReader(this.gw);
    return this.reader;
  }

  handshake(channel: 'whatsapp' | 'instagram', query: Record<string, string>): Promise<HttpReply> {
    return this.gw.request('GET', `/webhooks/${channel}?${new URLSearchParams(query).toString()}`);
  }

  private readonly collections = new Map<string, Awaited<ReturnType<TestGateway['collection']>>>();

  /** Raw store access for assertions on what was really written. */
  async collection(name: string) {
    let collection = this.collections.get(name);
    if (!collection) {
      collection = await this.gw.collection(name);
      this.collections.set(name, collection);
    }
    return collection;
  }

  async close(): Promise<void> {
    await this.gw.close();
    await this.graph.stop();
  }
}
