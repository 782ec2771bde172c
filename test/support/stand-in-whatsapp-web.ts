import { EventEmitter } from 'node:events';
import wwebjs from 'whatsapp-web.js';
import type { ClientOptions, WaChat, WaMessage, WhatsAppWebClient } from '../../channels/whatsapp-web/client';
import type { GatewayOptions } from '../../gateway/server';
import { BUSINESS, messageKey, outgoingModel, type WaModel } from '../fixtures/whatsapp-web';
import { TestGateway } from './gateway';

/** whatsapp-web.js's own `Message` built from a WhatsApp Web model, exactly as the library emits it. */
export function libraryMessage(client: unknown, model: WaModel): WaMessage {
  const MessageClass = (wwebjs as unknown as { Message: new (client: unknown, data: unknown) => WaMessage }).Message;
  return new MessageClass(client, model);
}

export interface SentRecord {
  chatId: string;
  content: string;
  id: string;
  at: number;
}

/**
 * Stands in for whatsapp-web.js's `Client` where no WhatsApp account is reachable: the same event interface, driven
 * by the suite (`showQr`, `pair`, `receive`, `ack`, `disconnect`), recording what the gateway asks of it.
 * Everything after it is the real pipeline.
 */
export class StandInWhatsAppWeb extends EventEmitter implements WhatsAppWebClient {
  readonly sent: SentRecord[] = [];
  initializeCalls = 0;
  destroyCalls = 0;
  info: { wid: { _serialized: string } } | null = null;
  /** What getChats() answers (for the catch-up after `ready`). */
  chats: WaChat[] = [];
  /** `@lid` → phone wid, as getContactLidAndPhone answers. */
  readonly lids = new Map<string, string>();
  /** Makes the next sendMessage throw this. */
  failNextSend: Error | undefined;

  /** How often something reached for the browser page (Message.downloadMedia() does, first thing). */
  pageAccesses = 0;

  constructor(readonly options: ClientOptions) {
    super();
  }

  /** There is no browser here; whatever reaches for one is counted and refused. */
  get pupPage(): never {
    this.pageAccesses++;
    throw new Error('the stand-in has no browser page');
  }

  /** Makes initialize() reject, as it does when the browser cannot be launched or WhatsApp Web does not load. */
  startError: Error | undefined;

  async initialize(): Promise<void> {
    this.initializeCalls++;
    if (this.startError) throw this.startError;
  }

  async destroy(): Promise<void> {
    this.destroyCalls++;
  }

  async sendMessage(chatId: string, content: string): Promise<WaMessage> {
    if (this.destroyCalls > 0)
      throw new Error('Protocol error (Runtime.callFunctionOn): Session closed. Most likely the page has been closed.');
    const failure = this.failNextSend;
    if (failure) {
      this.failNextSend = undefined;
      throw failure;
    }
    const id = `true_${chatId}_${messageKey()}`;
    this.sent.push({ chatId, content, id, at: Date.now() });
    return libraryMessage(this, outgoingModel(chatId, id, content, 0));
  }

  async getChats(): Promise<WaChat[]> {
    return this.chats;
  }

  async getContactLidAndPhone(ids: string[]): Promise<{ lid?: string; pn?: string }[]> {
    return ids.map((lid) => ({ lid, pn: this.lids.get(lid) }));
  }

  showQr(qr: string): void {
    this.emit('qr', qr);
  }

  /** The phone scanned the QR (or the stored session was restored): authenticated, then ready. */
  pair(account = BUSINESS): void {
    this.emit('authenticated');
    this.info = { wid: { _serialized: account } };
    this.emit('change_state', 'CONNECTED');
    this.emit('ready');
  }

  receive(model: WaModel): WaMessage {
    const message = libraryMessage(this, model);
    this.emit('message', message);
    return message;
  }

  ack(sent: SentRecord, ack: number): void {
    this.emit('message_ack', libraryMessage(this, outgoingModel(sent.chatId, sent.id, sent.content, ack)), ack);
  }

  edit(model: WaModel, newBody: string): void {
    const edited = { ...model, body: newBody, latestEditSenderTimestampMs: Date.now() };
    this.emit('message_edit', libraryMessage(this, edited), newBody, model.body);
  }

  /** The library's order on a lost connection: the state change, then `disconnected` (it destroys itself after). */
  disconnect(reason: string): void {
    if (reason !== 'LOGOUT') this.emit('change_state', reason);
    this.emit('disconnected', reason);
  }
}

/** The factory handed to the gateway: a new stand-in for every client the session builds. */
export class StandInFactory {
  readonly clients: StandInWhatsAppWeb[] = [];
  /** The next this many clients fail to start. */
  failingStarts = 0;

  readonly create = (options: ClientOptions): StandInWhatsAppWeb => {
    const client = new StandInWhatsAppWeb(options);
    if (this.failingStarts > 0) {
      this.failingStarts--;
      client.startError = new Error('Failed to launch the browser process! /usr/bin/chromium: error while loading shared libraries');
    }
    this.clients.push(client);
    return client;
  };

  get latest(): StandInWhatsAppWeb {
    const client = this.clients.at(-1);
    if (!client) throw new Error('no client built yet');
    return client;
  }

  /** Waits until the session has built (and initialized) the n-th client. */
  async client(n: number, timeoutMs = 10_000): Promise<StandInWhatsAppWeb> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const client = this.clients[n - 1];
      if (client && client.initializeCalls > 0) return client;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`client ${n} was not built within ${timeoutMs} ms (built: ${this.clients.length})`);
  }

  /** Every message sent through any of the clients, in order. */
  sent(): SentRecord[] {
    return this.clients.flatMap((c) => c.sent).sort((a, b) => a.at - b.at);
  }
}

/** An unread chat as getChats() returns it, whose fetchMessages answers with the given models. */
export function unreadChat(client: StandInWhatsAppWeb, wid: string, models: WaModel[]): WaChat {
  return {
    id: { _serialized: wid },
    isGroup: wid.endsWith('@g.us'),
    unreadCount: models.length,
    async fetchMessages({ limit, fromMe }) {
      return models
        .filter((m) => fromMe === undefined || m.id.fromMe === fromMe)
        .slice(-limit)
        .map((m) => libraryMessage(client, m));
    },
  };
}

/** Debian's chromium: WHATSAPP_MODE=web refuses to start without a browser, even when the client is a stand-in. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A whole gateway in WhatsApp Web mode whose session drives stand-ins; quick reconnects and short ready waits. */
export async function startWebGateway(
  settings: NonNullable<NonNullable<GatewayOptions['whatsappWeb']>['settings']> = {},
): Promise<{ gw: TestGateway; factory: StandInFactory }> {
  const factory = new StandInFactory();
  const gw = await TestGateway.start({
    env: { WHATSAPP_MODE: 'web', CHROMIUM_PATH: CHROMIUM },
    whatsappWeb: { createClient: factory.create, settings: { reconnectBaseMs: 200, readyWaitMs: 300, ...settings } },
  });
  return { gw, factory };
}

/** A gateway with a paired WhatsApp Web session, an agent and a supervisor connected live. */
export async function startPairedWebInbox() {
  const { gw, factory } = await startWebGateway();
  const client = await factory.client(1);
  client.pair();
  const agent = await gw.manager('agent', 'Ірина Мельник');
  const supervisor = await gw.manager('supervisor', 'Supervisor Sam');
  return { gw, factory, client, agent, agentLive: await gw.connect(agent.token), supervisorLive: await gw.connect(supervisor.token) };
}
