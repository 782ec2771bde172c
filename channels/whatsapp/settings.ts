import { z } from 'zod';

export const whatsappCloudSettingsSchema = z.object({
  /** System-user or temporary access token of the Meta app (Bearer on every Graph API call). */
  token: z.string().min(1),
  /** The business phone number's id (not the number itself): replies are sent from it, and only its messages are kept. */
  phoneNumberId: z.string().regex(/^\d+$/),
  /** Keys the X-Hub-Signature-256 HMAC on every webhook POST. */
  appSecret: z.string().min(1),
  /** Our answer to the subscription handshake (hub.verify_token). */
  verifyToken: z.string().min(1),
  /** Graph API base including the version, e.g. https://graph.facebook.com/v21.0. */
  graphUrl: z.url(),
  /** The WhatsApp Business Account's id: where the approved templates are listed (none are offered without it). */
  businessAccountId: z.string().regex(/^\d+$/).optional(),
  /** Default Cloud API throughput per number; Meta raises it to 1000 for upgraded numbers. */
  messagesPerSecond: z.number().int().positive().default(80),
});
export type WhatsAppCloudSettings = z.infer<typeof whatsappCloudSettingsSchema>;
