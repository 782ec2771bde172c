import type { Channel } from './channels';
import type { ChannelSender, InboundSink } from './messages';

/**
 * The boundary every channel implements. Webhooks are framework-neutral (raw body in, status and body out), so a
 * channel knows nothing of express; inbound events go to the sink, which stores them; replies go through `sender`.
 */
export interface WebhookRequest {
  method: string;
  rawBody: Buffer;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  query: Readonly<Record<string, string | undefined>>;
}

export interface WebhookResponse {
  status: number;
  json?: unknown;
  text?: string;
}

export type WebhookHandler = (request: WebhookRequest, sink: InboundSink) => Promise<WebhookResponse>;

export interface Capabilities {
  text: boolean;
  attachmentsIn: boolean;
  /** Replies may carry files a manager uploaded (the reply is refused up front where this is false). */
  attachmentsOut: boolean;
  receipts: boolean;
  /** How long after the customer's last message a free-text reply is allowed; null when there is no window. */
  replyWindowMs: number | null;
  /**
   * Beyond the window, until this long after the customer's last message, a human agent may still answer
   * (Instagram's HUMAN_AGENT tag: 7 days); the sender marks such replies itself.
   */
  humanAgentWindowMs?: number;
  /** Approved templates can be sent at any time (WhatsApp). */
  templates?: boolean;
  /** The platform drops a second copy of one message (it takes our message id as an idempotency key). */
  idempotentSends?: boolean;
  /** Set on a channel that receives but cannot send: why, in words for the manager whose reply is refused. */
  repliesRefused?: string;
}

/**
 * Where a channel that holds a session of its own (WhatsApp Web: a linked device in a browser) stands. Admins watch
 * it to pair the account (scan the QR) and to see it reconnect.
 */
export type SessionState =
  /** The client is being created or its browser is loading. */
  | 'starting'
  /** Waiting for a phone to scan `qr`. */
  | 'qr'
  /** Paired; the account is syncing. */
  | 'authenticated'
  /** Receiving and sending. */
  | 'ready'
  /** Lost the connection; `reconnectAt` says when the next try begins. */
  | 'disconnected'
  /** The stored session was refused; a new pairing follows. */
  | 'auth_failure'
  /** The device was unlinked from the phone; a new QR follows. */
  | 'logged_out'
  /** The gateway is stopping. */
  | 'stopped';

export interface SessionStatus {
  state: SessionState;
  /** The pairing QR's text while `state` is `qr`, else null. */
  qr: string | null;
  /** The linked account (e.g. `380501234567@c.us`) once known. */
  account: string | null;
  /** Why the session is not ready (the disconnect reason, the error), when it is not. */
  reason: string | null;
  /** When the next reconnect attempt starts, while one is scheduled. */
  reconnectAt: Date | null;
  updatedAt: Date;
}

export interface ChannelSession {
  status(): SessionStatus;
  /** Calls `listener` on every change of the status; returns the unsubscribe. */
  onStatus(listener: (status: SessionStatus) => void): () => void;
}

/**
 * A message template the platform approved, as a manager picks it: the body the customer will read, with `{{1}}`…
 * `{{params}}` to fill in. Only templates whose every value is in the body are offered (the sender fills the body).
 */
export interface ApprovedTemplate {
  name: string;
  language: string;
  category: string;
  body: string;
  params: number;
}

/** Where a channel that sends templates (WhatsApp) lists the approved ones. */
export interface TemplateCatalog {
  approved(): Promise<ApprovedTemplate[]>;
}

export interface ChannelAdapter {
  readonly name: Channel;
  readonly capabilities: Capabilities;
  /** Present where templates can be listed (WhatsApp with its business account id set). */
  readonly templates?: TemplateCatalog;
  /** Absent when the channel can only receive (replies to it are refused up front). */
  readonly sender?: ChannelSender;
  /** Mounted at `/webhooks/<name>` when present. */
  readonly webhook?: WebhookHandler;
  /** Present on channels that hold a session of their own, which admins pair and watch. */
  readonly session?: ChannelSession;
  /** Begins receiving (long polling, webhook registration, sessions). */
  start?(sink: InboundSink): Promise<void>;
  stop?(): Promise<void>;
}

export const ok = (json: unknown = { ok: true }): WebhookResponse => ({ status: 200, json });
