import type { Channel } from '../shared/channels';
import type { BotIntake } from './ports';
import type { InboxStore } from './store/port';

/** How long a read of the bot's switch serves new conversations: a switch flipped in another process shows within it. */
const SWITCH_TTL_MS = 2_000;

/** The ingest's view of the bot over the store: whether it is switched on, and the messages it owes answers to. */
export class StoredBotIntake implements BotIntake {
  private cached: { enabled: boolean; until: number } | undefined;

  constructor(private readonly store: InboxStore) {}

  async takesNew(_channel: Channel): Promise<boolean> {
    const now = Date.now();
    if (this.cached && this.cached.until > now) return this.cached.enabled;
    const stored = await this.store.bot.flows();
    this.cached = { enabled: stored?.flows.enabled === true, until: now + SWITCH_TTL_MS };
    return this.cached.enabled;
  }

  /** A switch flipped in this process counts at once. */
  forget(): void {
    this.cached = undefined;
  }

  expect(conversationId: string, channel: Channel, messageId: string, at: Date): Promise<void> {
    return this.store.bot.expect(conversationId, channel, messageId, at);
  }
}
