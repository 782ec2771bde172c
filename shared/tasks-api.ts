import { z } from 'zod';
import { channelNames } from './channels';
import { templateSchema } from './messages';

/**
 * Tasks, their triggers and a contact's renewal date as both ends of the managers' API see them: the REST bodies
 * and answers, and the live events' payloads (the gateway types what it sends with them; the app parses with them).
 */

const isoTime = z.string();
const objectId = (what: string) => z.string().regex(/^[a-f0-9]{24}$/i, `must be ${what}`);
/** ISO-8601 with an offset, as the page and integrations send times. */
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const DAY_MS = 24 * 3600_000;

export const taskStatusSchema = z.enum(['open', 'done', 'overdue']);
export type TaskStatus = z.infer<typeof taskStatusSchema>;

export const taskViewSchema = z.object({
  id: z.string(),
  title: z.string(),
  dueAt: isoTime,
  assigneeId: z.string(),
  conversationId: z.string().nullable(),
  contactId: z.string().nullable(),
  createdBy: z.string().nullable(),
  /** The trigger that made it, when a trigger did. */
  triggerId: z.string().nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
  doneAt: isoTime.nullable(),
  /** Not done and past its due time (as of the answer). */
  overdue: z.boolean(),
});
export type TaskView = z.infer<typeof taskViewSchema>;

const taskTitle = z.string().trim().min(1, 'the title must not be empty').max(200, 'the title is longer than 200 characters');

export const newTaskBody = z
  .object({
    title: taskTitle,
    dueAt: instant,
    /** Whose task: the manager asking by default (agents give tasks to themselves only). */
    assigneeId: objectId('an agent id').optional(),
    conversationId: objectId('a conversation id').optional(),
    contactId: objectId('a contact id').optional(),
  })
  .strict();
export type NewTaskBody = z.input<typeof newTaskBody>;

export const taskChangeBody = z
  .object({
    title: taskTitle.optional(),
    dueAt: instant.optional(),
    assigneeId: objectId('an agent id').optional(),
    done: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'name at least one of title, dueAt, assigneeId, done' });
export type TaskChangeBody = z.input<typeof taskChangeBody>;

export const tasksQuery = z.object({
  assigneeId: objectId('an agent id').optional(),
  conversationId: objectId('a conversation id').optional(),
  contactId: objectId('a contact id').optional(),
  status: taskStatusSchema.optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type TasksQuery = z.infer<typeof tasksQuery>;

export const tasksPage = z.object({ items: z.array(taskViewSchema), nextCursor: z.string().nullable() });

/** What starts a trigger. */
export const triggerOnSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('stage_changed'),
      toStageId: z.string().min(1).max(64).optional(),
      fromStageId: z.string().min(1).max(64).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('lost'), lossReasonId: z.string().min(1).max(64).optional() }).strict(),
  z.object({ kind: z.literal('inactive'), days: z.number().int().min(1).max(3650) }).strict(),
  z.object({ kind: z.literal('renewal'), daysBefore: z.number().int().min(0).max(3650) }).strict(),
]);
export type TriggerOn = z.infer<typeof triggerOnSchema>;

/** What a trigger does. */
export const triggerActionSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('create_task'),
      title: taskTitle,
      /** Due this long after the trigger fired. */
      dueInMs: z
        .number()
        .int()
        .min(0)
        .max(365 * DAY_MS),
      /** The conversation's assignee, or one manager by id. */
      assignTo: z.union([z.literal('assignee'), objectId('"assignee" or an agent id')]),
    })
    .strict(),
  z
    .object({
      kind: z.literal('send_template'),
      template: templateSchema,
      /** Only on this channel (a template belongs to one business account); any channel that sends templates by default. */
      channel: z.enum(channelNames).optional(),
    })
    .strict(),
]);
export type TriggerAction = z.infer<typeof triggerActionSchema>;

const triggerName = z.string().trim().min(1, 'the name must not be empty').max(100, 'the name is longer than 100 characters');

export const triggerViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  active: z.boolean(),
  on: triggerOnSchema,
  action: triggerActionSchema,
  createdBy: z.string().nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type TriggerView = z.infer<typeof triggerViewSchema>;

export const newTriggerBody = z
  .object({ name: triggerName, active: z.boolean().default(true), on: triggerOnSchema, action: triggerActionSchema })
  .strict();
export type NewTriggerBody = z.input<typeof newTriggerBody>;

export const triggerChangeBody = z
  .object({
    name: triggerName.optional(),
    active: z.boolean().optional(),
    on: triggerOnSchema.optional(),
    action: triggerActionSchema.optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'name at least one of name, active, on, action' });
export type TriggerChangeBody = z.input<typeof triggerChangeBody>;

export const triggersAnswer = z.object({ items: z.array(triggerViewSchema) });

/** One time a trigger fired: what it was about, and what came of it. */
export const triggerFiringViewSchema = z.object({
  id: z.string(),
  triggerId: z.string(),
  conversationId: z.string().nullable(),
  contactId: z.string().nullable(),
  /** `pending` until its action is done; `skipped` says why nothing was done (`reason`). */
  state: z.enum(['pending', 'done', 'skipped']),
  taskId: z.string().nullable(),
  messageId: z.string().nullable(),
  reason: z.string().nullable(),
  firedAt: isoTime,
  finishedAt: isoTime.nullable(),
});
export type TriggerFiringView = z.infer<typeof triggerFiringViewSchema>;
export const triggerFiringsAnswer = z.object({ items: z.array(triggerFiringViewSchema) });

/** PATCH /api/contacts/:id: the customer's renewal date (a subscription, a contract), or null for none. */
export const contactChangeBody = z.object({ renewalAt: instant.nullable() }).strict();
export const contactRenewalSchema = z.object({ id: z.string(), renewalAt: isoTime.nullable() });

export const taskEvents = {
  'task:created': z.object({ task: taskViewSchema }),
  'task:updated': z.object({ task: taskViewSchema }),
  'task:deleted': z.object({ task: taskViewSchema }),
} as const;
