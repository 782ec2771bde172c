import type { Capabilities } from '../../shared/channel-adapter';

export const telegramCapabilities: Capabilities = {
  text: true,
  attachmentsIn: true,
  attachmentsOut: false,
  // The Bot API has no delivery or read receipts for private chats.
  receipts: false,
  replyWindowMs: null,
};
