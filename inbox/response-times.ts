import { z } from 'zod';
import { type Channel, channelNames } from '../shared/channels';
import { AppError, ErrorCode } from '../shared/errors';
import type { Clock } from './ports';
import { type Stats, summarize } from './stats';
import type { ConversationDoc, Models, ResponseDoc } from './store/models';

export const responseTimesQuery = z
  .object({
    from: z.iso
      .datetime({ offset: true })
      .transform((s) => new Date(s))
      .optional(),
    to: z.iso
      .datetime({ offset: true })
      .transform((s) => new Date(s))
      .optional(),
    channel: z.enum(channelNames).optional(),
    groupBy: z.enum(['channel', 'agent']).default('channel'),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: '"from" must be before "to"', path: ['from'] });
export type ResponseTimesQuery = z.infer<typeof responseTimesQuery>;

export interface ResponseTimesRow {
  key: string;
  firstResponse: Stats;
  reply: Stats;
  unanswered: number;
  slaMet: number;
  slaBreached: number;
}

/**
 * Response-time figures over a time range, from the responses recorded at the moment of each reply.
 * - firstResponse: first customer message → first agent reply, by when the reply happened.
 * - reply: every customer turn → the next agent reply (the first turn included).
 * - unanswered: conversations whose first customer message falls in the range and that no agent answered yet.
 * - slaMet / slaBreached: first responses within / over the channel's target; an unanswered conversation already
 *   past its target counts as breached.
 * Only agents' replies are recorded, so bot, system and auto-reply messages never count as a response.
 */
export class ResponseTimes {
  constructor(
    private readonly models: Models,
    private readonly slaTargets: Readonly<Record<Channel, number>>,
    private readonly clock: Clock,
  ) {}

  async figures(query: ResponseTimesQuery): Promise<ResponseTimesRow[]> {
    const now = this.clock();
    const { channel, groupBy } = query;
    // Without a range: the last 30 days.
    const to = query.to ?? now;
    const from = query.from ?? new Date(to.getTime() - 30 * 24 * 3600_000);
    if (to.getTime() - from.getTime() > 400 * 24 * 3600_000) {
      throw new AppError(ErrorCode.BadInput, 'the time range may span at most 400 days');
    }
    const responses = await this.models.Response.find(
      { respondedAt: { $gte: from, $lt: to }, ...(channel ? { channel } : {}) },
      { channel: 1, agentId: 1, kind: 1, durationMs: 1 },
    ).lean<ResponseDoc[]>();
    const unanswered = await this.models.Conversation.find(
      { firstInboundAt: { $gte: from, $lt: to }, firstResponseAt: null, ...(channel ? { channel } : {}) },
      { channel: 1, assigneeId: 1, firstInboundAt: 1 },
    ).lean<ConversationDoc[]>();

    const groups = new Map<string, { first: number[]; reply: number[]; unanswered: number; met: number; breached: number }>();
    const group = (key: string) => {
      let g = groups.get(key);
      if (!g) {
        g = { first: [], reply: [], unanswered: 0, met: 0, breached: 0 };
        groups.set(key, g);
      }
      return g;
    };
    for (const r of responses) {
      const g = group(groupBy === 'channel' ? r.channel : r.agentId.toString());
      g.reply.push(r.durationMs);
      if (r.kind === 'first') {
        g.first.push(r.durationMs);
        if (r.durationMs <= this.slaTargets[r.channel as Channel]) g.met++;
        else g.breached++;
      }
    }
    for (const c of unanswered) {
      const g = group(groupBy === 'channel' ? c.channel : (c.assigneeId?.toString() ?? 'unassigned'));
      g.unanswered++;
      const waited = now.getTime() - (c.firstInboundAt?.getTime() ?? now.getTime());
      if (waited > this.slaTargets[c.channel as Channel]) g.breached++;
    }
    return [...groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, g]) => ({
        key,
        firstResponse: summarize(g.first),
        reply: summarize(g.reply),
        unanswered: g.unanswered,
        slaMet: g.met,
        slaBreached: g.breached,
      }));
  }
}
