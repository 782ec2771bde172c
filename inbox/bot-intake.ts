import type { Channel } from '../shared/channels';
import type { BotIntake, HeardMessage } from './ports';
import { RecentRead } from './recent-read';
import type { InboxStore } from './store/port';
import type { BotSessionRecord } from './store/records';

/** How long a read of the bot's switch serves new conversations: a switch flipped in another process shows within it. */
const SWITCH_TTL_MS = 2_000;
/** Conversations remembered as held: far more than talk with the bot at once; the oldest are forgotten first. */
const HELD_KEPT = 10_000;

/** The ingest's view of the bot over the store: whether it is switched on, and the messages it owes answers to. */
export class StoredBotIntake implements BotIntake {
  private readonly enabled = new RecentRead(SWITCH_TTL_MS, async () => (await this.store.bot.flows())?.flows.enabled === true);
  /** Conversations this process last saw held, oldest first (a Set keeps the order of insertion). */
  private readonly held = new Set<string>();
  private listener: ((turn: HeardMessage) => void) | undefined;

  constructor(private readonly store: InboxStore) {}

  takesNew(_channel: Channel): Promise<boolean> {
    return this.enabled.get();
  }

  /** A switch flipped in this process counts at once. */
  forget(): void {
    this.enabled.forget();
  }

  expect(conversationId: string, channel: Channel, messageId: string, at: Date): Promise<BotSessionRecord> {
    return this.store.bot.expect(conversationId, channel, messageId, at);
  }

  likelyHolds(conversationId: string): boolean {
    return this.held.has(conversationId);
  }

  saw(conversationId: string, heldByBot: boolean): void {
    this.held.delete(conversationId);
    if (!heldByBot) return;
    this.held.add(conversationId);
    if (this.held.size > HELD_KEPT) this.held.delete(this.held.values().next().value as string);
  }

  heard(turn: HeardMessage): void {
    this.listener?.(turn);
  }

  /** The bot's ear: told of every applied customer message to a conversation it holds, in this process. */
  onHeard(listener: (turn: HeardMessage) => void): void {
    this.listener = listener;
  }
}
