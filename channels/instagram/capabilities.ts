import type { Capabilities } from '../../shared/channel-adapter';

export const STANDARD_WINDOW_MS = 24 * 60 * 60_000;
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * 60 * 60_000;

export const instagramCapabilities: Capabilities = {
  text: true,
  attachmentsIn: true,
  attachmentsOut: false,
  // messaging_seen: the customer read our message (read.mid).
  receipts: true,
  // Any reply within 24 h of the customer's last message...
  replyWindowMs: STANDARD_WINDOW_MS,
  // ...and a person's reply, tagged HUMAN_AGENT by the sender, up to 7 days after it.
  humanAgentWindowMs: HUMAN_AGENT_WINDOW_MS,
};
