import { windowState } from '../inbox/web/src/reply-window';
import type { ChannelView } from '../shared/inbox-api';

const HOUR = 3600_000;
const channel = (over: Partial<ChannelView>): ChannelView => ({
  channel: 'whatsapp',
  replies: true,
  sendsFiles: false,
  replyWindowMs: 24 * HOUR,
  humanAgentWindowMs: null,
  templates: true,
  templatesListed: true,
  ...over,
});
const wrote = '2026-11-30T10:00:00.000Z';
const at = (hoursAfter: number) => Date.parse(wrote) + hoursAfter * HOUR;

describe('the reply window as the page shows it', () => {
  it('is open until 24 hours after the customer’s last WhatsApp message, then only templates go', () => {
    expect(windowState(channel({}), wrote, at(23.9))).toEqual({ kind: 'open', closesAt: at(24) });
    expect(windowState(channel({}), wrote, at(24))).toEqual({ kind: 'closed', closedAt: at(24), templates: true });
  });

  it('lets a person answer on Instagram for 7 days after the 24 hours, then nothing goes', () => {
    const instagram = channel({ channel: 'instagram', humanAgentWindowMs: 7 * 24 * HOUR, templates: false });
    expect(windowState(instagram, wrote, at(30))).toEqual({ kind: 'humanAgent', closesAt: at(7 * 24) });
    expect(windowState(instagram, wrote, at(7 * 24 + 1))).toEqual({ kind: 'closed', closedAt: at(7 * 24), templates: false });
  });

  it('has no window on Telegram, Viber or email, and is closed where the customer never wrote', () => {
    expect(windowState(channel({ channel: 'telegram', replyWindowMs: null, templates: false }), wrote, at(1000))).toEqual({ kind: 'none' });
    expect(windowState(undefined, wrote, at(1))).toEqual({ kind: 'none' });
    expect(windowState(channel({}), null, at(0))).toEqual({ kind: 'closed', closedAt: null, templates: true });
  });
});
