import type { Capabilities } from '../../shared/channel-adapter';

export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60_000;

export const whatsappCloudCapabilities: Capabilities = {
  text: true,
  attachmentsIn: true,
  attachmentsOut: false,
  // statuses[]: sent, delivered, read, failed.
  receipts: true,
  // Free-form messages only within 24 h of the customer's last message (the customer-service window)...
  replyWindowMs: CUSTOMER_SERVICE_WINDOW_MS,
  // ...and approved templates at any time.
  templates: true,
};
