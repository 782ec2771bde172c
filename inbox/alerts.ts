import type { Types } from 'mongoose';
import type { Channel } from '../shared/channels';
import { type Actor, seesEverything } from './access';
import { InboxEvent, type InboxEvents } from './events';
import { type AlertDoc, isDuplicateKey, type Models } from './store/models';
import { type Alert, type AlertType, toAlert } from './views';

export interface NewAlert {
  type: AlertType;
  conversationId: Types.ObjectId;
  channel: Channel;
  agentId?: Types.ObjectId | null;
  messageId?: Types.ObjectId | null;
  detail?: string;
  /** Same key, same alert: a retried job or a second process cannot raise it twice. */
  key: string;
}

/** Alerts for supervisors (and the agent concerned): stored, listed, and pushed live. */
export class Alerts {
  constructor(
    private readonly models: Models,
    private readonly events: InboxEvents,
  ) {}

  async raise(input: NewAlert): Promise<Alert | null> {
    let doc: AlertDoc;
    try {
      doc = (await this.models.Alert.create({ ...input, agentId: input.agentId ?? null })).toObject() as AlertDoc;
    } catch (e) {
      if (isDuplicateKey(e)) return null;
      throw e;
    }
    const alert = toAlert(doc);
    this.events.emit(InboxEvent.Alert, { alert, agentIds: alert.agentId ? [alert.agentId] : [] });
    return alert;
  }

  async list(actor: Actor, since: Date | undefined, limit = 200): Promise<Alert[]> {
    const filter: Record<string, unknown> = {};
    if (since) filter.createdAt = { $gt: since };
    if (!seesEverything(actor)) filter.agentId = actor.id;
    const docs = await this.models.Alert.find(filter).sort({ createdAt: -1 }).limit(limit).lean<AlertDoc[]>();
    return docs.map(toAlert);
  }
}
