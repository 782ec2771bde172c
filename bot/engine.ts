import type { Inbox } from '../inbox';
import { InboxEvent } from '../inbox/events';
import type { HeardMessage } from '../inbox/ports';
import type { BotSessionRecord, ContactRecord, ConversationRecord, MessageRecord } from '../inbox/store/records';
import type { ExternalAnswer, HandOffReason } from '../shared/bot-api';
import type { Channel } from '../shared/channels';
import type { Logger } from '../shared/logger';
import type { Choice } from '../shared/messages';
import { type Collected, type DialogState, decide } from './dialog';
import type { FlowsConfig } from './flows';
import { summaryOf } from './summary';

export const BOT_SENDER = 'Бот';
/** Conversations whose last saved talk version is remembered. */
const SAVED_KEPT = 10_000;

/** Business hours as the greeting needs them (the automations' calendar, behind this port). */
export interface BotCalendar {
  isOpen(channel: Channel, at: Date): boolean;
}

/** Someone other than the built-in flows answers the customer (an external bot, bot/external.ts). */
export interface BotBrain {
  /** Answers the customer's message; its answers come back through `Chatbot.answerFor` (now or later). */
  hear(conversationId: string, message: MessageRecord): Promise<void>;
}

/** What a turn says and does, whoever decided it. */
export interface BotAnswer {
  say: { text: string; choices?: Choice[] }[];
  next?: DialogState;
  collected?: Collected;
  /** A reason of the flows, or the external bot's own words. */
  handOff?: { reason: string };
  unmatched?: boolean;
}

/**
 * The chatbot's turns. It answers a customer's message when the inbox tells of it (`message:new` of an applied
 * inbound message), once: every answer's delivery key derives from the message it answers, and the talk is saved
 * only over the state it was decided on. A message whose answer was lost to a crash is found by `repair()` (run by
 * the automations), since ingest noted it as owed before it counted as stored.
 */
export class Chatbot {
  /** One turn at a time per conversation in this process, in the order the messages came. */
  private readonly running = new Map<string, Promise<void>>();
  /**
   * The talk's version this process last saved, per conversation (Infinity: ended here): a talk ingest read before
   * such a save is read again, never decided on.
   */
  private readonly saved = new Map<string, number>();

  constructor(
    private readonly inbox: Inbox,
    private readonly flows: FlowsConfig,
    private readonly calendar: BotCalendar,
    private readonly log: Logger,
  ) {}

  private brain: BotBrain | undefined;

  /** An external bot answers instead of the built-in flows. */
  answerWith(brain: BotBrain): void {
    this.brain = brain;
  }

  /**
   * Listens to the inbox: customers' messages to conversations the bot holds (told by ingest, with what it wrote
   * and read of them), and managers taking over.
   */
  listen(): void {
    this.inbox.botIntake.onHeard((heard) => void this.turn(heard.conversation.id, heard.message.id, heard));
    this.inbox.events.on(InboxEvent.BotTakenOver, ({ conversationId }) => void this.ended(conversationId, 'takeover'));
  }

  /**
   * Answers one customer message (if the bot still holds its conversation and has not answered it). `known`: the
   * records as ingest left them, not read again; the talk is, and it says whether the bot still holds the conversation.
   */
  turn(conversationId: string, messageId: string, known?: HeardMessage): Promise<void> {
    const previous = this.running.get(conversationId) ?? Promise.resolve();
    const next = previous
      .then(() => this.takeTurn(conversationId, messageId, known))
      .catch((err: unknown) => this.log.error({ err, conversationId, messageId }, 'bot turn failed; the repair pass will take it up'));
    this.running.set(conversationId, next);
    void next.finally(() => {
      if (this.running.get(conversationId) === next) this.running.delete(conversationId);
    });
    return next;
  }

  /** The turns owed for longer than `olderThanMs`: answered now (the automations run this by index). */
  async repair(olderThanMs: number, limit = 100): Promise<number> {
    const owed = await this.inbox.store.bot.pendingBefore(new Date(this.inbox.clock().getTime() - olderThanMs), limit);
    for (const session of owed) if (session.pendingInboundId) await this.turn(session.conversationId, session.pendingInboundId);
    return owed.length;
  }

  private async takeTurn(conversationId: string, messageId: string, known: HeardMessage | undefined): Promise<void> {
    const { store } = this.inbox;
    const fresh = known?.session && known.session.version >= (this.saved.get(conversationId) ?? 0) ? known.session : undefined;
    const [conversation, session, message] = await Promise.all([
      known?.conversation ?? store.conversations.get(conversationId),
      fresh ?? store.bot.session(conversationId),
      known?.message ?? store.messages.get(messageId),
      known?.stored,
    ]);
    if (!conversation || !message || !session) return;
    if (!conversation.heldByBot || session.answered.includes(messageId)) {
      await store.bot.answered(conversationId, messageId);
      return;
    }
    // The talk ended while the conversation shows it held: a crash between the talk's end and the release left the
    // release to do, or a manager took it over since ingest passed it on (then there is nothing left to do).
    if (session.handedOffAt) {
      await this.release(conversationId, session);
      await store.bot.answered(conversationId, messageId);
      return;
    }
    if (this.brain) {
      await this.brain.hear(conversationId, message);
      await store.bot.answered(conversationId, messageId);
      return;
    }
    const { flows } = await this.flows.current();
    const decision = decide(
      { step: session.step, unmatched: session.unmatched, offer: session.offer },
      {
        text: message.text,
        ...(message.choice ? { choice: message.choice } : {}),
        inHours: this.calendar.isOpen(conversation.channel, message.createdAt),
      },
      flows,
    );
    // The repair pass knows nothing of the conversation's contact yet: read once here, not once per line said.
    const contact = known?.contact ?? (await store.contacts.get(conversation.contactId));
    await this.apply(conversationId, { conversation, contact }, session, message, {
      say: decision.say,
      next: decision.next,
      ...(decision.collected ? { collected: decision.collected } : {}),
      ...(decision.handOff ? { handOff: { reason: decision.handOff } } : {}),
      ...(decision.unmatched ? { unmatched: true } : {}),
    });
  }

