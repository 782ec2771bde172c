import Bottleneck from 'bottleneck';
import { type ChannelSender, DeliveryError, type OutboundText, type SendResult } from '../../shared/messages';
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

  constructor(
    private readonly session: ReadySession,
    private readonly settings: Pick<WhatsAppWebSettings, 'perChatIntervalMs' | 'globalIntervalMs' | 'readyWaitMs'>,
  ) {
    this.global = new Bottleneck({ minTime: settings.globalIntervalMs, maxConcurrent: 1 });
    this.perChat = new Bottleneck.Group({ minTime: settings.perChatIntervalMs, maxConcurrent: 1 });
  }

  async send(message: OutboundText): Promise<SendResult> {
    const chatId = chatIdFor(message.to);
    await this.ready();
    return this.perChat.key(chatId).schedule(() =>
      this.global.schedule(async () => {
        // The session may have dropped while this reply waited for its turn.
        const client = this.session.readyClient();
        if (!client) throw this.notConnected();
        let sent: Awaited<ReturnType<WhatsAppWebClient['sendMessage']>>;
        try {
          sent = await client.sendMessage(chatId, message.text);
        } catch (e) {
          throw toDeliveryError(e);
        }
        const externalId = sent?.id?._serialized;
        if (!externalId) throw new DeliveryError(`WhatsApp Web has no chat ${chatId} to send to`, false);
        return { externalId };
      }),
    );
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
