import type { Presence } from './ports';
import type { InboxStore } from './store/port';
import type { ConversationRecord } from './store/records';

/**
 * Round-robin assignment of new conversations among online users of role `agent`: the online agent assigned
 * longest ago takes the turn, in one guarded write, so two processes never hand out the same turn twice.
 */
export class Assignment {
  constructor(
    private readonly store: InboxStore,
    private readonly presence: Presence,
  ) {}

  /** Picks the next online agent, skipping `exclude`; null when nobody is online. */
  async nextAgent(exclude: readonly string[] = []): Promise<string | null> {
    const online = (await this.presence.onlineAgentIds()).filter((id) => !exclude.includes(id));
    if (online.length === 0) return null;
    return this.store.agents.takeTurn(online, new Date());
  }

  /** Gives an unassigned conversation to the next online agent; returns the conversation as it now is. */
  async assignIfUnassigned(conversationId: string): Promise<ConversationRecord | null> {
    const agentId = await this.nextAgent();
    if (!agentId) return null;
    return this.store.conversations.assignIfUnassigned(conversationId, agentId);
  }
}
