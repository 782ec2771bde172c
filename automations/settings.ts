import type { Channel } from '../shared/channels';

export interface PerChannel<T> {
  default: T;
  byChannel: Partial<Record<Channel, T>>;
}

/** What the automations need from the gateway's settings (parsed in gateway/config.ts). */
export interface AutomationSettings {
  escalationAfter: PerChannel<number>;
  /** Hand-overs before the conversation goes to the shared queue and supervisors are alerted. */
  maxSteps: number;
  slaFirstResponse: Readonly<Record<Channel, number>>;
  slaWarnBefore: Readonly<Record<Channel, number>>;
  businessHours: PerChannel<string | undefined>;
  /** Alert digests by email go here (empty: no email). */
  supervisorEmails: readonly string[];
  /** At most one digest per interval. */
  digestIntervalMs: number;
  /** How often the due-time tick runs. */
  tickIntervalMs: number;
  /** How often the pipeline's repair pass runs (PIPELINE_REPAIR_INTERVAL; a minute by default). */
  pipelineRepairIntervalMs?: number;
  /** How often the timed triggers sweep (TRIGGER_SWEEP_INTERVAL; a minute by default). */
  triggerSweepIntervalMs?: number;
}

export const pick = <T>(setting: PerChannel<T>, channel: Channel): T => setting.byChannel[channel] ?? setting.default;
