import Bottleneck from 'bottleneck';
import { type ChannelSender, DeliveryError, type OutboundText, type SendResult } from '../../shared/messages';
import { withNumberedChoices } from '../choices';
import type { WhatsAppWebClient } from './client';
import { chatIdFor } from './decode';
import type { WhatsAppWebSettings } from './settings';

/** What the sender needs of the session: its client once ready, and what to say when it is not. */
export interface ReadySession {
  whenReady(timeoutMs: number): Promise<WhatsAppWebClient | undefined>;
  readyClient(): WhatsAppWebClient | undefined;
  status(): { state: string; reason: string | null };
}

/** Failures no retry can mend: the recipient's id is not a WhatsApp account. */
const permanent = /invalid wid|wid error|not a valid|no lid for user|not on whatsapp/i;

/** The library's and the browser's failures become DeliveryErrors: a lost page or a timeout is retried later. */
export function toDeliveryError(e: unknown): DeliveryError {
  if (e instanceof DeliveryError) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (permanent.test(message)) return new DeliveryError(`WhatsApp refused the recipient: ${message}`, false);
  return new DeliveryError(`WhatsApp Web could not send, will retry: ${message}`, true);
}

/**
 * Replies through the linked device. An unofficial client that writes faster than a person would risks the
 * number's ban, so sends are paced: one chat's replies at least `perChatIntervalMs` apart, all replies at least
 * `globalIntervalMs` apart, one at a time. A reply that finds the session reconnecting waits up to `readyWaitMs`,
 * then goes back to the delivery queue, which tries again with backoff.
 */
export class WhatsAppWebSender implements ChannelSender {
  private readonly global: Bottleneck;
  private readonly perChat: Bottleneck.Group;
  /** When each chat was last written to; entries older than the interval no longer matter and are dropped. */
  private readonly lastSendAt = new Map<string, number>();

  constructor(
    private readonly session: ReadySession,
    private readonly settings: Pick<WhatsAppWebSettings, 'perChatIntervalMs' | 'globalIntervalMs' | 'readyWaitMs'>,
  ) {
    this.global = new Bottleneck({ minTime: settings.globalIntervalMs, maxConcurrent: 1 });
    // One reply per chat at a time, in turn; the spacing itself is measured between the actual sends below.
    this.perChat = new Bottleneck.Group({ maxConcurrent: 1 });
  }

  async send(message: OutboundText): Promise<SendResult> {
    const chatId = chatIdFor(message.to);
    await this.ready();
    return this.perChat.key(chatId).schedule(async () => {
      const wait = (this.lastSendAt.get(chatId) ?? Number.NEGATIVE_INFINITY) + this.settings.perChatIntervalMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      return this.global.schedule(async () => {
        // The session may have dropped while this reply waited for its turn.
        const client = this.session.readyClient();
        if (!client) throw this.notConnected();
        this.noteSend(chatId);
        let sent: Awaited<ReturnType<WhatsAppWebClient['sendMessage']>>;
        try {
          sent = await client.sendMessage(chatId, withNumberedChoices(message.text, message.choices));
        } catch (e) {
          throw toDeliveryError(e);
        }
        const externalId = sent?.id?._serialized;
        if (!externalId) throw new DeliveryError(`WhatsApp Web has no chat ${chatId} to send to`, false);
        return { externalId };
      });
    });
  }

  private noteSend(chatId: string): void {
    const now = Date.now();
    if (this.lastSendAt.size >= 10_000) {
      for (const [chat, at] of this.lastSendAt) if (now - at >= this.settings.perChatIntervalMs) this.lastSendAt.delete(chat);
    }
    this.lastSendAt.set(chatId, now);
  }

  private async ready(): Promise<WhatsAppWebClient> {
    const client = await this.session.whenReady(this.settings.readyWaitMs);
    if (client) return client;
    throw this.notConnected();
  }

  private notConnected(): DeliveryError {
    const { state, reason } = this.session.status();
    return new DeliveryError(`WhatsApp Web is not connected (${state}${reason ? `: ${reason}` : ''})`, true);
  }
}
