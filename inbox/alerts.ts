import type { Types } from 'mongoose';
import type { Channel } from '../shared/channels';
import { type Actor, seesEverything } from './access';
import { InboxEvent, type InboxEvents } from './events';
import { type Clock, systemClock } from './ports';
import { type AlertDoc, isDuplicateKey, type Models } from './store/models';
import { type Alert, type AlertType, type Role, toAlert } from './views';

export interface NewAlert {
  type: AlertType;
  conversationId: Types.ObjectId;
  channel: Channel;
  agentId?: Types.ObjectId | null;
  messageId?: Types.ObjectId | null;
  detail?: string;
  /** Same key, same alert: a retried job or a second process cannot raise it twice. */
  key: string;
  /**
   * Roles told live besides the agent concerned. Default: supervisors and admins. First-response alerts go to
   * supervisors only (admins still find every alert in GET /api/alerts).
   */
  roles?: readonly Role[];
}

/** Alerts for supervisors (and the agent concerned): stored, listed, and pushed live. */
export class Alerts {
  constructor(
    private readonly models: Models,
    private readonly events: InboxEvents,
    private readonly clock: Clock = systemClock,
  ) {}

  async raise(input: NewAlert): Promise<Alert | null> {
    const { roles = ['supervisor', 'admin'], ...fields } = input;
    let doc: AlertDoc;
    try {
      doc = (await this.models.Alert.create({ ...fields, agentId: input.agentId ?? null, createdAt: this.clock() })).toObject() as AlertDoc;
    } catch (e) {
      if (isDuplicateKey(e)) return null;
      throw e;
    }
    const alert = toAlert(doc);
    this.events.emit(InboxEvent.Alert, { alert, agentIds: alert.agentId ? [alert.agentId] : [], roles });
    return alert;
  }

  async list(actor: Actor, since: Date | undefined, limit = 200): Promise<Alert[]> {
    const filter: Record<string, unknown> = {};
    if (since) filter.createdAt = { $gt: since };
    if (!seesEverything(actor)) filter.agentId = actor.id;
    const docs = await this.models.Alert.find(filter).sort({ createdAt: -1 }).limit(limit).lean<AlertDoc[]>();
    return docs.map(toAlert);
  }

  /** Alerts raised in (after, upTo], oldest first: what an email digest reports. */
  async raisedBetween(after: Date, upTo: Date, limit = 500): Promise<Alert[]> {
    const docs = await this.models.Alert.find({ createdAt: { $gt: after, $lte: upTo } })
      .sort({ createdAt: 1 })
      .limit(limit)
      .lean<AlertDoc[]>();
    return docs.map(toAlert);
  }
}
