/**
 * The port the channel drives a WhatsApp Web session through: the part of whatsapp-web.js's `Client` we use, as
 * plain structural types. Production passes the real `Client` (see `whatsapp-web-js.ts`); the suites pass a stand-in
 * EventEmitter that emits the same events with `Message`-shaped objects, since no WhatsApp account is reachable there.
 */

/** `Message.id`: `_serialized` is `<fromMe>_<chat wid>_<message id>`, e.g. `false_380501234567@c.us_3EB0C767D26A1D3A5F1C`. */
export interface WaMessageId {
  fromMe: boolean;
  /** The chat's wid. */
  remote: string;
  id: string;
  _serialized: string;
}

/** The fields of whatsapp-web.js's `Message` (src/structures/Message.js) the channel reads. */
export interface WaMessage {
  id: WaMessageId;
  /** The chat's wid for a received message: `<phone>@c.us`, `<lid>@lid`, `<group>@g.us`, `status@broadcast`. */
  from: string;
  to?: string;
  /** The sender inside a group chat. */
  author?: string;
  /** The text, or the caption when `hasMedia`; for `vcard` messages the vCard itself. */
  body: string;
  /** `chat`, `image`, `video`, `audio`, `ptt`, `document`, `sticker`, `location`, `vcard`, `multi_vcard`, `revoked`, … */
  type: string;
  /** Unix seconds. */
  timestamp: number;
  hasMedia: boolean;
  fromMe?: boolean;
  isStatus?: boolean;
  broadcast?: boolean;
  isForwarded?: boolean;
  ack?: number;
  location?: { latitude: number | string; longitude: number | string; name?: string; address?: string; description?: string };
  vCards?: string[];
  /** Milliseconds; set on a message the sender edited. */
  latestEditSenderTimestampMs?: number;
  /** The raw WhatsApp Web model. */
  _data?: {
    /** The sender's profile (push) name. */
    notifyName?: string;
    mimetype?: string;
    filename?: string;
    size?: number;
    [key: string]: unknown;
  };
  /** Downloads the media; the channel keeps references only and never calls it on receipt. */
  downloadMedia?(): Promise<unknown>;
}

export interface WaChat {
  id: { _serialized: string };
  isGroup?: boolean;
  unreadCount?: number;
  fetchMessages(options: { limit: number; fromMe?: boolean }): Promise<WaMessage[]>;
}

/** whatsapp-web.js `MessageAck`. */
export const MessageAck = { Error: -1, Pending: 0, Server: 1, Device: 2, Read: 3, Played: 4 } as const;

/** whatsapp-web.js `Events` the channel listens to. */
export const ClientEvent = {
  Qr: 'qr',
  Authenticated: 'authenticated',
  AuthFailure: 'auth_failure',
  Ready: 'ready',
  Message: 'message',
  MessageAck: 'message_ack',
  MessageEdit: 'message_edit',
  Disconnected: 'disconnected',
  ChangeState: 'change_state',
} as const;

export interface WhatsAppWebClient {
  on(event: string, listener: (...args: any[]) => void): unknown;
  removeListener(event: string, listener: (...args: any[]) => void): unknown;
  /** Launches the browser and opens WhatsApp Web; resolves once the page is injected (before pairing completes). */
  initialize(): Promise<void>;
  /** Closes the browser. */
  destroy(): Promise<void>;
  /** Resolves with the sent message (its `id._serialized` is what `message_ack` later names), or nothing when there is no such chat. */
  sendMessage(chatId: string, content: string): Promise<{ id: { _serialized: string } } | null | undefined>;
  /** The linked account, once ready. */
  info?: { wid?: { _serialized?: string } } | null;
  getChats?(): Promise<WaChat[]>;
  /** Maps `@lid` ids to phone-number wids where WhatsApp knows both. */
  getContactLidAndPhone?(ids: string[]): Promise<{ lid?: string; pn?: string }[]>;
}

/** Where the production client keeps what must survive restarts. */
export interface ClientOptions {
  chromiumPath: string;
  /** The linked device's browser profile (LocalAuth) and the cached WhatsApp Web build live under this folder. */
  sessionDir: string;
}

export type WhatsAppWebClientFactory = (options: ClientOptions) => WhatsAppWebClient | Promise<WhatsAppWebClient>;
