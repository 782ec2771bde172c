import type { z } from 'zod';
import { AppError, ErrorCode } from '../../shared/errors';
import type { newTaskBody, TaskView, taskChangeBody, tasksQuery } from '../../shared/tasks-api';
import { type Actor, canWorkOn, isObjectId, seesEverything } from '../access';
import { decodeCursor, encodeCursor } from '../cursor';
import { InboxEvent, type InboxEvents } from '../events';
import type { Clock } from '../ports';
import { conversationIdFor, newId } from '../store/ids';
import type { InboxStore, TaskChange } from '../store/port';
import type { ConversationRecord, TaskRecord } from '../store/records';
import { mayAssign, maySee } from './access';
import { type NextAlert, startChain, type TaskTimings } from './chain';
import { toTaskView } from './view';

export type { TaskRecord } from '../store/records';
export type NewTask = z.output<typeof newTaskBody>;
export type TaskUpdate = z.output<typeof taskChangeBody>;
export type TasksQuery = z.output<typeof tasksQuery>;

/** What a trigger's firing makes: its id is the firing's, so a firing run twice makes one task. */
export interface TriggeredTask {
  id: string;
  triggerId: string;
  title: string;
  dueAt: Date;
  assigneeId: string;
  conversationId: string | null;
  contactId: string | null;
}

const notFound = (id: string) => new AppError(ErrorCode.NotFound, `task ${id} not found`);

/**
 * Managers' tasks on a conversation, a contact, or on their own: listed, changed and told live to the assignee and
 * the supervisors. Each open task carries the next alert of its chain (inbox/tasks/chain.ts) as a due time the
 * automations find by index; done, rescheduled or reopened, its chain starts again from what it is now.
 */
export class Tasks {
  constructor(
    private readonly store: InboxStore,
    private readonly events: InboxEvents,
    private readonly clock: Clock,
    readonly timings: TaskTimings,
  ) {}

