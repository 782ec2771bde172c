import type { ChannelSession, SessionState, SessionStatus } from '../../shared/channel-adapter';
import type { Logger } from '../../shared/logger';
import { ClientEvent, type ClientOptions, type WaMessage, type WhatsAppWebClient, type WhatsAppWebClientFactory } from './client';
import type { WhatsAppWebSettings } from './settings';

/** What the session hands on from the client it currently holds. */
export interface SessionHandlers {
  message(message: WaMessage): void;
  ack(message: WaMessage, ack: number): void;
  edit(message: WaMessage, newBody: unknown, prevBody: unknown): void;
  /** The client became ready (first start, or after a reconnect). */
  ready(client: WhatsAppWebClient): void;
}

type Listener = (...args: any[]) => void;

/**
 * One WhatsApp Web session: builds the client, follows its lifecycle (QR, pairing, ready, disconnects) and keeps
 * it alive. After a disconnect (or a start that failed: no browser, no network) the client is destroyed and a new
 * one built after a backoff (reconnectBaseMs doubling to reconnectMaxMs, reset once ready). A `LOGOUT` (the device
 * was unlinked on the phone) is different: whatsapp-web.js wipes the profile and loads a fresh QR by itself, so the
 * session waits for that QR and rebuilds the client only if none comes within logoutGraceMs.
 */
export class WhatsAppWebSession implements ChannelSession {
  private current: WhatsAppWebClient | undefined;
  private detach: (() => void) | undefined;
  /** Bumped on every new client: events of an older one are ignored. */
  private generation = 0;
  private failures = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private state: SessionStatus;
  private readonly listeners = new Set<(status: SessionStatus) => void>();
  private readyWaiters: (() => void)[] = [];

  constructor(
    private readonly settings: WhatsAppWebSettings,
    private readonly createClient: WhatsAppWebClientFactory,
    private readonly handlers: SessionHandlers,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.state = { state: 'starting', qr: null, account: null, reason: null, reconnectAt: null, updatedAt: now() };
  }

  status(): SessionStatus {
    return { ...this.state };
  }

