import type { Capabilities } from '../../shared/channel-adapter';

export const whatsappWebCapabilities: Capabilities = {
  text: true,
  attachmentsIn: true,
  attachmentsOut: false,
  // message_ack: delivered to the device, read (played, for voice notes), error.
  receipts: true,
  // A linked device writes as the phone does: no customer-service window, no templates. (WhatsApp's anti-spam
  // rules still apply to the account: see README.md.)
  replyWindowMs: null,
};
