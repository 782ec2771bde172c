import type { TriggerFiringStore, TriggerStore } from '../port';
import type { FiringState, TriggerActionRecord, TriggerFiringRecord, TriggerOnRecord, TriggerRecord } from '../records';
import { oid, oidOrNull } from './mapping';
import { isDuplicateKey, type Models, type TriggerDoc, type TriggerFiringDoc } from './models';

const str = (v: { toString(): string } | null | undefined): string | null => (v ? v.toString() : null);

function toTriggerRecord(doc: TriggerDoc): TriggerRecord {
  const at = doc as { createdAt?: Date; updatedAt?: Date };
  return {
    id: doc._id.toString(),
    name: doc.name,
    active: doc.active,
    on: doc.on as TriggerOnRecord,
    action: doc.action as TriggerActionRecord,
    createdBy: str(doc.createdBy),
    createdAt: at.createdAt ?? new Date(0),
    updatedAt: at.updatedAt ?? at.createdAt ?? new Date(0),
    sweep: doc.sweepAt ? { at: doc.sweepAt, id: doc.sweepId ?? '' } : null,
  };
}

function toFiringRecord(doc: TriggerFiringDoc): TriggerFiringRecord {
  return {
    id: doc._id.toString(),
    triggerId: doc.triggerId.toString(),
    key: doc.key,
    conversationId: str(doc.conversationId),
    contactId: str(doc.contactId),
    state: doc.state as FiringState,
    retryAt: doc.retryAt ?? null,
    attempts: doc.attempts ?? 0,
    taskId: str(doc.taskId),
    messageId: str(doc.messageId),
    reason: doc.reason ?? null,
    firedAt: doc.firedAt,
    finishedAt: doc.finishedAt ?? null,
  };
}

export class MongoTriggers implements TriggerStore {
  constructor(private readonly models: Models) {}

  async create(trigger: Omit<TriggerRecord, 'id'>): Promise<TriggerRecord> {
    const created = await this.models.Trigger.create({
      name: trigger.name,
      active: trigger.active,
      on: trigger.on,
      action: trigger.action,
      createdBy: oidOrNull(trigger.createdBy),
      sweepAt: trigger.sweep?.at ?? null,
      sweepId: trigger.sweep?.id ?? null,
      createdAt: trigger.createdAt,
      updatedAt: trigger.updatedAt,
    });
    return toTriggerRecord(created.toObject() as TriggerDoc);
  }

  async get(id: string): Promise<TriggerRecord | null> {
    const doc = await this.models.Trigger.findById(oid(id)).lean<TriggerDoc>();
    return doc ? toTriggerRecord(doc) : null;
  }

  /** By `_id`, which is in the order they were made. */
  async list(): Promise<TriggerRecord[]> {
    return (await this.models.Trigger.find({}).sort({ _id: 1 }).lean<TriggerDoc[]>()).map(toTriggerRecord);
  }

  /** By `{'on.kind': 1, active: 1}`. */
  async activeOf(kind: TriggerOnRecord['kind']): Promise<TriggerRecord[]> {
    return (await this.models.Trigger.find({ 'on.kind': kind, active: true }).lean<TriggerDoc[]>()).map(toTriggerRecord);
  }

  async ofKind(kind: TriggerOnRecord['kind']): Promise<TriggerRecord[]> {
    return (await this.models.Trigger.find({ 'on.kind': kind }).lean<TriggerDoc[]>()).map(toTriggerRecord);
  }

  async update(
    id: string,
    change: Partial<Pick<TriggerRecord, 'name' | 'active' | 'on' | 'action' | 'sweep'>>,
    at: Date,
  ): Promise<TriggerRecord | null> {
    const { sweep, ...rest } = change;
    const set: Record<string, unknown> = { ...rest, updatedAt: at };
    if (sweep !== undefined) {
      set.sweepAt = sweep?.at ?? null;
      set.sweepId = sweep?.id ?? null;
    }
    const doc = await this.models.Trigger.findOneAndUpdate(
      { _id: oid(id) },
      { $set: set },
      { returnDocument: 'after', timestamps: false },
    ).lean<TriggerDoc>();
    return doc ? toTriggerRecord(doc) : null;
  }

