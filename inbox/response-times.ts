import { z } from 'zod';
import { type Channel, channelNames } from '../shared/channels';
import { AppError, ErrorCode } from '../shared/errors';
import { groupBy } from '../shared/group-by';
import type { Clock } from './ports';
import { DAY, HOUR, type ResponseRollups } from './response-rollups';
import { durationsOf, EXACT_RANGE_LIMIT, type Stats, summarize, summarizeDurations } from './stats';
import type { InboxStore, UnansweredLead, WaitingCustomer } from './store/port';
import type { ConversationRecord, ResponseRecord } from './store/records';

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

/** Durations read in parts (an entry's each), as one array. */
function concat(parts: readonly Float64Array[]): Float64Array {
  const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

interface Group {
  /** Durations of the first responses, and of every response (the first included), as read: concatenated once. */
  first: Float64Array[];
  reply: Float64Array[];
  unanswered: number;
  pastTarget: number;
  met: number;
  breached: number;
  ageing: Record<AgeBucket, number>;
}

/**
 * Response-time figures over a time range; every definition is written out in automations/README.md.
 * Responses are recorded at the moment an agent's reply ends a customer's wait (inbox/replies.ts), so bot, system
 * and auto-reply messages never count. Responses come from their hourly rollup (inbox/response-rollups.ts) and, for
 * the range's ragged edges and the hours not rolled up yet, from `responses`. The unanswered leads of the range and
 * the waits of now are read from the conversations, each by an index (inbox/store/mongo/models.ts).
 */
export class ResponseTimes {
  constructor(
    private readonly store: InboxStore,
    private readonly slaTargets: Readonly<Record<Channel, number>>,
    private readonly clock: Clock,
    private readonly rollups: ResponseRollups,
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

    const [entries, leads, waits] = await Promise.all([
      this.rollups.entries(from.getTime(), to.getTime(), channel),
      this.unanswered(from, to, channel),
      this.waiting(channel),
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
    const keyOf = (c: UnansweredLead | WaitingCustomer) => (byChannel ? c.channel : (c.assigneeId ?? UNASSIGNED));

    for (const e of entries) {
      const g = group(byChannel ? e.channel : e.agentId);
      g.reply.push(e.ms);
      if (e.kind === 'first') {
        g.first.push(e.ms);
        g.met += e.met;
        g.breached += e.ms.length - e.met;
      }
    }
    for (const c of leads) {
      const g = group(keyOf(c));
      g.unanswered++;
      if (this.pastTarget(c.channel, c.firstInboundAt, c.firstResponseDueAt, now)) {
        g.pastTarget++;
        g.breached++;
      }
    }
    for (const c of waits) {
      const waited = now.getTime() - (c.awaitingReplySince?.getTime() ?? now.getTime());
      const bucket = [...ageBuckets].reverse().find(([, lower]) => waited >= lower)?.[0] ?? 'under5m';
      group(keyOf(c)).ageing[bucket]++;
    }

    return [...groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, g]) => {
        // Exact while a row's kind holds at most EXACT_RANGE_LIMIT responses; percentiles from the histogram beyond.
        const first = durationsOf(concat(g.first), EXACT_RANGE_LIMIT);
        // A lead is answered once, by one first response: the leads of a range are its first responses and the
        // leads of the range nobody has answered yet, so no conversation needs to be read to count them.
        const leads = first.count + g.unanswered;
        return {
          key,
          firstResponse: summarizeDurations(first),
          reply: summarizeDurations(durationsOf(concat(g.reply), EXACT_RANGE_LIMIT)),
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

  /** The leads whose first message is in [from, to) and that nobody has answered yet (by an index). */
  unanswered(from: Date, to: Date, channel?: Channel): Promise<UnansweredLead[]> {
    return this.store.conversations.unansweredLeads(from, to, channel);
  }

  /** The customers waiting right now (of one channel), by an index. */
  waiting(channel?: Channel): Promise<WaitingCustomer[]> {
    return this.store.conversations.waitingNow(channel);
  }

  /** How many customers wait right now, per channel (channels nobody waits on left out): one indexed count each. */
  async waitingByChannel(): Promise<Map<Channel, number>> {
    const counts = await Promise.all(
      channelNames.map(async (channel) => [channel, await this.store.conversations.countWaiting(channel)] as const),
    );
    return new Map(counts.filter(([, n]) => n > 0));
  }

  /** Whether a lead nobody answered is past its first-response target (the channel's, when none was stored). */
  private pastTarget(channel: string, leadAt: Date | null | undefined, dueAt: Date | null | undefined, now: Date): boolean {
    if (dueAt) return dueAt.getTime() <= now.getTime();
    const since = leadAt?.getTime() ?? now.getTime();
    return now.getTime() - since > this.slaTargets[channel as Channel];
  }

  /**
   * One CSV row per conversation that had a lead (first customer message) or an agent's response in the range,
   * oldest first; reply figures count the responses inside the range.
   */
  async *exportCsv(query: ResponseTimesExportQuery): AsyncGenerator<string> {
    const { from, to, now } = this.range(query);
    const [leadIds, respondedIds] = await Promise.all([
      this.store.conversations.leadIdsBetween(from, to, query.channel),
      this.store.responses.conversationIdsBetween(from, to, query.channel),
    ]);
    const ids = [...new Set([...leadIds, ...respondedIds])];
    yield `${csvHeader.join(',')}\n`;
    const rows: { sortAt: number; id: string; line: string }[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const batch = ids.slice(i, i + 500);
      const [conversations, responses] = await Promise.all([
        this.store.conversations.getMany(batch),
        this.store.responses.ofConversations(batch),
      ]);
      const byConversation = groupBy(responses, (r) => r.conversationId);
      for (const c of conversations) {
        const own = byConversation.get(c.id) ?? [];
        rows.push({
          sortAt: c.firstInboundAt?.getTime() ?? 0,
          id: c.id,
          line: this.csvLine(c, own, from, to, now),
        });
      }
    }
    rows.sort((a, b) => a.sortAt - b.sortAt || a.id.localeCompare(b.id));
    for (const row of rows) yield row.line;
  }

  private csvLine(c: ConversationRecord, responses: readonly ResponseRecord[], from: Date, to: Date, now: Date): string {
    const first = responses.find((r) => r.kind === 'first');
    const inRange = responses.filter((r) => r.respondedAt >= from && r.respondedAt < to).map((r) => r.durationMs);
    const replies = summarize(inRange);
    let sla = '';
    if (first) sla = (first.withinTarget ?? first.durationMs <= this.slaTargets[c.channel]) ? 'met' : 'breached';
    else if (c.firstInboundAt) sla = this.pastTarget(c.channel, c.firstInboundAt, c.firstResponseDueAt, now) ? 'breached' : 'pending';
    const iso = (d: Date | null) => d?.toISOString() ?? '';
    const values = [
      c.id,
      c.channel,
      c.contactName,
      c.assigneeId ?? '',
      c.status,
      iso(c.firstInboundAt),
      iso(c.firstResponseAt),
      c.firstResponderId ?? first?.agentId ?? '',
      first ? String(first.durationMs) : '',
      iso(c.firstResponseDueAt),
      sla,
      String(replies.count),
      replies.avgMs === null ? '' : String(replies.avgMs),
      replies.p50Ms === null ? '' : String(replies.p50Ms),
      replies.maxMs === null ? '' : String(replies.maxMs),
      iso(c.awaitingReplySince),
      String(c.escalationStep),
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
