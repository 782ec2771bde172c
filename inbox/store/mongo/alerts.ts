import type { AlertStore, NewAlert } from '../port';
import type { AlertRecord } from '../records';
import { oid, oidOrNull, toAlertRecord } from './mapping';
import { type AlertDoc, isDuplicateKey, type Models } from './models';

export class MongoAlerts implements AlertStore {
  constructor(private readonly models: Models) {}

  async raise(alert: NewAlert): Promise<AlertRecord | null> {
    try {
      const doc = await this.models.Alert.create({
        ...alert,
        conversationId: oidOrNull(alert.conversationId),
        agentId: oidOrNull(alert.agentId),
        messageId: oidOrNull(alert.messageId),
        taskId: oidOrNull(alert.taskId),
      });
      return toAlertRecord(doc.toObject() as AlertDoc);
    } catch (e) {
      // The unique key: the same event raised twice is stored once.
      if (isDuplicateKey(e)) return null;
      throw e;
    }
  }

  async recent(query: { since?: Date; agentId?: string; limit: number }): Promise<AlertRecord[]> {
    const filter: Record<string, unknown> = {};
    if (query.since) filter.createdAt = { $gt: query.since };
    if (query.agentId) filter.agentId = oid(query.agentId);
    const docs = await this.models.Alert.find(filter).sort({ createdAt: -1 }).limit(query.limit).lean<AlertDoc[]>();
    return docs.map(toAlertRecord);
  }

  async between(after: Date, upTo: Date, limit: number): Promise<AlertRecord[]> {
    const docs = await this.models.Alert.find({ createdAt: { $gt: after, $lte: upTo } })
      .sort({ createdAt: 1 })
      .limit(limit)
      .lean<AlertDoc[]>();
    return docs.map(toAlertRecord);
  }
}