  async remove(id: string): Promise<boolean> {
    const { deletedCount } = await this.models.Trigger.deleteOne({ _id: oid(id) });
    return deletedCount > 0;
  }

  async moveSweep(id: string, from: TriggerRecord['sweep'], to: NonNullable<TriggerRecord['sweep']>): Promise<boolean> {
    const res = await this.models.Trigger.updateOne(
      { _id: oid(id), sweepAt: from?.at ?? null, sweepId: from?.id ?? null },
      { $set: { sweepAt: to.at, sweepId: to.id } },
      { timestamps: false },
    );
    return res.modifiedCount === 1;
  }
}

export class MongoTriggerFirings implements TriggerFiringStore {
  constructor(private readonly models: Models) {}

  async record(f: TriggerFiringRecord): Promise<TriggerFiringRecord | null> {
    try {
      const created = await this.models.TriggerFiring.create({
        _id: oid(f.id),
        triggerId: oid(f.triggerId),
        key: f.key,
        conversationId: oidOrNull(f.conversationId),
        contactId: oidOrNull(f.contactId),
        state: f.state,
        retryAt: f.retryAt,
        attempts: f.attempts,
        taskId: oidOrNull(f.taskId),
        messageId: oidOrNull(f.messageId),
        reason: f.reason,
        firedAt: f.firedAt,
        finishedAt: f.finishedAt,
      });
      return toFiringRecord(created.toObject() as TriggerFiringDoc);
    } catch (e) {
      // The id derives from the key: the same firing is recorded once, whoever records it.
      if (isDuplicateKey(e)) return null;
      throw e;
    }
  }

  async get(id: string): Promise<TriggerFiringRecord | null> {
    const doc = await this.models.TriggerFiring.findById(oid(id)).lean<TriggerFiringDoc>();
    return doc ? toFiringRecord(doc) : null;
  }

  /** By `{state: 1, retryAt: 1}`. */
  async unfinished(now: Date, limit: number): Promise<TriggerFiringRecord[]> {
    const docs = await this.models.TriggerFiring.find({ state: 'pending', retryAt: { $lte: now } })
      .sort({ retryAt: 1 })
      .limit(limit)
      .lean<TriggerFiringDoc[]>();
    return docs.map(toFiringRecord);
  }

  async claim(f: TriggerFiringRecord, until: Date): Promise<TriggerFiringRecord | null> {
    const doc = await this.models.TriggerFiring.findOneAndUpdate(
      { _id: oid(f.id), state: 'pending', retryAt: f.retryAt },
      { $set: { retryAt: until }, $inc: { attempts: 1 } },
      { returnDocument: 'after' },
    ).lean<TriggerFiringDoc>();
    return doc ? toFiringRecord(doc) : null;
  }

  async finish(
    id: string,
    outcome: { state: 'done' | 'skipped'; taskId?: string | null; messageId?: string | null; reason?: string | null },
    at: Date,
  ): Promise<boolean> {
    const res = await this.models.TriggerFiring.updateOne(
      { _id: oid(id), state: 'pending' },
      {
        $set: {
          state: outcome.state,
          retryAt: null,
          taskId: oidOrNull(outcome.taskId),
          messageId: oidOrNull(outcome.messageId),
          reason: outcome.reason ?? null,
          finishedAt: at,
        },
      },
    );
    return res.modifiedCount === 1;
  }

  /** By `{triggerId: 1, firedAt: -1}`. */
  async ofTrigger(triggerId: string, limit: number): Promise<TriggerFiringRecord[]> {
    const docs = await this.models.TriggerFiring.find({ triggerId: oid(triggerId) })
      .sort({ firedAt: -1 })
      .limit(limit)
      .lean<TriggerFiringDoc[]>();
    return docs.map(toFiringRecord);
  }
}
