import { Types } from 'mongoose';
import { z } from 'zod';
import { type Channel, channelNames } from '../shared/channels';
import { AppError, ErrorCode } from '../shared/errors';
import { groupBy } from '../shared/group-by';
import type { FiguresPart } from './figures-codec';
import type { LeadFigure, OpenFigures, WaitFigure } from './open-figures';
import type { Clock } from './ports';
import { ceilTo, DAY, floorTo, HOUR, monthOf, nextMonth, type ResponseLedger } from './response-ledger';
import { partsOfResponses, type ResponseRollups } from './response-rollups';
import { type Durations, EXACT_RANGE_LIMIT, mergeDurations, type Stats, summarize, summarizeDurations } from './stats';
import type { ConversationDoc, Models, ResponseDoc } from './store/models';

const isoDate = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const responseTimesQuery = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    channel: z.enum(channelNames).optional(),
    groupBy: z.enum(['channel', 'agent']).default('channel'),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: '"from" must be before "to"', path: ['from'] });
export type ResponseTimesQuery = z.infer<typeof responseTimesQuery>;

export const responseTimesExportQuery = z
  .object({ from: isoDate.optional(), to: isoDate.optional(), channel: z.enum(channelNames).optional() })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: '"from" must be before "to"', path: ['from'] });
export type ResponseTimesExportQuery = z.infer<typeof responseTimesExportQuery>;

/** How long the customers waiting right now have waited: [label, lower bound in ms]. */
export const ageBuckets = [
  ['under5m', 0],
  ['5to15m', 5 * 60_000],
  ['15to60m', 15 * 60_000],
  ['1to4h', HOUR],
  ['4to24h', 4 * HOUR],
  ['over24h', DAY],
] as const;
export type AgeBucket = (typeof ageBuckets)[number][0];

export interface ResponseTimesRow {
  key: string;
  firstResponse: Stats;
  reply: Stats;
  leads: number;
  unanswered: number;
  unansweredPastTarget: number;
  unansweredShare: number | null;
  slaMet: number;
  slaBreached: number;
  ageing: Record<AgeBucket, number>;
}

const MAX_RANGE_MS = 400 * DAY;
const UNASSIGNED = 'unassigned';

interface Group {
  first: Durations[];
  reply: Durations[];
  unanswered: number;
  pastTarget: number;
  met: number;
  breached: number;
  ageing: Record<AgeBucket, number>;
}

/**
 * Response-time figures over a time range; every definition is written out in automations/README.md.
 * Responses are recorded at the moment an agent's reply ends a customer's wait (inbox/replies.ts), so bot, system
 * and auto-reply messages never count. Responses come from the figures ledger (inbox/response-ledger.ts): whole
 * months and days from its summaries, the edges of the range and today from its hours. The unanswered leads of the range
 * and the waits of now come from the open figures (inbox/open-figures.ts), never from a scan of the conversations.
 */
export class ResponseTimes {
  constructor(
    private readonly models: Models,
    private readonly slaTargets: Readonly<Record<Channel, number>>,
    private readonly clock: Clock,
    private readonly rollups: ResponseRollups,
    private readonly ledger: ResponseLedger,
    private readonly openFigures: OpenFigures,
  ) {}

  private range(query: { from?: Date; to?: Date }): { from: Date; to: Date; now: Date } {
    const now = this.clock();
    // Without a range: the last 30 days.
    const to = query.to ?? now;
    const from = query.from ?? new Date(to.getTime() - 30 * DAY);
    if (to.getTime() - from.getTime() > MAX_RANGE_MS) {
      throw new AppError(ErrorCode.BadInput, 'the time range may span at most 400 days');
    }
    return { from, to, now };
  }

