import type { Capabilities } from '../../shared/channel-adapter';

export const emailCapabilities: Capabilities = {
  text: true,
  attachmentsIn: true,
  attachmentsOut: true,
  receipts: false,
  replyWindowMs: null,
  // A reply tried again carries the same Message-ID, which mail clients show once.
  idempotentSends: true,
};
