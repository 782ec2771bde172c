import type { Position, TaskChange, TaskFilter, TaskStore } from '../port';
import type { TaskAlertStep, TaskRecord } from '../records';
import { oid, oidOrNull } from './mapping';
import { isDuplicateKey, type Models, type TaskDoc } from './models';

const str = (v: { toString(): string } | null | undefined): string | null => (v ? v.toString() : null);

function toTaskRecord(doc: TaskDoc): TaskRecord {
  const at = doc as { createdAt?: Date; updatedAt?: Date };
  return {
    id: doc._id.toString(),
    title: doc.title,
    dueAt: doc.dueAt,
    assigneeId: doc.assigneeId.toString(),
    conversationId: str(doc.conversationId),
    contactId: str(doc.contactId),
    createdBy: str(doc.createdBy),
    triggerId: str(doc.triggerId),
    createdAt: at.createdAt ?? doc.dueAt,
    updatedAt: at.updatedAt ?? at.createdAt ?? doc.dueAt,
    doneAt: doc.doneAt ?? null,
    alertStep: (doc.alertStep ?? null) as TaskAlertStep | null,
    alertDueAt: doc.alertDueAt ?? null,
  };
}

/** The page after `after` in (dueAt, _id) order: the same due time with a later id, or a later due time. */
const pageAfter = (after: Position) => ({ $or: [{ dueAt: { $gt: after.at } }, { dueAt: after.at, _id: { $gt: oid(after.id) } }] });

export class MongoTasks implements TaskStore {
  constructor(private readonly models: Models) {}

  async create(task: TaskRecord): Promise<TaskRecord | null> {
    try {
      const created = await this.models.Task.create({
        _id: oid(task.id),
        title: task.title,
        dueAt: task.dueAt,
        assigneeId: oid(task.assigneeId),
        conversationId: oidOrNull(task.conversationId),
        contactId: oidOrNull(task.contactId),
        createdBy: oidOrNull(task.createdBy),
        triggerId: oidOrNull(task.triggerId),
        done: task.doneAt !== null,
        doneAt: task.doneAt,
        alertStep: task.alertStep,
        alertDueAt: task.alertDueAt,
        createdAt: task.createdAt,
        updatedAt: task.updatedAt,
      });
      return toTaskRecord(created.toObject() as TaskDoc);
    } catch (e) {
      // The id is the firing's when a trigger made it: its second run finds the task there.
      if (isDuplicateKey(e)) return null;
      throw e;
    }
  }

  async get(id: string): Promise<TaskRecord | null> {
    const doc = await this.models.Task.findById(oid(id)).lean<TaskDoc>();
    return doc ? toTaskRecord(doc) : null;
  }

  /**
   * One scope's index each (`{assigneeId|conversationId|contactId: 1, done: 1, dueAt: 1, _id: 1}`, or
   * `{done: 1, dueAt: 1, _id: 1}` for everyone's): `done` is always an equality (both values when no status is
   * asked), so the index gives the order.
   */
  async list(filter: TaskFilter, limit: number): Promise<TaskRecord[]> {
    const query: Record<string, unknown> = {};
    if (filter.assigneeId) query.assigneeId = oid(filter.assigneeId);
    else if (filter.conversationId) query.conversationId = oid(filter.conversationId);
    else if (filter.contactId) query.contactId = oid(filter.contactId);
    query.done = filter.status === 'done' ? true : filter.status ? false : { $in: [false, true] };
    if (filter.status === 'overdue') query.dueAt = { $lt: filter.now };
    const docs = await this.models.Task.find(filter.after ? { $and: [query, pageAfter(filter.after)] } : query)
      .sort({ dueAt: 1, _id: 1 })
      .limit(limit)
      .lean<TaskDoc[]>();
    return docs.map(toTaskRecord);
  }

  async update(id: string, change: TaskChange, at: Date): Promise<TaskRecord | null> {
    const set: Record<string, unknown> = { updatedAt: at };
    if (change.title !== undefined) set.title = change.title;
    if (change.dueAt !== undefined) set.dueAt = change.dueAt;
    if (change.assigneeId !== undefined) set.assigneeId = oid(change.assigneeId);
    if (change.doneAt !== undefined) {
      set.doneAt = change.doneAt;
      set.done = change.doneAt !== null;
    }
    if (change.alert) {
      set.alertStep = change.alert.step;
      set.alertDueAt = change.alert.dueAt;
    }
    const doc = await this.models.Task.findOneAndUpdate(
      { _id: oid(id) },
      { $set: set },
      { returnDocument: 'after', timestamps: false },
    ).lean<TaskDoc>();
    return doc ? toTaskRecord(doc) : null;
  }

  async remove(id: string): Promise<boolean> {
    const { deletedCount } = await this.models.Task.deleteOne({ _id: oid(id) });
    return deletedCount > 0;
  }

  /** By `{alertDueAt: 1, _id: 1}`: reads what is due, not what is open. */
  async alertsDue(now: Date, limit: number): Promise<TaskRecord[]> {
    const docs = await this.models.Task.find({ alertDueAt: { $lte: now } })
      .sort({ alertDueAt: 1, _id: 1 })
      .limit(limit)
      .lean<TaskDoc[]>();
    return docs.map(toTaskRecord);
  }

  /** Guarded by the step and due time it was decided on: of two processes, one moves it. */
  async advanceAlert(t: TaskRecord, next: { step: TaskAlertStep | null; dueAt: Date | null }): Promise<boolean> {
    const res = await this.models.Task.updateOne(
      { _id: oid(t.id), alertDueAt: t.alertDueAt, alertStep: t.alertStep },
      { $set: { alertStep: next.step, alertDueAt: next.dueAt } },
      { timestamps: false },
    );
    return res.modifiedCount === 1;
  }
}
