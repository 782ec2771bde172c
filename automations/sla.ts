import type { Inbox } from '../inbox';
import type { WaitingConversation } from '../inbox/waits';
import type { WaitClocks } from './deadlines';
import { utc, waitPhrase } from './wording';

/**
 * First-response targets: one `sla_warning` SLA_WARN_BEFORE ahead of the target and one `sla_breach` when it is
 * missed, to supervisors only. The alert is raised (idempotently, keyed by the wait) before its due time is
 * cleared, so a crash in between repeats the attempt and never loses the alert.
 */
export class FirstResponseTargets {
  constructor(
    private readonly inbox: Inbox,
    private readonly clocks: WaitClocks,
  ) {}

  warn(c: WaitingConversation): Promise<boolean> {
    return this.raise(c, 'slaWarnAt');
  }

  breach(c: WaitingConversation): Promise<boolean> {
    return this.raise(c, 'slaBreachAt');
  }

  private async raise(c: WaitingConversation, kind: 'slaWarnAt' | 'slaBreachAt'): Promise<boolean> {
    const { waits, alerts } = this.inbox;
    const since = c.awaitingReplySince;
    if (since == null || c.firstResponseAt != null || c.status === 'resolved') {
      await waits.reschedule(c, kind, null);
      return false;
    }
    const { channel } = c;
    const target = waitPhrase(this.clocks.slaTarget(channel), this.clocks.calendar(channel));
    const due = c.firstResponseDueAt ?? c.slaBreachAt;
    const names = await waits.agentNames(c.assigneeId ? [c.assigneeId] : []);
    const holder = c.assigneeId ? `Assigned to ${names.get(c.assigneeId) ?? 'an agent'}.` : 'Nobody is assigned.';
    const warning = kind === 'slaWarnAt';
    const detail = warning
      ? `${c.contactName} (${channel}) still waits for a first reply: the ${target} target is missed at ${due ? utc(due) : 'its due time'}. ${holder}`
      : `${c.contactName} (${channel}) got no first reply within the ${target} target${due ? ` (due ${utc(due)})` : ''}. ${holder}`;
    await alerts.raise({
      type: warning ? 'sla_warning' : 'sla_breach',
      conversationId: c.id,
      channel,
      detail,
      key: `${warning ? 'sla_warning' : 'sla_breach'}:${c.id}:${since.getTime()}`,
    });
    await waits.reschedule(c, kind, null);
    return true;
  }
}
