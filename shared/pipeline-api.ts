import { z } from 'zod';
import { channelNames } from './channels';

/** The sales pipeline's REST bodies and live events, as both ends see them (README, The sales pipeline). */

const id = z.string();
const isoTime = z.string();

export const stageKindSchema = z.enum(['open', 'won', 'lost']);
export const stageRequirementSchema = z.enum(['amount', 'phone']);

export const stageViewSchema = z.object({
  id,
  label: z.string(),
  kind: stageKindSchema,
  order: z.number(),
  requires: z.array(stageRequirementSchema),
  active: z.boolean(),
});
export type StageView = z.infer<typeof stageViewSchema>;

const stageLabel = z.string().trim().min(1, 'the label must not be empty').max(60, 'the label is longer than 60 characters');
const requires = z
  .array(stageRequirementSchema)
  .max(2)
  .transform((r) => [...new Set(r)]);

export const newStageBody = z.object({ label: stageLabel, kind: stageKindSchema.default('open'), requires: requires.default([]) }).strict();
export const stageChangeBody = z
  .object({
    label: stageLabel.optional(),
    order: z.number().int().min(-1_000_000).max(1_000_000).optional(),
    requires: requires.optional(),
    active: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'give a label, an order, requires or active' });

export const leadViewSchema = z.object({
  id,
  conversationId: id,
  cycle: z.number(),
  channel: z.enum(channelNames),
  source: z.string().nullable(),
  assigneeId: id.nullable(),
  stageId: id,
  stageKind: stageKindSchema,
  stageSince: isoTime,
  amount: z.number().nullable(),
  lossReasonId: id.nullable(),
  contactedAt: isoTime.nullable(),
  createdAt: isoTime,
  endedAt: isoTime.nullable(),
});
export type LeadView = z.infer<typeof leadViewSchema>;

export const stageMoveViewSchema = z.object({
  seq: z.number(),
  from: id.nullable(),
  to: id,
  toKind: stageKindSchema,
  at: isoTime,
  msInFrom: z.number().nullable(),
  assigneeId: id.nullable(),
  byAgentId: id.nullable(),
  amount: z.number().nullable(),
  lossReasonId: id.nullable(),
  lossReason: z.string().nullable(),
});
export type StageMoveView = z.infer<typeof stageMoveViewSchema>;

/** GET /api/conversations/:id/lead: the current cycle's lead (null before the customer wrote) and its moves. */
export const leadAnswer = z.object({ lead: leadViewSchema.nullable(), moves: z.array(stageMoveViewSchema) });
export type LeadAnswer = z.infer<typeof leadAnswer>;

/** POST /api/conversations/:id/stage. */
export const stageMoveBody = z
  .object({
    stageId: z.string().trim().min(1).max(64),
    /** The stage the manager saw the lead in: when it has moved since, the move is refused (409) rather than made blind. */
    fromStageId: z.string().trim().min(1).max(64).optional(),
    amount: z.number().finite().min(0).max(1e12).optional(),
    lossReasonId: z
      .string()
      .regex(/^[a-f0-9]{24}$/i, 'must be the id of a loss reason')
      .optional(),
    lossReason: z.string().trim().min(1).max(500).optional(),
    lossNote: z.string().trim().max(500).optional(),
  })
  .strict();
export type StageMoveBody = z.infer<typeof stageMoveBody>;

export const boardCardSchema = z.object({
  lead: leadViewSchema,
  contactName: z.string(),
  lastMessagePreview: z.string(),
});
export const boardColumnSchema = z.object({ stage: stageViewSchema, count: z.number(), leads: z.array(boardCardSchema) });
/** GET /api/pipeline/board: the open stages in order, each with its leads in play, longest in the stage first. */
export const boardAnswer = z.object({ columns: z.array(boardColumnSchema) });
export type BoardAnswer = z.infer<typeof boardAnswer>;

export const ageBuckets = ['<1d', '1-3d', '3-7d', '7-30d', '>30d'] as const;
export type AgeBucket = (typeof ageBuckets)[number];

export const funnelStageSchema = z.object({
  stageId: id,
  label: z.string(),
  kind: stageKindSchema,
  entered: z.number(),
  toNext: z.number(),
  toNextRate: z.number().nullable(),
  toWon: z.number(),
  toWonRate: z.number().nullable(),
  left: z.number(),
  p50Ms: z.number().nullable(),
  p90Ms: z.number().nullable(),
  ageing: z.record(z.enum(ageBuckets), z.number()),
});
export const funnelRowSchema = z.object({
  key: z.string(),
  leads: z.number(),
  neverContacted: z.number(),
  neverContactedShare: z.number().nullable(),
  stages: z.array(funnelStageSchema),
});
export type FunnelRow = z.infer<typeof funnelRowSchema>;
export const funnelAnswer = z.object({ items: z.array(funnelRowSchema) });

export const lossRowSchema = z.object({
  key: z.string(),
  label: z.string(),
  count: z.number(),
  share: z.number(),
  conversationIds: z.array(id),
  link: z.string(),
});
export type LossRow = z.infer<typeof lossRowSchema>;
export const lossesAnswer = z.object({ total: z.number(), items: z.array(lossRowSchema) });

/** Pushed to the rooms that may see the conversation whenever its lead changes (a move, its assignee). */
export const leadUpdatedEvent = z.object({ lead: leadViewSchema });
