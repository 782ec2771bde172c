import { AppError, ErrorCode } from '../../shared/errors';
import { type Actor, canWorkOn, isObjectId } from '../access';
import { conversationIdFor } from '../store/ids';
import type { InboxStore } from '../store/port';
import { FIRST_ID } from './rules';

/** How often a renewal trigger's sweep position is read again when another process moved it meanwhile. */
const TRIES = 5;

/** A customer's renewal date (a subscription, a contract), set by a manager who may work on their conversation. */
export class Renewals {
  constructor(private readonly store: InboxStore) {}

  async set(actor: Actor, contactId: string, renewalAt: Date | null): Promise<{ id: string; renewalAt: string | null }> {
    const contact = isObjectId(contactId) ? await this.store.contacts.get(contactId) : null;
    if (!contact) throw new AppError(ErrorCode.NotFound, `contact ${contactId} not found`);
    const conversation = await this.store.conversations.get(conversationIdFor(contact.id));
    if (conversation && !canWorkOn(actor, conversation)) {
      throw new AppError(ErrorCode.Forbidden, `conversation ${conversation.id} is assigned to another agent`);
    }
    // The renewal triggers' sweeps go back to the new date first, so a crash before the date is stored loses nothing
    // (a sweep that went back for nothing finds its firings recorded already).
    if (renewalAt) await this.rewindSweeps(renewalAt);
    await this.store.renewals.set(contact.id, renewalAt);
    return { id: contact.id, renewalAt: renewalAt ? renewalAt.toISOString() : null };
  }

  private async rewindSweeps(to: Date): Promise<void> {
    for (const trigger of await this.store.triggers.ofKind('renewal')) {
      let current = trigger.sweep;
      const ahead = (s: typeof current) => !!s && (s.at.getTime() > to.getTime() || (s.at.getTime() === to.getTime() && s.id !== FIRST_ID));
      for (let i = 0; i < TRIES && ahead(current); i++) {
        if (await this.store.triggers.moveSweep(trigger.id, current, { at: to, id: FIRST_ID })) break;
        current = (await this.store.triggers.get(trigger.id))?.sweep ?? null;
      }
    }
  }
}
