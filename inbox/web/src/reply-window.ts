import type { ChannelView } from '../../../shared/inbox-api';

/** Where a conversation stands against its channel's reply window, at `now`. */
export type WindowState =
  | { kind: 'none' }
  | { kind: 'open'; closesAt: number }
  | { kind: 'humanAgent'; closesAt: number }
  | { kind: 'closed'; closedAt: number | null; templates: boolean };

/**
 * The same rule the gateway applies when a reply is sent (inbox/replies.ts): free text until `replyWindowMs` after
 * the customer's last message, then, where the platform allows it, a person's answer until `humanAgentWindowMs`
 * after it; beyond that only templates, where the channel has them (also before the customer ever wrote).
 */
export function windowState(channel: ChannelView | undefined, lastInboundAt: string | null, now: number): WindowState {
  if (!channel?.replyWindowMs) return { kind: 'none' };
  if (!lastInboundAt) return { kind: 'closed', closedAt: null, templates: channel.templates };
  const last = Date.parse(lastInboundAt);
  const closesAt = last + channel.replyWindowMs;
  if (now < closesAt) return { kind: 'open', closesAt };
  const humanUntil = channel.humanAgentWindowMs ? last + channel.humanAgentWindowMs : 0;
  if (now < humanUntil) return { kind: 'humanAgent', closesAt: humanUntil };
  return { kind: 'closed', closedAt: humanUntil || closesAt, templates: channel.templates };
}