  onStatus(listener: (status: SessionStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The client, when it is ready to send. */
  readyClient(): WhatsAppWebClient | undefined {
    return this.state.state === 'ready' ? this.current : undefined;
  }

  /** Resolves with the ready client, waiting up to `timeoutMs` for it; undefined if it is still not ready then. */
  async whenReady(timeoutMs: number): Promise<WhatsAppWebClient | undefined> {
    const ready = this.readyClient();
    if (ready || timeoutMs <= 0 || this.stopped) return ready;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timeout);
        this.readyWaiters = this.readyWaiters.filter((w) => w !== done);
        resolve();
      };
      const timeout = setTimeout(done, timeoutMs);
      this.readyWaiters.push(done);
    });
    return this.readyClient();
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.launch();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.current;
    this.retire();
    this.set('stopped', { qr: null, reason: null, reconnectAt: null });
    this.wakeWaiters();
    if (client) await this.destroy(client);
  }

  private set(state: SessionState, patch: Partial<Omit<SessionStatus, 'state' | 'updatedAt'>> = {}, at = this.now()): void {
    this.state = { ...this.state, ...patch, state, updatedAt: at };
    const status = this.status();
    for (const listener of this.listeners) {
      try {
        listener(status);
      } catch (err) {
        this.log.error({ err }, 'whatsapp-web session listener failed');
      }
    }
  }

  private wakeWaiters(): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Builds a client, wires its events and starts it; a failure to start schedules the next attempt. */
  private async launch(): Promise<void> {
    if (this.stopped) return;
    const generation = ++this.generation;
    this.set('starting', { qr: null, reconnectAt: null });
    let client: WhatsAppWebClient;
    try {
      const options: ClientOptions = { chromiumPath: this.settings.chromiumPath, sessionDir: this.settings.sessionDir };
      client = await this.createClient(options);
    } catch (err) {
      this.log.error({ err }, 'whatsapp-web client could not be built');
      this.scheduleRestart(generation, 'disconnected', `client could not be built: ${messageOf(err)}`);
      return;
    }
    if (this.stopped || generation !== this.generation) {
      await this.destroy(client);
      return;
    }
    this.current = client;
    this.detach = this.wire(client, generation);
    this.log.info({ attempt: this.failures }, 'whatsapp-web client starting');
    client.initialize().catch((err: unknown) => {
      if (this.stopped || generation !== this.generation) return;
      this.log.error({ err }, 'whatsapp-web client failed to start');
      this.scheduleRestart(generation, 'disconnected', `start failed: ${messageOf(err)}`);
    });
  }

  private wire(client: WhatsAppWebClient, generation: number): () => void {
    const live = () => !this.stopped && generation === this.generation;
    const handlers: Record<string, Listener> = {
      [ClientEvent.Qr]: (qr: unknown) => {
        if (!live() || typeof qr !== 'string') return;
        clearTimeout(this.timer);
        // WhatsApp replaces the QR about every 20 s; saying so once per pairing is enough.
        if (this.state.state !== 'qr') this.log.info('whatsapp-web waits for its QR to be scanned (inbox page, as an admin)');
        this.set('qr', { qr, reason: null, reconnectAt: null });
      },
      [ClientEvent.Authenticated]: () => {
        if (!live()) return;
        this.set('authenticated', { qr: null, reason: null });
      },
      [ClientEvent.AuthFailure]: (message: unknown) => {
        if (!live()) return;
        this.log.error({ reason: message }, 'whatsapp-web session refused');
        this.scheduleRestart(generation, 'auth_failure', typeof message === 'string' ? message : 'the stored session was refused');
      },
      [ClientEvent.Ready]: () => {
        if (!live()) return;
        clearTimeout(this.timer);
        this.failures = 0;
        const account = client.info?.wid?._serialized ?? this.state.account;
        this.log.info({ account }, 'whatsapp-web ready');
        this.set('ready', { qr: null, reason: null, reconnectAt: null, account: account ?? null });
        this.wakeWaiters();
        this.handlers.ready(client);
      },
      [ClientEvent.ChangeState]: (state: unknown) => {
        if (!live()) return;
        this.log.info({ waState: state }, 'whatsapp-web connection state');
      },
      [ClientEvent.Disconnected]: (reason: unknown) => {
        if (!live()) return;
        const why = typeof reason === 'string' ? reason : 'unknown';
        if (why === 'LOGOUT') {
          // The library wipes the profile and reloads WhatsApp Web itself: a new QR is on its way.
          this.log.warn('whatsapp-web device was unlinked from the phone; a new QR must be scanned');
          this.set('logged_out', { qr: null, account: null, reason: 'the device was unlinked from the phone', reconnectAt: null });
          clearTimeout(this.timer);
          this.timer = setTimeout(() => {
            if (live() && this.state.state === 'logged_out')
              this.scheduleRestart(generation, 'logged_out', 'no new QR after the logout', 0);
          }, this.settings.logoutGraceMs);
          return;
        }
        this.log.warn({ reason: why }, 'whatsapp-web disconnected');
        this.scheduleRestart(generation, 'disconnected', why);
      },
      [ClientEvent.Message]: (message: WaMessage) => {
        if (live()) this.handlers.message(message);
      },
      [ClientEvent.MessageAck]: (message: WaMessage, ack: number) => {
        if (live()) this.handlers.ack(message, ack);
      },
      [ClientEvent.MessageEdit]: (message: WaMessage, newBody: unknown, prevBody: unknown) => {
        if (live()) this.handlers.edit(message, newBody, prevBody);
      },
    };
    for (const [event, listener] of Object.entries(handlers)) client.on(event, listener);
    return () => {
      for (const [event, listener] of Object.entries(handlers)) client.removeListener(event, listener);
    };
  }

  /** Drops the current client's events; the client itself is destroyed by the caller. */
  private retire(): WhatsAppWebClient | undefined {
    const client = this.current;
    this.detach?.();
    this.detach = undefined;
    this.current = undefined;
    return client;
  }

  /**
   * Destroys the client of `generation` and builds a new one after the backoff. Only the first call for a generation
   * acts: a disconnect and a failed `initialize()` of the same client lead to one restart.
   */
  private scheduleRestart(generation: number, state: SessionState, reason: string, delayMs?: number): void {
    if (this.stopped || generation !== this.generation) return;
    this.generation++;
    clearTimeout(this.timer);
    const delay = delayMs ?? Math.min(this.settings.reconnectMaxMs, this.settings.reconnectBaseMs * 2 ** this.failures);
    this.failures++;
    const old = this.retire();
    const at = this.now();
    this.set(state, { qr: null, reason, reconnectAt: new Date(at.getTime() + delay) }, at);
    this.log.info({ delayMs: delay, reason }, 'whatsapp-web reconnect scheduled');
    const next = this.generation;
    void (async () => {
      if (old) await this.destroy(old);
      if (this.stopped || next !== this.generation) return;
      this.timer = setTimeout(() => {
        if (this.stopped || next !== this.generation) return;
        this.launch().catch((err: unknown) => this.log.error({ err }, 'whatsapp-web relaunch failed'));
      }, delay);
    })();
  }

  private async destroy(client: WhatsAppWebClient): Promise<void> {
    try {
      await client.destroy();
    } catch (err) {
      // The library destroys a disconnected client itself; a second destroy of a closed browser may throw.
      this.log.debug({ err }, 'whatsapp-web client destroy');
    }
  }
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
