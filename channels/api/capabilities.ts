import type { Capabilities } from '../../shared/channel-adapter';

export const apiCapabilities: Capabilities = {
  text: true,
  attachmentsIn: false,
  attachmentsOut: false,
  receipts: false,
  replyWindowMs: null,
  // the callback gets our message id (body and Idempotency-Key header) and is asked to drop a second copy
  idempotentSends: true,
};
