import type { Channel } from '../shared/channels';
import { type Actor, seesEverything } from './access';
import { InboxEvent, type InboxEvents } from './events';
import { type Clock, systemClock } from './ports';
import type { InboxStore } from './store/port';
import { type Alert, type AlertType, type Role, toAlert } from './views';

export interface NewAlert {
  type: AlertType;
  /** A task's alert may be on no conversation. */
  conversationId: string | null;
  channel: Channel | null;
  taskId?: string | null;
  agentId?: string | null;
  messageId?: string | null;
  detail?: string;
  /** Same key, same alert: a retried job or a second process cannot raise it twice. */
  key: string;
  /**
   * Roles told live besides the agent concerned. Default: supervisors and admins (on a fresh install the only
   * account is the admin, who must see the alerts too).
   */
  roles?: readonly Role[];
}

/** Alerts for supervisors (and the agent concerned): stored, listed, and pushed live. */
export class Alerts {
  constructor(
    private readonly store: InboxStore,
    private readonly events: InboxEvents,
    private readonly clock: Clock = systemClock,
  ) {}

  async raise(input: NewAlert): Promise<Alert | null> {
    const { roles = ['supervisor', 'admin'], ...fields } = input;
    const raised = await this.store.alerts.raise({
      ...fields,
      agentId: fields.agentId ?? null,
      messageId: fields.messageId ?? null,
      taskId: fields.taskId ?? null,
      detail: fields.detail ?? null,
      createdAt: this.clock(),
    });
    if (!raised) return null;
    const alert = toAlert(raised);
    this.events.emit(InboxEvent.Alert, { alert, agentIds: alert.agentId ? [alert.agentId] : [], roles });
    return alert;
  }

  async list(actor: Actor, since: Date | undefined, limit = 200): Promise<Alert[]> {
    const records = await this.store.alerts.recent({
      ...(since ? { since } : {}),
      ...(seesEverything(actor) ? {} : { agentId: actor.id }),
      limit,
    });
    return records.map(toAlert);
  }

  /** Alerts raised in (after, upTo], oldest first: what an email digest reports. */
  async raisedBetween(after: Date, upTo: Date, limit = 500): Promise<Alert[]> {
    return (await this.store.alerts.between(after, upTo, limit)).map(toAlert);
  }
}
