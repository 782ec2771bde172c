import type { Capabilities } from '../../shared/channel-adapter';

export const apiCapabilities: Capabilities = {
  text: true,
  attachmentsIn: false,
  attachmentsOut: false,
  receipts: false,
  replyWindowMs: null,
};
