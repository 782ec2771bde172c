import type { Capabilities } from '../../shared/channel-adapter';

export const viberCapabilities: Capabilities = {
  text: true,
  attachmentsIn: true,
  attachmentsOut: false,
  // `delivered`, `seen` and `failed` callbacks, matched to our message by message_token.
  receipts: true,
  // No messaging window: a subscribed user can be written to at any time (Viber FAQ).
  replyWindowMs: null,
};
