import type { Agenda } from 'agenda';
import type { Inbox } from '../inbox';
import type { Logger } from '../shared/logger';

export const CAMPAIGNS_SEND = 'campaigns-send';

/**
 * Sends what campaigns have due (inbox/customers/campaigns.ts): each recipient's due time is its place in its
 * channel's pace, read by index; a recipient is held by a write guarded on that due time, so two processes never
 * send to one customer, and one whose process died is taken up again when its hold ends.
 */
export function defineCampaignsJob(agenda: Agenda, inbox: Inbox, log: Logger): void {
  agenda.define(
    CAMPAIGNS_SEND,
    async () => {
      const sent = await inbox.campaigns.pass();
      if (sent > 0) log.debug({ sent }, 'campaign messages settled');
    },
    // A process that dies mid-pass keeps the others off the job only this long (a pass is a batch of sends).
    { concurrency: 1, lockLifetime: 60_000 },
  );
}
