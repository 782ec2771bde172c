import { AppError, ErrorCode, isAppError } from '../shared/errors';
import type { ContactCardView } from '../shared/inbox-api';
import type { Actor } from './access';
import type { Conversations } from './conversations';
import { conversationIdFor } from './store/ids';
import type { InboxStore } from './store/port';
import type { ContactRecord } from './store/records';

/** The other contacts looked at: a customer rarely writes from more than a few places. */
const ELSEWHERE_LIMIT = 10;

/** A conversation this manager may not open, or one not yet opened, is left out; anything else (the store) is not. */
function notTheirs(e: unknown): null {
  if (isAppError(e) && (e.code === ErrorCode.Forbidden || e.code === ErrorCode.ConversationNotFound)) return null;
  throw e;
}

/** A phone as the platforms spell it: `+380671234567` (WhatsApp, forms), `380671234567` (Telegram's shared contact). */
function phoneForms(phone: string): string[] {
  const digits = phone.replace(/\D/g, '');
  return [...new Set([phone, digits, `+${digits}`])].filter((p) => p.replace(/\D/g, '').length >= 5);
}

/**
 * Who a conversation's customer is, for the contact panel: every identity the platform gave, where the lead came
 * from, and the same customer on other channels (the same email or phone).
 */
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
      // The name and phone the customer gave the bot over the ones the platform shows.
      name: contact.givenName || contact.name,
      username: contact.username,
      email: contact.email,
      phone: contact.givenPhone || contact.phone,
      language: contact.language,
      need: contact.need ?? null,
      reachable: contact.reachable,
      renewalAt: (await this.store.renewals.get(contact.id))?.toISOString() ?? null,
      source: await this.store.messages.leadSource(conversation.id),
      createdAt: (contact.createdAt ?? conversation.createdAt).toISOString(),
      elsewhere: await this.elsewhere(actor, contact),
    };
  }

  private async elsewhere(actor: Actor, contact: ContactRecord): Promise<ContactCardView['elsewhere']> {
    const emails = contact.email ? [...new Set([contact.email, contact.email.toLowerCase()])] : [];
    const phones = [...new Set([contact.phone, contact.givenPhone].filter((p) => p != null).flatMap(phoneForms))];
    const ids = (await this.store.contacts.idsByIdentity(emails, phones, ELSEWHERE_LIMIT + 1)).filter((id) => id !== contact.id);
    const found = await Promise.all(
      ids.slice(0, ELSEWHERE_LIMIT).map(async (id) => {
        const other = await this.store.contacts.get(id);
        // Only what this manager may open: an agent sees their own and the unassigned queue.
        const conversation = other ? await this.conversations.load(actor, conversationIdFor(id)).catch(notTheirs) : null;
        return other && conversation
          ? {
              conversationId: conversation.id,
              channel: other.channel,
              externalId: other.externalId,
              name: other.name,
              status: conversation.status,
              lastMessageAt: conversation.lastMessageAt?.toISOString() ?? null,
            }
          : null;
      }),
    );
    return found.filter((f) => f !== null).sort((a, b) => (b.lastMessageAt ?? '').localeCompare(a.lastMessageAt ?? ''));
  }
}