  async figures(query: ResponseTimesQuery): Promise<ResponseTimesRow[]> {
    const { from, to, now } = this.range(query);
    const { channel, groupBy } = query;
    const byChannel = groupBy === 'channel';

    const [parts, leads, waits] = await Promise.all([
      this.responseParts(from.getTime(), to.getTime(), channel),
      this.openFigures.leads(from, to, channel),
      this.openFigures.waiting(channel),
    ]);

    const groups = new Map<string, Group>();
    const group = (key: string): Group => {
      let g = groups.get(key);
      if (!g) {
        const ageing = Object.fromEntries(ageBuckets.map(([label]) => [label, 0])) as Record<AgeBucket, number>;
        g = { first: [], reply: [], unanswered: 0, pastTarget: 0, met: 0, breached: 0, ageing };
        groups.set(key, g);
      }
      return g;
    };
    const keyOf = (f: LeadFigure | WaitFigure) => (byChannel ? f.channel : (f.assigneeId?.toString() ?? UNASSIGNED));

    for (const p of parts) {
      const g = group(byChannel ? p.channel : p.agentId);
      g.first.push(p.first);
      g.reply.push(p.reply);
      g.met += p.slaMet;
      g.breached += p.slaBreached;
    }
    for (const f of leads) {
      const g = group(keyOf(f));
      g.unanswered++;
      if (this.pastTarget(f.channel, f.leadAt, f.leadDueAt, now)) {
        g.pastTarget++;
        g.breached++;
      }
    }
    for (const f of waits) {
      const waited = now.getTime() - f.waitingSince.getTime();
      const bucket = [...ageBuckets].reverse().find(([, lower]) => waited >= lower)?.[0] ?? 'under5m';
      group(keyOf(f)).ageing[bucket]++;
    }

    return [...groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, g]) => {
        const first = mergeDurations(g.first, EXACT_RANGE_LIMIT);
        // A lead is answered once, by one first response: the leads of a range are its first responses and the
        // leads of the range nobody has answered yet, so no conversation needs to be read to count them.
        const leads = first.count + g.unanswered;
        return {
          key,
          firstResponse: summarizeDurations(first),
          reply: summarizeDurations(mergeDurations(g.reply, EXACT_RANGE_LIMIT)),
          leads,
          unanswered: g.unanswered,
          unansweredPastTarget: g.pastTarget,
          unansweredShare: leads ? g.unanswered / leads : null,
          slaMet: g.met,
          slaBreached: g.breached,
          ageing: g.ageing,
        };
      });
  }

  /** Whether a lead nobody answered is past its first-response target (the channel's, when none was stored). */
  private pastTarget(channel: string, leadAt: Date | null | undefined, dueAt: Date | null | undefined, now: Date): boolean {
    if (dueAt) return dueAt.getTime() <= now.getTime();
    const since = leadAt?.getTime() ?? now.getTime();
    return now.getTime() - since > this.slaTargets[channel as Channel];
  }

  /**
   * The responses of [from, to) per channel and agent: whole months and days from their summaries, the rest (the
   * range's ragged edges and whatever is newer than the summaries) from the ledger's hours.
   */
  private async responseParts(from: number, to: number, channel: Channel | undefined): Promise<FiguresPart[]> {
    const rolledUpTo = (await this.rollups.watermark())?.getTime() ?? 0;
    const wholeFrom = ceilTo(from, DAY);
    const wholeTo = Math.max(wholeFrom, floorTo(Math.min(to, rolledUpTo), DAY));
    const reads: Promise<FiguresPart[]>[] = [];
    if (wholeFrom < wholeTo) {
      const firstMonth = monthOf(wholeFrom) === wholeFrom ? wholeFrom : nextMonth(wholeFrom);
      let monthsEnd = firstMonth;
      while (nextMonth(monthsEnd) <= wholeTo) monthsEnd = nextMonth(monthsEnd);
      if (firstMonth < monthsEnd) {
        reads.push(
          this.ledger.months(firstMonth, monthsEnd),
          this.ledger.days(wholeFrom, firstMonth),
          this.ledger.days(monthsEnd, wholeTo),
        );
      } else {
        reads.push(this.ledger.days(wholeFrom, wholeTo));
      }
      reads.push(this.raw(from, wholeFrom), this.raw(wholeTo, to));
    } else {
      reads.push(this.raw(from, to));
    }
    const parts = (await Promise.all(reads)).flat();
    return channel ? parts.filter((p) => p.channel === channel) : parts;
  }

  private async raw(from: number, to: number): Promise<FiguresPart[]> {
    if (from >= to) return [];
    return partsOfResponses(await this.ledger.facts(from, to), this.slaTargets, EXACT_RANGE_LIMIT);
  }

  /**
   * One CSV row per conversation that had a lead (first customer message) or an agent's response in the range,
   * oldest first; reply figures count the responses inside the range.
   */
  async *exportCsv(query: ResponseTimesExportQuery): AsyncGenerator<string> {
    const { from, to, now } = this.range(query);
    const channelFilter = query.channel ? { channel: query.channel } : {};
    const [leadIds, respondedIds] = await Promise.all([
      this.models.Conversation.find({ firstInboundAt: { $gte: from, $lt: to }, ...channelFilter }, { _id: 1 }).lean(),
      this.models.Response.distinct('conversationId', { respondedAt: { $gte: from, $lt: to }, ...channelFilter }),
    ]);
    const ids = [...new Set([...leadIds.map((d) => d._id.toString()), ...respondedIds.map(String)])];
    yield `${csvHeader.join(',')}\n`;
    const rows: { sortAt: number; id: string; line: string }[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const batch = ids.slice(i, i + 500).map((id) => new Types.ObjectId(id));
      const [conversations, responses] = await Promise.all([
        this.models.Conversation.find({ _id: { $in: batch } }).lean<ConversationDoc[]>(),
        this.models.Response.find({ conversationId: { $in: batch } }).lean<ResponseDoc[]>(),
      ]);
      const byConversation = groupBy(responses, (r) => r.conversationId.toString());
      for (const c of conversations) {
        const own = byConversation.get(c._id.toString()) ?? [];
        rows.push({
          sortAt: c.firstInboundAt?.getTime() ?? 0,
          id: c._id.toString(),
          line: this.csvLine(c, own, from, to, now),
        });
      }
    }
    rows.sort((a, b) => a.sortAt - b.sortAt || a.id.localeCompare(b.id));
    for (const row of rows) yield row.line;
  }

  private csvLine(c: ConversationDoc, responses: readonly ResponseDoc[], from: Date, to: Date, now: Date): string {
    const first = responses.find((r) => r.kind === 'first');
    const inRange = responses.filter((r) => r.respondedAt >= from && r.respondedAt < to).map((r) => r.durationMs);
    const replies = summarize(inRange);
    let sla = '';
    if (first) sla = (first.withinTarget ?? first.durationMs <= this.slaTargets[c.channel as Channel]) ? 'met' : 'breached';
    else if (c.firstInboundAt) sla = this.pastTarget(c.channel, c.firstInboundAt, c.firstResponseDueAt, now) ? 'breached' : 'pending';
    const iso = (d: Date | null | undefined) => d?.toISOString() ?? '';
    const values = [
      c._id.toString(),
      c.channel,
      c.contactName,
      c.assigneeId?.toString() ?? '',
      c.status,
      iso(c.firstInboundAt),
      iso(c.firstResponseAt),
      c.firstResponderId?.toString() ?? first?.agentId.toString() ?? '',
      first ? String(first.durationMs) : '',
      iso(c.firstResponseDueAt),
      sla,
      String(replies.count),
      replies.avgMs === null ? '' : String(replies.avgMs),
      replies.p50Ms === null ? '' : String(replies.p50Ms),
      replies.maxMs === null ? '' : String(replies.maxMs),
      iso(c.awaitingReplySince),
      String(c.escalationStep ?? 0),
    ];
    return `${values.map(csvCell).join(',')}\n`;
  }
}

export const csvHeader = [
  'conversation_id',
  'channel',
  'contact',
  'assignee_id',
  'status',
  'first_message_at',
  'first_response_at',
  'first_responder_id',
  'first_response_ms',
  'first_response_target_at',
  'first_response_sla',
  'replies_in_range',
  'reply_avg_ms',
  'reply_p50_ms',
  'reply_max_ms',
  'awaiting_reply_since',
  'escalation_step',
];

/** RFC 4180 quoting, and a leading quote for cells a spreadsheet would run as a formula. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
