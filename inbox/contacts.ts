import type { Types } from 'mongoose';
import { AppError, ErrorCode } from '../shared/errors';
import type { ContactCardView } from '../shared/inbox-api';
import type { Actor } from './access';
import type { Conversations } from './conversations';
import type { ContactDoc, Models } from './store/models';

/** Who a conversation's customer is, for the contact panel: every identity the platform gave, and where the lead came from. */
export class Contacts {
  constructor(
    private readonly models: Models,
    private readonly conversations: Conversations,
  ) {}

  async ofConversation(actor: Actor, conversationId: string): Promise<ContactCardView> {
    const conversation = await this.conversations.load(actor, conversationId);
    const contact = await this.models.Contact.findById(conversation.contactId).lean<ContactDoc & { createdAt?: Date }>();
    if (!contact) throw new AppError(ErrorCode.NotFound, `the contact of conversation ${conversationId} is gone`);
    // The lead's source (a deep link's payload, a form's name) rides on its first messages; the index on
    // {conversationId, createdAt} reads the first few in order.
    const first = await this.models.Message.find({ conversationId: conversation._id }, { source: 1 })
      .sort({ createdAt: 1, _id: 1 })
      .limit(5)
      .lean<{ _id: Types.ObjectId; source?: string | null }[]>();
    return {
      id: contact._id.toString(),
      channel: contact.channel as ContactCardView['channel'],
      externalId: contact.externalId,
      name: contact.name,
      username: contact.username ?? null,
      email: contact.email ?? null,
      phone: contact.phone ?? null,
      language: contact.language ?? null,
      reachable: contact.reachable !== false,
      source: first.find((m) => m.source)?.source ?? null,
      createdAt: (contact.createdAt ?? conversation.lastMessageAt).toISOString(),
    };
  }
}
