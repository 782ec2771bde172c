import type { Inbox } from '../inbox';
import type { WaitingConversation } from '../inbox/waits';
import type { WaitClocks } from './deadlines';
import { waitPhrase } from './wording';

export type EscalationOutcome = 'handed-over' | 'queued' | 'stale' | 'taken';

/**
 * The escalation chain: a customer waits longer than ESCALATION_AFTER → the conversation passes to the next online
 * agent not yet tried in this chain, who is nudged (and the supervisors told); after ESCALATION_MAX_STEPS
 * hand-overs, or when nobody new is online, it goes to the shared queue and the supervisors are alerted. A reply
 * ends the chain, a manual assignment restarts it (inbox/replies.ts, inbox/conversations.ts).
 */
export class EscalationChain {
  constructor(
    private readonly inbox: Inbox,
    private readonly clocks: WaitClocks,
    private readonly maxSteps: number,
  ) {}

  /** Acts on one conversation found due; `taken` when another process acted on the same step first. */
  async step(c: WaitingConversation, now: Date): Promise<EscalationOutcome> {
    const { waits, alerts, assignment } = this.inbox;
    if (c.awaitingReplySince == null || c.status === 'resolved') {
      await waits.reschedule(c, 'escalationDueAt', null);
      return 'stale';
    }
    const { channel } = c;
    const step = c.escalationStep;
    const dueKey = `${c.id}:${c.escalationDueAt?.getTime()}`;
    const previous = c.assigneeId ?? null;
    const names = await waits.agentNames(previous ? [previous] : []);
    const previousName = previous ? names.get(previous) : undefined;

    if (step < this.maxSteps) {
      const tried = new Set([...c.triedAgentIds, ...(previous ? [previous] : [])]);
      const next = await assignment.nextAgent([...tried]);
      if (next) {
        const after = await waits.handOver(c, next, this.clocks.escalationFrom(channel, now));
        if (!after) return 'taken';
        const lastStep = step + 1 >= this.maxSteps;
        const within = waitPhrase(this.clocks.escalationAfter(channel), this.clocks.calendar(channel));
        const who = previousName ? `Your colleague ${previousName} did not get to this lead` : 'Nobody has taken this lead from the queue';
        await alerts.raise({
          type: 'escalated',
          conversationId: c.id,
          channel,
          agentId: next,
          detail: `${who} (${c.contactName}, ${channel}): take it, or in ${within} it ${lastStep ? 'goes to the shared queue' : 'passes on'}.`,
          key: `escalated:${dueKey}:${step + 1}`,
        });
        return 'handed-over';
      }
    }
    const after = await waits.toQueue(c);
    if (!after) return 'taken';
    const why =
      step >= this.maxSteps
        ? `Nobody answered ${c.contactName} (${channel}) after ${step} hand-over${step === 1 ? '' : 's'}`
        : `No other agent is online to take ${c.contactName} (${channel})${previousName ? ` from ${previousName}` : ''}`;
    await alerts.raise({
      type: 'escalated',
      conversationId: c.id,
      channel,
      agentId: null,
      detail: `${why}: the conversation is in the shared queue now.`,
      key: `escalated:${dueKey}:queue`,
    });
    return 'queued';
  }
}
