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
}

export interface ChannelAdapter {
  readonly name: Channel;
  readonly capabilities: Capabilities;
  /** Absent when the channel can only receive (replies to it are refused up front). */
  readonly sender?: ChannelSender;
  /** Mounted at `/webhooks/<name>` when present. */
  readonly webhook?: WebhookHandler;
  /** Begins receiving (long polling, webhook registration, sessions). */
  start?(sink: InboundSink): Promise<void>;
  stop?(): Promise<void>;
}

export const ok = (json: unknown = { ok: true }): WebhookResponse => ({ status: 200, json });
