import type { Inbox } from '../inbox';
import type { BotFigures as BotFiguresView } from '../shared/bot-api';
import type { Channel } from '../shared/channels';
import { words } from './matching';

const DAY_MS = 86_400_000;
const UNMATCHED_SHOWN = 50;

const percentile = (sorted: readonly number[], p: number): number | null => {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? null;
};

/**
 * The chatbot's figures over the talks it took in a range, derived on read from the talks themselves: a talk is
 * handled by the bot when it ended without a person — its conversation resolved with no hand-off, or no hand-off
 * and the customer silent for a day since their last message.
 */
export class BotFigures {
  constructor(private readonly inbox: Inbox) {}

  async of(query: { from: Date; to: Date; channel?: Channel }): Promise<BotFiguresView> {
    const { store } = this.inbox;
    const now = this.inbox.clock();
    const [sessions, unmatched] = await Promise.all([
      store.bot.startedBetween(query.from, query.to, query.channel),
      store.bot.unmatchedBetween(query.from, query.to, query.channel),
    ]);
    const open = sessions.filter((s) => !s.handedOffAt);
    const resolved = new Set(
      (await store.conversations.getMany(open.map((s) => s.conversationId))).filter((c) => c.status === 'resolved').map((c) => c.id),
    );
    const handledByBot = open.filter((s) => resolved.has(s.conversationId) || now.getTime() - s.lastInboundAt.getTime() >= DAY_MS).length;
    const handedOff = sessions.filter((s) => s.handedOffAt);
    const reasons = new Map<string, number>();
    for (const s of handedOff) reasons.set(s.handOffReason ?? 'unknown', (reasons.get(s.handOffReason ?? 'unknown') ?? 0) + 1);
    const durations = handedOff.map((s) => (s.handedOffAt?.getTime() ?? 0) - s.startedAt.getTime()).sort((a, b) => a - b);
    // The same question asked in other case or punctuation is one question.
    const questions = new Map<string, { text: string; count: number }>();
    for (const u of unmatched) {
      const key = words(u.text).join(' ');
      const seen = questions.get(key);
      if (seen) seen.count++;
      else questions.set(key, { text: u.text, count: 1 });
    }
    return {
      conversations: sessions.length,
      handledByBot,
      handedOff: handedOff.length,
      handOffRate: sessions.length ? handedOff.length / sessions.length : null,
      reasons: [...reasons]
        .map(([reason, count]) => ({ reason, count }))
        .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
      timeToHandOff: { p50Ms: percentile(durations, 0.5), p90Ms: percentile(durations, 0.9) },
      unmatched: [...questions.values()].sort((a, b) => b.count - a.count || a.text.localeCompare(b.text)).slice(0, UNMATCHED_SHOWN),
    };
  }

  /** The same figures as CSV: one `figure,value` line each, then the unmatched questions. */
  async csv(query: { from: Date; to: Date; channel?: Channel }): Promise<string> {
    const f = await this.of(query);
    const cell = (v: string | number | null) => {
      const s = v === null ? '' : String(v);
      return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/^([=+\-@])/, "'$1").replaceAll('"', '""')}"` : s;
    };
    const lines = [
      'figure,value',
      `conversations,${f.conversations}`,
      `handled_by_bot,${f.handledByBot}`,
      `handed_off,${f.handedOff}`,
      `hand_off_rate,${cell(f.handOffRate)}`,
      `time_to_hand_off_p50_ms,${cell(f.timeToHandOff.p50Ms)}`,
      `time_to_hand_off_p90_ms,${cell(f.timeToHandOff.p90Ms)}`,
      ...f.reasons.map((r) => `hand_off_reason:${cell(r.reason)},${r.count}`),
      '',
      'unmatched_question,count',
      ...f.unmatched.map((u) => `${cell(u.text)},${u.count}`),
    ];
    return `${lines.join('\r\n')}\r\n`;
  }
}