  async list(actor: Actor, query: TasksQuery): Promise<{ items: TaskView[]; nextCursor: string | null }> {
    const scopes = [query.assigneeId, query.conversationId, query.contactId].filter(Boolean);
    if (scopes.length > 1) throw new AppError(ErrorCode.BadInput, 'give at most one of assigneeId, conversationId, contactId');
    const now = this.clock();
    let scope: { assigneeId?: string; conversationId?: string; contactId?: string } = {};
    if (query.conversationId) {
      await this.visibleConversation(actor, query.conversationId);
      scope = { conversationId: query.conversationId };
    } else if (query.contactId) {
      // An agent sees a contact's tasks through the contact's conversation; supervisors see them anyway.
      if (!seesEverything(actor)) await this.visibleConversation(actor, conversationIdFor(query.contactId));
      scope = { contactId: query.contactId };
    } else if (query.assigneeId) {
      if (!seesEverything(actor) && query.assigneeId !== actor.id) {
        throw new AppError(ErrorCode.Forbidden, 'agents list their own tasks, or a conversation’s');
      }
      scope = { assigneeId: query.assigneeId };
    } else if (!seesEverything(actor)) {
      scope = { assigneeId: actor.id };
    }
    const records = await this.store.tasks.list(
      { ...scope, ...(query.status ? { status: query.status } : {}), now, ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}) },
      query.limit + 1,
    );
    const page = records.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((t) => toTaskView(t, now)),
      nextCursor: records.length > query.limit && last ? encodeCursor(last.dueAt, last.id) : null,
    };
  }

  async get(actor: Actor, id: string): Promise<TaskView> {
    return toTaskView(await this.visibleTask(actor, id), this.clock());
  }

  async create(actor: Actor, input: NewTask): Promise<TaskView> {
    const { conversation, contactId } = await this.about(actor, input.conversationId, input.contactId);
    const assigneeId = input.assigneeId ?? actor.id;
    if (!mayAssign(actor, assigneeId, conversation)) {
      throw new AppError(ErrorCode.Forbidden, 'agents give tasks to others only on a conversation they work on');
    }
    await this.activeAgent(assigneeId);
    const now = this.clock();
    const created = await this.store.tasks.create(
      this.newRecord({
        id: newId(),
        title: input.title,
        dueAt: input.dueAt,
        assigneeId,
        conversationId: conversation?.id ?? null,
        contactId,
        createdBy: actor.id,
        triggerId: null,
        now,
      }),
    );
    if (!created) throw new Error('a task with a fresh id collided with a stored one');
    return this.publish(InboxEvent.TaskCreated, created);
  }

  /** A trigger's task; null when that firing made it already. */
  async createTriggered(input: TriggeredTask): Promise<TaskView | null> {
    const created = await this.store.tasks.create(this.newRecord({ ...input, createdBy: null, now: this.clock() }));
    return created ? this.publish(InboxEvent.TaskCreated, created) : null;
  }

  async update(actor: Actor, id: string, change: TaskUpdate): Promise<TaskView> {
    const task = await this.visibleTask(actor, id);
    const conversation = task.conversationId ? await this.store.conversations.get(task.conversationId) : null;
    if (change.assigneeId !== undefined && change.assigneeId !== task.assigneeId) {
      if (!mayAssign(actor, change.assigneeId, conversation)) {
        throw new AppError(ErrorCode.Forbidden, 'agents give tasks to others only on a conversation they work on');
      }
      await this.activeAgent(change.assigneeId);
    }
    const now = this.clock();
    const doneAt = change.done === undefined ? task.doneAt : change.done ? (task.doneAt ?? now) : null;
    const dueAt = change.dueAt ?? task.dueAt;
    const patch: TaskChange = {
      ...(change.title !== undefined ? { title: change.title } : {}),
      ...(change.dueAt !== undefined ? { dueAt: change.dueAt } : {}),
      ...(change.assigneeId !== undefined ? { assigneeId: change.assigneeId } : {}),
      ...(change.done !== undefined ? { doneAt } : {}),
    };
    // Done stops the chain; a new due time, or a reopened task, starts it again from now.
    const rescheduled = change.dueAt !== undefined && change.dueAt.getTime() !== task.dueAt.getTime();
    const reopened = task.doneAt !== null && doneAt === null;
    if (doneAt !== null) patch.alert = { step: null, dueAt: null };
    else if (rescheduled || reopened) patch.alert = this.chainFrom(dueAt, now);
    const after = await this.store.tasks.update(task.id, patch, now);
    if (!after) throw notFound(id);
    return this.publish(InboxEvent.TaskUpdated, after, task.assigneeId);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    const task = await this.visibleTask(actor, id);
    if (!(await this.store.tasks.remove(task.id))) throw notFound(id);
    this.publish(InboxEvent.TaskDeleted, task);
  }

  /** The tasks whose next alert fell due, earliest first (the automations' pass). */
  alertsDue(now: Date, limit: number): Promise<TaskRecord[]> {
    return this.store.tasks.alertsDue(now, limit);
  }

  /** What an alert about the task names: its conversation's channel and customer, and the assignee's name. */
  async alertContext(t: TaskRecord): Promise<{ conversation: ConversationRecord | null; assigneeName: string | null }> {
    const [conversation, names] = await Promise.all([
      t.conversationId ? this.store.conversations.get(t.conversationId) : null,
      this.store.agents.names([t.assigneeId]),
    ]);
    return { conversation, assigneeName: names.get(t.assigneeId) ?? null };
  }

  /** Moves the chain on from the step `t` was read with; false when another process (or a manager) moved it first. */
  advanceAlert(t: TaskRecord, next: NextAlert): Promise<boolean> {
    return this.store.tasks.advanceAlert(t, next);
  }

  private chainFrom(dueAt: Date, now: Date): TaskChange['alert'] {
    return startChain(dueAt, now, this.timings);
  }

  private newRecord(t: Omit<TaskRecord, 'createdAt' | 'updatedAt' | 'doneAt' | 'alertStep' | 'alertDueAt'> & { now: Date }): TaskRecord {
    const { now, ...fields } = t;
    const alert = startChain(fields.dueAt, now, this.timings);
    return { ...fields, createdAt: now, updatedAt: now, doneAt: null, alertStep: alert.step, alertDueAt: alert.dueAt };
  }

  /** The conversation and contact a new task is on: a contact's is its one conversation, a conversation's its contact. */
  private async about(
    actor: Actor,
    conversationId: string | undefined,
    contactId: string | undefined,
  ): Promise<{ conversation: ConversationRecord | null; contactId: string | null }> {
    if (conversationId) {
      const conversation = await this.visibleConversation(actor, conversationId);
      if (contactId && contactId !== conversation.contactId) {
        throw new AppError(ErrorCode.BadInput, `contact ${contactId} is not the customer of conversation ${conversationId}`);
      }
      return { conversation, contactId: conversation.contactId };
    }
    if (contactId) {
      const contact = await this.store.contacts.get(contactId);
      if (!contact) throw new AppError(ErrorCode.NotFound, `contact ${contactId} not found`);
      const conversation = await this.store.conversations.get(conversationIdFor(contactId));
      if (conversation && !canWorkOn(actor, conversation)) {
        throw new AppError(ErrorCode.Forbidden, `conversation ${conversation.id} is assigned to another agent`);
      }
      return { conversation, contactId };
    }
    return { conversation: null, contactId: null };
  }

  private async visibleConversation(actor: Actor, id: string): Promise<ConversationRecord> {
    const conversation = isObjectId(id) ? await this.store.conversations.get(id) : null;
    if (!conversation) throw new AppError(ErrorCode.ConversationNotFound, `conversation ${id} not found`);
    if (!canWorkOn(actor, conversation)) {
      throw new AppError(ErrorCode.Forbidden, `conversation ${id} is assigned to another agent`);
    }
    return conversation;
  }

  /** A task this manager may not see is not found rather than forbidden: that it exists is not theirs to know. */
  private async visibleTask(actor: Actor, id: string): Promise<TaskRecord> {
    const task = isObjectId(id) ? await this.store.tasks.get(id) : null;
    if (!task) throw notFound(id);
    const conversation = task.conversationId && !seesEverything(actor) ? await this.store.conversations.get(task.conversationId) : null;
    if (!maySee(actor, task, conversation)) throw notFound(id);
    return task;
  }

  private async activeAgent(id: string): Promise<void> {
    const agent = await this.store.agents.get(id);
    if (!agent?.active) throw new AppError(ErrorCode.AgentNotFound, `no active manager ${id} to give the task to`);
  }

  private publish(
    event: typeof InboxEvent.TaskCreated | typeof InboxEvent.TaskUpdated | typeof InboxEvent.TaskDeleted,
    t: TaskRecord,
    previousAssigneeId?: string,
  ): TaskView {
    const task = toTaskView(t, this.clock());
    this.events.emit(event, { task, ...(previousAssigneeId && previousAssigneeId !== t.assigneeId ? { previousAssigneeId } : {}) });
    return task;
  }
}
