import { AppError, ErrorCode } from '../shared/errors';
import type { ContactCardView } from '../shared/inbox-api';
import type { Actor } from './access';
import type { Conversations } from './conversations';
import type { InboxStore } from './store/port';

/** Who a conversation's customer is, for the contact panel: every identity the platform gave, and where the lead came from. */
export class Contacts {
  constructor(
    private readonly store: InboxStore,
    private readonly conversations: Conversations,
  ) {}

  async ofConversation(actor: Actor, conversationId: string): Promise<ContactCardView> {
    const conversation = await this.conversations.load(actor, conversationId);
    const contact = await this.store.contacts.get(conversation.contactId);
    if (!contact) throw new AppError(ErrorCode.NotFound, `the contact of conversation ${conversationId} is gone`);
    return {
      id: contact.id,
      channel: contact.channel,
      externalId: contact.externalId,
      name: contact.name,
      username: contact.username,
      email: contact.email,
      phone: contact.phone,
      language: contact.language,
      reachable: contact.reachable,
      source: await this.store.messages.leadSource(conversation.id),
      createdAt: (contact.createdAt ?? conversation.createdAt).toISOString(),
    };
  }
}
