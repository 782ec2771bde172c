import { DateTime } from 'luxon';
import type { Inbox } from '../inbox';
import { InboxEvent } from '../inbox/events';
import type { Channel } from '../shared/channels';
import type { Logger } from '../shared/logger';
import type { BusinessCalendar } from './business-hours';
import type { WaitClocks } from './deadlines';

export const AUTO_REPLY_SENDER = 'Auto-reply';

/** The out-of-hours answer, in Ukrainian and English, naming when the customer will be answered. */
export function outOfHoursText(opensAt: Date, calendar: BusinessCalendar): string {
  const local = DateTime.fromJSDate(opensAt, { zone: calendar.zone });
  const uk = local.setLocale('uk').toFormat('cccc, d MMMM, HH:mm');
  const en = local.setLocale('en').toFormat('cccc d MMMM, HH:mm');
  return (
    `Дякуємо за повідомлення! Зараз ми не на зв'язку й відповімо вам ${uk} (${calendar.zone}).\n` +
    `Thank you for your message! We are away right now and will answer you on ${en} (${calendar.zone}).`
  );
}

/**
 * A customer who writes outside business hours gets one auto-reply per closed period saying when they will be
 * answered. It goes through the normal delivery queue as a `bot` message and is not a response: the wait and its
 * timers go on (inbox/replies.ts sendAutomatic).
 */
export function answerOutOfHours(inbox: Inbox, clocks: WaitClocks, log: Logger): void {
  inbox.events.on(InboxEvent.MessageNew, ({ conversation, message }) => {
    // Never to a machine: an auto-reply to an auto-reply is how mail loops start.
    if (message.direction !== 'in' || message.sender.type !== 'contact' || message.automated) return;
    // The chatbot greets out of hours itself, saying so: this reply would be a second one.
    if (conversation.heldByBot) return;
    const calendar = clocks.calendar(conversation.channel as Channel);
    const at = new Date(message.createdAt);
    if (calendar.isOpen(at)) return;
    const opensAt = calendar.nextOpening(at);
    inbox.replies
      .sendAutomatic({
        conversationId: conversation.id,
        text: outOfHoursText(opensAt, calendar),
        // One per conversation and closed period, however many messages the customer sends meanwhile.
        key: `out-of-hours:${conversation.id}:${opensAt.toISOString()}`,
        senderName: AUTO_REPLY_SENDER,
      })
      .catch((err: unknown) => log.error({ err, conversationId: conversation.id }, 'out-of-hours auto-reply failed'));
  });
}