  /**
   * Says the answer and does what it decided, each step safe to run again: the answers go out under keys derived
   * from the message, the card and the unmatched question are written idempotently, the talk is saved over the
   * version it was decided on, and the hand-off ends the talk once before it releases the conversation.
   */
  private async apply(
    conversationId: string,
    about: { conversation: ConversationRecord; contact: ContactRecord | null },
    session: BotSessionRecord,
    message: MessageRecord,
    answer: BotAnswer,
  ): Promise<void> {
    const { store } = this.inbox;
    const { conversation, contact } = about;
    const contactId = conversation.contactId;
    for (const [i, line] of answer.say.entries()) {
      await this.inbox.replies.sendAutomatic({
        conversationId,
        ...(contact ? { known: { conversation, contact } } : {}),
        text: line.text,
        ...(line.choices?.length ? { choices: line.choices } : {}),
        key: `bot:${message.id}:${i}`,
        senderName: BOT_SENDER,
        onlyWhileBotHolds: true,
        answers: message.createdAt,
      });
    }
    if (answer.collected) await store.contacts.fillCard(contactId, answer.collected);
    if (answer.unmatched && message.text.trim()) {
      await store.bot.recordUnmatched({
        messageId: message.id,
        conversationId,
        channel: message.channel,
        text: message.text.trim().slice(0, 500),
        at: message.createdAt,
      });
    }
    const next = answer.next ?? { step: session.step, unmatched: session.unmatched, offer: answer.say.at(-1)?.choices ?? [] };
    if (answer.handOff) {
      await store.bot.advance(conversationId, session.version, next, message.id);
      this.savedHere(conversationId, Number.POSITIVE_INFINITY);
      const ended =
        (await store.bot.end(conversationId, this.inbox.clock(), answer.handOff.reason)) ?? (await store.bot.session(conversationId));
      if (ended) await this.release(conversationId, ended);
      await store.bot.answered(conversationId, message.id);
      return;
    }
    // The answers are out: the talk moves on and the message is owed nothing, in one write.
    await store.bot.advanceAnswered(conversationId, session.version, next, message.id);
    this.savedHere(conversationId, session.version + 1);
  }

  private savedHere(conversationId: string, version: number): void {
    this.saved.delete(conversationId);
    this.saved.set(conversationId, version);
    // Far more than talk with the bot at once; the oldest are forgotten first (a Map keeps the order of insertion).
    if (this.saved.size > SAVED_KEPT) this.saved.delete(this.saved.keys().next().value as string);
  }

  /**
   * An answer someone else decided (the external bot), for a conversation the bot holds: said under `key`, and the
   * hand-off done if it asks for one. False when the bot no longer holds the conversation.
   */
  async answerFor(conversationId: string, answer: ExternalAnswer, key: string): Promise<boolean> {
    const { store } = this.inbox;
    const conversation = await store.conversations.get(conversationId);
    if (!conversation?.heldByBot) return false;
    if (answer.text) {
      await this.inbox.replies.sendAutomatic({
        conversationId,
        text: answer.text,
        ...(answer.choices?.length ? { choices: answer.choices } : {}),
        key: `bot:${key}:0`,
        senderName: BOT_SENDER,
        onlyWhileBotHolds: true,
      });
    }
    if (answer.handOff) {
      const reason = answer.handOff.reason.startsWith('external-failure') ? answer.handOff.reason : `external: ${answer.handOff.reason}`;
      const ended = (await store.bot.end(conversationId, this.inbox.clock(), reason)) ?? (await store.bot.session(conversationId));
      this.savedHere(conversationId, Number.POSITIVE_INFINITY);
      if (ended) await this.release(conversationId, ended);
    }
    return true;
  }

  /** The conversation goes to people, with a note of what the bot learned. */
  private async release(conversationId: string, session: BotSessionRecord): Promise<void> {
    const conversation = await this.inbox.store.conversations.get(conversationId);
    if (!conversation?.heldByBot) return;
    const contact = await this.inbox.store.contacts.get(conversation.contactId);
    const lines = summaryOf(contact, session.handOffReason);
    await this.inbox.botHolds.handOff(conversationId, { lines, key: `${conversationId}:${session.startedAt.toISOString()}` });
    this.inbox.botIntake.saw(conversationId, false);
  }

  /** A manager took the conversation: the talk ends (once), so the figures count it as handed off. */
  private async ended(conversationId: string, reason: HandOffReason): Promise<void> {
    this.inbox.botIntake.saw(conversationId, false);
    this.savedHere(conversationId, Number.POSITIVE_INFINITY);
    await this.inbox.store.bot
      .end(conversationId, this.inbox.clock(), reason)
      .catch((err: unknown) => this.log.error({ err, conversationId }, 'could not note that a manager took over from the bot'));
  }
}
