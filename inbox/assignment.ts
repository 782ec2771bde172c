import type { Types } from 'mongoose';
import type { Presence } from './ports';
import type { ConversationDoc, Models } from './store/models';

/**
 * Round-robin assignment of new conversations among online users of role `agent`. The pick is one atomic
 * findOneAndUpdate on the agent assigned longest ago, so two processes never hand out the same turn twice.
 */
export class Assignment {
  constructor(
    private readonly models: Models,
    private readonly presence: Presence,
  ) {}

  /** Picks the next online agent, skipping `exclude`; null when nobody is online. */
  async nextAgent(exclude: readonly string[] = []): Promise<Types.ObjectId | null> {
    const online = (await this.presence.onlineAgentIds()).filter((id) => !exclude.includes(id));
    if (online.length === 0) return null;
    return this.pick(online);
  }

  private async pick(online: string[]): Promise<Types.ObjectId | null> {
    const agent = await this.models.Agent.findOneAndUpdate(
      { role: 'agent', _id: { $in: online } },
      { $set: { lastAssignedAt: new Date() } },
      { sort: { lastAssignedAt: 1, _id: 1 }, returnDocument: 'after' },
    ).lean();
    return agent?._id ?? null;
  }

  /** Gives an unassigned conversation to the next online agent; returns the conversation as it now is. */
  async assignIfUnassigned(conversationId: Types.ObjectId): Promise<ConversationDoc | null> {
    const agentId = await this.nextAgent();
    if (!agentId) return null;
    const after = await this.models.Conversation.findOneAndUpdate(
      { _id: conversationId, assigneeId: null },
      { $set: { assigneeId: agentId } },
      { returnDocument: 'after' },
    ).lean<ConversationDoc>();
    return after;
  }
}
