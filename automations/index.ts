import type { Agenda, JobWithId } from 'agenda';
import type { Inbox } from '../inbox';
import type { Logger } from '../shared/logger';
import { ALERT_DIGEST, AlertDigest, type AlertMailer, defineAlertDigestJob } from './alert-digest';
import { answerOutOfHours } from './auto-reply';
import { BOT_REPAIR, BOT_REPAIR_INTERVAL_MS, defineBotRepairJob } from './bot-repair';
import { CAMPAIGNS_SEND, defineCampaignsJob } from './campaigns';
import type { WaitClocks } from './deadlines';
import { EscalationChain } from './escalation';
import { definePipelineRepairJob, PIPELINE_REPAIR, PIPELINE_REPAIR_INTERVAL_MS } from './pipeline-repair';
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
  /** Answers the chatbot's turns owed for longer than `afterMs` (lost to a crash); run by a job of its own. */
  botRepair?: { run: (olderThanMs: number) => Promise<number>; afterMs: number };
}

/**
 * Escalation, first-response targets, the out-of-hours auto-reply, the alert digest, the response rollup, the
 * pipeline's repair, campaigns' sends, tasks' alerts, triggers and the chatbot's repair, as Agenda jobs over the inbox.
 * Define before `agenda.start()`, then `schedule()`.
 */
export function createAutomations({ agenda, inbox, clocks, settings, mailer, log, botRepair }: AutomationsOptions) {
  const escalation = new EscalationChain(inbox, clocks, settings.maxSteps);
  const targets = new FirstResponseTargets(inbox, clocks);
  const timers = new DueTimers(inbox, escalation, targets, log);
  defineTimersJob(agenda, timers, log);
  defineRollupJob(agenda, inbox, log);
  definePipelineRepairJob(agenda, inbox, log);
  defineCampaignsJob(agenda, inbox, log);
  const taskTimers = new TaskTimers(inbox, new TaskAlerts(inbox), log);
  defineTaskTimersJob(agenda, taskTimers, log);
  defineTriggerSweepJob(agenda, inbox, log);
  listenForLeadMoves(inbox, log);
  const digest = mailer && settings.supervisorEmails.length > 0 ? new AlertDigest(inbox, mailer, settings.supervisorEmails) : undefined;
  if (digest) defineAlertDigestJob(agenda, digest, log);
  answerOutOfHours(inbox, clocks, log);
  if (botRepair) defineBotRepairJob(agenda, botRepair.run, botRepair.afterMs, log);

  for (const name of [
    AUTOMATIONS_TICK,
    TASKS_TICK,
    TRIGGER_SWEEP,
    RESPONSE_ROLLUP,
    ALERT_DIGEST,
    PIPELINE_REPAIR,
    CAMPAIGNS_SEND,
    BOT_REPAIR,
  ]) {
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
    /** One pass of the campaigns' sends now (the job does this every tick interval). */
    sendCampaigns: () => inbox.campaigns.pass(),
    /** Sends the alert digest now, if email is configured. */
    sendDigest: () => digest?.run() ?? Promise.resolve(0),
    /** Answers the chatbot's turns owed for longer than BOT_REPAIR_AFTER now (the job does this every few seconds). */
    repairBot: () => botRepair?.run(botRepair.afterMs) ?? Promise.resolve(0),
    /** Registers the recurring jobs (once per store; every process runs them in turn). Call after agenda.start(). */
    async schedule(): Promise<void> {
      await agenda.every(settings.tickIntervalMs, AUTOMATIONS_TICK);
      await agenda.every(settings.tickIntervalMs, TASKS_TICK);
      await agenda.every(settings.triggerSweepIntervalMs ?? TRIGGER_SWEEP_INTERVAL_MS, TRIGGER_SWEEP);
      await agenda.every(ROLLUP_INTERVAL_MS, RESPONSE_ROLLUP);
      await agenda.every(settings.pipelineRepairIntervalMs ?? PIPELINE_REPAIR_INTERVAL_MS, PIPELINE_REPAIR);
      await agenda.every(settings.tickIntervalMs, CAMPAIGNS_SEND);
      if (digest) await agenda.every(settings.digestIntervalMs, ALERT_DIGEST);
      if (botRepair) await agenda.every(BOT_REPAIR_INTERVAL_MS, BOT_REPAIR);
    },
  };
}
export type Automations = ReturnType<typeof createAutomations>;

export type { AlertMailer, Mail } from './alert-digest';
export { WaitClocks } from './deadlines';
export type { AutomationSettings } from './settings';
