import type { Agenda, JobWithId } from 'agenda';
import type { Inbox } from '../inbox';
import type { Logger } from '../shared/logger';
import { ALERT_DIGEST, AlertDigest, type AlertMailer, defineAlertDigestJob } from './alert-digest';
import { answerOutOfHours } from './auto-reply';
import type { WaitClocks } from './deadlines';
import { EscalationChain } from './escalation';
import { defineRollupJob, RESPONSE_ROLLUP, ROLLUP_INTERVAL_MS } from './rollup';
import type { AutomationSettings } from './settings';
import { FirstResponseTargets } from './sla';
import { TaskAlerts } from './task-alerts';
import { defineTaskTimersJob, TASKS_TICK, TaskTimers } from './task-timers';
import { AUTOMATIONS_TICK, DueTimers, defineTimersJob } from './timers';
import { defineTriggerSweepJob, listenForLeadMoves, TRIGGER_SWEEP, TRIGGER_SWEEP_INTERVAL_MS } from './triggers';

export interface AutomationsOptions {
  agenda: Agenda;
  inbox: Inbox;
  /** The same clocks the inbox stores due times with (its Deadlines port). */
  clocks: WaitClocks;
  settings: AutomationSettings;
  /** Without a mailer (no SMTP_URL) or without SUPERVISOR_EMAILS, alerts are not emailed. */
  mailer?: AlertMailer;
  log: Logger;
}

/**
 * Escalation, first-response targets, the out-of-hours auto-reply, the alert digest and the response rollup, as
 * Agenda jobs over the inbox. Define before `agenda.start()`, then `schedule()`.
 */
export function createAutomations({ agenda, inbox, clocks, settings, mailer, log }: AutomationsOptions) {
  const escalation = new EscalationChain(inbox, clocks, settings.maxSteps);
  const targets = new FirstResponseTargets(inbox, clocks);
  const timers = new DueTimers(inbox, escalation, targets, log);
  defineTimersJob(agenda, timers, log);
  defineRollupJob(agenda, inbox, log);
  const taskTimers = new TaskTimers(inbox, new TaskAlerts(inbox), log);
  defineTaskTimersJob(agenda, taskTimers, log);
  defineTriggerSweepJob(agenda, inbox, log);
  listenForLeadMoves(inbox, log);
  const digest = mailer && settings.supervisorEmails.length > 0 ? new AlertDigest(inbox, mailer, settings.supervisorEmails) : undefined;
  if (digest) defineAlertDigestJob(agenda, digest, log);
  answerOutOfHours(inbox, clocks, log);

  for (const name of [AUTOMATIONS_TICK, TASKS_TICK, TRIGGER_SWEEP, RESPONSE_ROLLUP, ALERT_DIGEST]) {
    agenda.on(`fail:${name}`, (err: Error | string, job: JobWithId | { jobName?: string }) => {
      const jobName = 'attrs' in job ? job.attrs.name : job.jobName;
      log.error({ err, job: jobName }, 'automation job failed');
    });
  }

  return {
    clocks,
    /** One pass over the due timers now (the recurring job does this every tick interval). */
    tick: () => timers.tick(),
    /** One pass over the tasks' due alerts and unfinished trigger firings now (the job does this every tick interval). */
    tasksTick: () => taskTimers.tick(),
    /** The inactivity and renewal triggers' sweep now (the job does this every minute). */
    sweepTriggers: () => inbox.triggerFirings.sweep(),
    /** Before the job queue drains on stop: no new pass, and the running one ends after its current conversations. */
    stop: async () => {
      await Promise.all([timers.stop(), taskTimers.stop()]);
    },
    /** Rolls up closed hours of response figures now (the job does this every minute). */
    rollUp: () => inbox.rollups.run(inbox.clock()),
    /** Sends the alert digest now, if email is configured. */
    sendDigest: () => digest?.run() ?? Promise.resolve(0),
    /** Registers the recurring jobs (once per store; every process runs them in turn). Call after agenda.start(). */
    async schedule(): Promise<void> {
      await agenda.every(settings.tickIntervalMs, AUTOMATIONS_TICK);
      await agenda.every(settings.tickIntervalMs, TASKS_TICK);
      await agenda.every(TRIGGER_SWEEP_INTERVAL_MS, TRIGGER_SWEEP);
      await agenda.every(ROLLUP_INTERVAL_MS, RESPONSE_ROLLUP);
      if (digest) await agenda.every(settings.digestIntervalMs, ALERT_DIGEST);
    },
  };
}
export type Automations = ReturnType<typeof createAutomations>;

export type { AlertMailer, Mail } from './alert-digest';
export { WaitClocks } from './deadlines';
export type { AutomationSettings } from './settings';
