import type { Agenda } from 'agenda';
import type { Inbox } from '../inbox';
import type { Alert } from '../inbox/views';
import type { Logger } from '../shared/logger';
import { utc } from './wording';

export const ALERT_DIGEST = 'alert-digest';
const CHECKPOINT = 'alert-digest';
/** Alerts younger than this wait for the next digest, so one still being written is never skipped. */
const SETTLE_MS = 1_000;
/** Alerts in one email at most; the rest follow in the next. */
const MAX_PER_DIGEST = 500;

export interface Mail {
  to: readonly string[];
  subject: string;
  text: string;
}

/** Sends mail (SMTP in the gateway); a port so automations never touch a mail library. */
export interface AlertMailer {
  send(mail: Mail): Promise<void>;
}

const labels: Record<Alert['type'], [string, string]> = {
  sla_breach: ['first-response target missed', 'first-response targets missed'],
  sla_warning: ['first-response target at risk', 'first-response targets at risk'],
  escalated: ['escalation', 'escalations'],
  delivery_failed: ['failed delivery', 'failed deliveries'],
  task_reminder: ['task reminder', 'task reminders'],
  task_overdue: ['overdue task', 'overdue tasks'],
  task_overdue_escalated: ['task still overdue', 'tasks still overdue'],
};

/** What an alert is about: its conversation, or the task of a task's alert on none. */
const subject = (a: Alert) =>
  [a.channel, a.conversationId ? `conversation ${a.conversationId}` : null, a.taskId ? `task ${a.taskId}` : null]
    .filter(Boolean)
    .join('  ');

export function digestMail(alerts: readonly Alert[], to: readonly string[]): Mail {
  const counts = new Map<Alert['type'], number>();
  for (const a of alerts) counts.set(a.type, (counts.get(a.type) ?? 0) + 1);
  const summary = [...counts.entries()].map(([type, n]) => `${n} ${labels[type][n === 1 ? 0 : 1]}`).join(', ');
  const lines = alerts.map((a) => `${utc(new Date(a.createdAt))}  ${a.type}  ${subject(a)}${a.detail ? `\n    ${a.detail}` : ''}`);
  return {
    to,
    subject: `Inbox alerts: ${summary}`,
    text: `${alerts.length} alert${alerts.length === 1 ? '' : 's'} since the last digest:\n\n${lines.join('\n')}\n`,
  };
}

/**
 * Emails every alert raised since the last digest to SUPERVISOR_EMAILS, at most one mail per interval, so a burst of
 * alerts is one message rather than a flood. The stretch of alerts is claimed (a guarded checkpoint move) before
 * the mail goes out and given back if sending fails, so two processes never mail the same alerts.
 */
export class AlertDigest {
  constructor(
    private readonly inbox: Inbox,
    private readonly mailer: AlertMailer,
    private readonly to: readonly string[],
  ) {}

  /** Sends one digest if there is anything new; returns how many alerts it carried. */
  async run(): Promise<number> {
    const { checkpoints, alerts } = this.inbox;
    const upTo = new Date(this.inbox.clock().getTime() - SETTLE_MS);
    // On the very first run, alerts from before the digest existed are not mailed.
    const from = await checkpoints.getOrCreate(CHECKPOINT, upTo);
    if (from >= upTo) return 0;
    const batch = await alerts.raisedBetween(from, upTo, MAX_PER_DIGEST);
    const last = batch.at(-1);
    const claimTo = batch.length === MAX_PER_DIGEST && last ? new Date(last.createdAt) : upTo;
    if (!(await checkpoints.move(CHECKPOINT, from, claimTo))) return 0;
    if (batch.length === 0) return 0;
    try {
      await this.mailer.send(digestMail(batch, this.to));
    } catch (e) {
      await checkpoints.move(CHECKPOINT, claimTo, from);
      throw e;
    }
    return batch.length;
  }
}

export function defineAlertDigestJob(agenda: Agenda, digest: AlertDigest, log: Logger): void {
  agenda.define(
    ALERT_DIGEST,
    async () => {
      const sent = await digest.run();
      if (sent) log.info({ alerts: sent }, 'alert digest emailed to supervisors');
    },
    { concurrency: 1, lockLifetime: 5 * 60_000 },
  );
}
