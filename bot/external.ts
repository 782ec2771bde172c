import type { MessageRecord } from '../inbox/store/records';
import { type ExternalAnswer, externalAnswerSchema } from '../shared/bot-api';
import type { Logger } from '../shared/logger';
import { hmacSha256Hex } from '../shared/secrets';
import type { BotBrain, Chatbot } from './engine';

export interface ExternalBotSettings {
  /** BOT_WEBHOOK_URL: where each customer message of a conversation the bot holds is POSTed. */
  url: string;
  /** BOT_WEBHOOK_SECRET: the key of `X-Bot-Signature: sha256=<HMAC-SHA256 of the raw body>`. */
  secret: string;
  /** BOT_WEBHOOK_TIMEOUT: how long it may take to take the message. */
  timeoutMs: number;
}

/**
 * An operator's own bot instead of the built-in flows: each customer message is POSTed to it, signed, and it answers
 * in the response body or later through POST /api/bot/messages. A bot that does not answer in time, answers with an
 * error, or answers what cannot be read hands the customer to people at once, the reason kept.
 */
export class ExternalBot implements BotBrain {
  constructor(
    private readonly chatbot: Chatbot,
    private readonly settings: ExternalBotSettings,
    private readonly log: Logger,
  ) {}

  async hear(conversationId: string, message: MessageRecord): Promise<void> {
    const body = JSON.stringify({
      conversationId,
      messageId: message.id,
      channel: message.channel,
      text: message.text,
      ...(message.choice ? { choice: message.choice } : {}),
      contact: { name: message.sender.name ?? null },
      sentAt: message.createdAt.toISOString(),
    });
    let answer: ExternalAnswer | null;
    try {
      answer = await this.post(body);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.log.warn({ conversationId, err: reason }, 'the external bot failed; handing the customer to people');
      await this.chatbot.answerFor(conversationId, { handOff: { reason: `external-failure: ${reason}` } }, message.id);
      return;
    }
    if (answer) await this.chatbot.answerFor(conversationId, answer, message.id);
  }

  /** The bot's answer in its response body; null when it answers later (an empty body). */
  private async post(body: string): Promise<ExternalAnswer | null> {
    let response: Response;
    try {
      response = await fetch(this.settings.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-bot-signature': `sha256=${hmacSha256Hex(this.settings.secret, body)}` },
        body,
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (e) {
      // The timeout's abort is a DOMException, which is no Error here: its name says what it was.
      const name = (e as { name?: unknown } | null)?.name;
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      throw new Error(
        timedOut ? `no answer within ${this.settings.timeoutMs} ms` : `unreachable (${e instanceof Error ? e.message : String(e)})`,
      );
    }
    if (!response.ok) throw new Error(`answered ${response.status}`);
    const text = (await response.text()).trim();
    if (!text) return null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error('answered what is not JSON');
    }
    const parsed = externalAnswerSchema.safeParse(json);
    if (!parsed.success) throw new Error(`answered what is not an answer (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    return parsed.data;
  }
}
