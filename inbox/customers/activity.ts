import type { InboxStore } from '../store/port';
import type { MessageRecord } from '../store/records';
import { kyivDay } from './days';

/**
 * What counts as a customer's interaction: a message they wrote themselves (a machine's mail, a bounce or an
 * auto-reply, is not the customer coming back).
 */
export const isInteraction = (m: Pick<MessageRecord, 'direction' | 'sender' | 'automated' | 'note'>): boolean =>
  m.direction === 'in' && m.sender.type === 'contact' && m.automated !== true && m.note !== true;

/**
 * Records a customer message as an interaction on its Kyiv day. Called on the inbound path before the message is
 * marked done, so a delivery that dies in between is finished, this included, by the platform's redelivery; the
 * write is idempotent, so finishing twice changes nothing.
 */
export async function recordInteraction(store: InboxStore, message: MessageRecord): Promise<void> {
  if (!isInteraction(message) || !message.sender.id) return;
  await store.activity.record({
    contactId: message.sender.id,
    channel: message.channel,
    day: kyivDay(message.createdAt),
    at: message.createdAt,
  });
}
