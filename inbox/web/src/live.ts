import { io, type Socket } from 'socket.io-client';
import type { z } from 'zod';
import { type AckBody, type ServerEventBody, type ServerEventName, serverEvents } from '../../../shared/inbox-api';

type Handler<E extends ServerEventName> = (body: ServerEventBody<E>) => void;

/** The live connection: every pushed event parsed with its shared schema before anyone sees it. */
export class Live {
  private readonly socket: Socket;
  private readonly statusListeners = new Set<(connected: boolean, resumed: boolean) => void>();
  private connectedOnce = false;

  constructor(token: string, onRefused: () => void) {
    this.socket = io({ auth: { token }, transports: ['websocket'] });
    this.socket.on('connect', () => {
      const resumed = this.connectedOnce;
      this.connectedOnce = true;
      for (const l of this.statusListeners) l(true, resumed);
    });
    this.socket.on('disconnect', (reason) => {
      for (const l of this.statusListeners) l(false, false);
      // The gateway closes a manager's sockets when an admin changes them; socket.io would not come back by itself.
      if (reason === 'io server disconnect') this.socket.connect();
    });
    this.socket.on('connect_error', (err) => {
      for (const l of this.statusListeners) l(false, false);
      if (/token/i.test(err.message)) onRefused();
    });
  }

  /** Called on every (re)connect and drop; `resumed` is true on a reconnect, when what was missed must be read again. */
  onStatus(listener: (connected: boolean, resumed: boolean) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  on<E extends ServerEventName>(event: E, handler: Handler<E>): () => void {
    const schema = serverEvents[event] as unknown as z.ZodType<ServerEventBody<E>>;
    const listener = (raw: unknown) => {
      const parsed = schema.safeParse(raw);
      if (parsed.success) handler(parsed.data);
      else console.error(`the gateway sent a ${event} this app does not understand`, parsed.error.issues);
    };
    this.socket.on(event as string, listener);
    return () => this.socket.off(event as string, listener);
  }

  emit<T extends object>(event: 'conversation:read' | 'conversation:assign' | 'message:send', body: object): Promise<AckBody<T>> {
    return this.socket.timeout(10_000).emitWithAck(event, body) as Promise<AckBody<T>>;
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  close(): void {
    this.socket.close();
  }
}
