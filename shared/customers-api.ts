import { z } from 'zod';
import { channelNames } from './channels';
import { templateSchema } from './messages';

/**
 * The customers-over-time part of the managers' API (churn, inactive customers, saved views), as both ends see it:
 * the gateway validates and types with these schemas, the managers' app parses what it receives with them.
 */

const isoTime = z.string();
const objectId = (what: string) => z.string().regex(/^[a-f0-9]{24}$/i, `must be ${what}`);
const isoDate = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

/** GET /api/metrics/churn (and .csv). */
export const churnQuery = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    channel: z.enum(channelNames).optional(),
    interval: z.enum(['month', 'week']).default('month'),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: '"from" must be before "to"', path: ['from'] });
export type ChurnQuery = z.infer<typeof churnQuery>;

export const churnRowSchema = z.object({
  start: isoTime,
  end: isoTime,
  /** Active at the start, active at the end, new in the interval. */
  c1: z.number(),
  c2: z.number(),
  c3: z.number(),
  /** (C1 − C2) / C1 and (C1 + C3 − C2) / C1; null when C1 is 0. */
  churnNet: z.number().nullable(),
  churnWithNew: z.number().nullable(),
});
export type ChurnRowView = z.infer<typeof churnRowSchema>;
export const churnAnswer = z.object({ windowDays: z.number(), items: z.array(churnRowSchema) });
export type ChurnAnswer = z.infer<typeof churnAnswer>;

/** GET /api/contacts/inactive. */
export const inactiveContactsQuery = z.object({
  days: z.coerce.number().int().min(1, 'days must be at least 1').max(3650, 'days may be at most 3650').default(30),
  channel: z.enum(channelNames).optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type InactiveContactsQuery = z.infer<typeof inactiveContactsQuery>;

export const inactiveContactSchema = z.object({
  id: z.string(),
  name: z.string(),
  channel: z.enum(channelNames),
  reachable: z.boolean(),
  /** The conversation of the contact, to open from the list. */
  conversationId: z.string(),
  firstInteractionAt: isoTime,
  lastInteractionAt: isoTime,
});
export type InactiveContactView = z.infer<typeof inactiveContactSchema>;
export const inactiveContactsAnswer = z.object({ items: z.array(inactiveContactSchema), nextCursor: z.string().nullable() });

/** A saved view's filter: every key optional; the conversation keys are GET /api/conversations' query parameters. */
export const savedViewFilterSchema = z
  .object({
    inactiveDays: z.number().int().min(1).max(3650).optional(),
    channel: z.enum(channelNames).optional(),
    lossReasonId: objectId('a loss reason id').optional(),
    stageId: z.string().trim().min(1).max(64).optional(),
    outcome: z.enum(['won', 'lost']).optional(),
    status: z.enum(['open', 'pending', 'snoozed', 'resolved']).optional(),
    assigneeId: z.union([z.literal('none'), objectId('an agent id or "none"')]).optional(),
  })
  .strict();
export type SavedViewFilterView = z.infer<typeof savedViewFilterSchema>;

export const savedViewKindSchema = z.enum(['contacts', 'conversations']);
const viewName = z.string().trim().min(1, 'name must not be empty').max(80, 'name may be at most 80 characters');

export const newSavedViewBody = z
  .object({
    name: viewName,
    kind: savedViewKindSchema,
    filter: savedViewFilterSchema.default({}),
    /** `team` (supervisors and admins) or `personal` (the manager's own, the default). */
    scope: z.enum(['team', 'personal']).default('personal'),
  })
  .strict();
export type NewSavedViewBody = z.input<typeof newSavedViewBody>;
export const savedViewChangeBody = z
  .object({ name: viewName.optional(), filter: savedViewFilterSchema.optional() })
  .strict()
  .refine((b) => b.name !== undefined || b.filter !== undefined, { message: 'give a name or a filter to change' });

export const savedViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: savedViewKindSchema,
  filter: savedViewFilterSchema,
  /** `team`, or the owning manager's id. */
  owner: z.string(),
  editable: z.boolean(),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type SavedViewView = z.infer<typeof savedViewSchema>;
export const savedViewsAnswer = z.object({ items: z.array(savedViewSchema) });

/** POST /api/campaigns: a saved contacts view or a filter, and a template (with text for email and API customers) or text alone. */
export const newCampaignBody = z
  .object({
    name: viewName,
    viewId: objectId('a saved view id').optional(),
    filter: z
      .object({ inactiveDays: z.number().int().min(1).max(3650), channel: z.enum(channelNames).optional() })
      .strict()
      .optional(),
    template: templateSchema.optional(),
    text: z.string().trim().min(1, 'text must not be empty').max(4096).optional(),
    channel: z.enum(channelNames).optional(),
  })
  .strict()
  .refine((b) => (b.viewId === undefined) !== (b.filter === undefined), { message: 'give either a viewId or a filter', path: ['viewId'] })
  .refine((b) => b.template !== undefined || b.text !== undefined, { message: 'give a template, or text', path: ['template'] })
  .refine((b) => b.template !== undefined || b.channel === 'email' || b.channel === 'api', {
    message: 'text alone goes to email and API customers only: set channel to email or api, or send a template',
    path: ['text'],
  });
export type NewCampaignBody = z.input<typeof newCampaignBody>;

export const campaignSkipReasons = ['opted_out', 'unreachable', 'channel_unavailable', 'templates_unsupported', 'outside_window'] as const;

export const campaignViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  viewId: z.string().nullable(),
  channel: z.enum(channelNames).nullable(),
  template: templateSchema.nullable(),
  text: z.string().nullable(),
  status: z.enum(['preparing', 'sending', 'done']),
  createdAt: isoTime,
  total: z.number(),
  pending: z.number(),
  sent: z.number(),
  skipped: z.record(z.enum(campaignSkipReasons), z.number()),
  failed: z.number(),
  replied: z.number(),
});
export type CampaignView = z.infer<typeof campaignViewSchema>;
export const campaignsAnswer = z.object({ items: z.array(campaignViewSchema) });
