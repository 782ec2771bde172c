import { z } from 'zod';

export const instagramSettingsSchema = z.object({
  /** Instagram user access token (Instagram Login) or Page access token (Facebook Login), Bearer on every call. */
  accessToken: z.string().min(1),
  /** Where replies are sent from, `POST /<accountId>/messages`: the Instagram professional account id, or the Page id with Facebook Login. */
  accountId: z.string().regex(/^\d+$/),
  /** Keys the X-Hub-Signature-256 HMAC on every webhook POST. */
  appSecret: z.string().min(1),
  /** Our answer to the subscription handshake (hub.verify_token). */
  verifyToken: z.string().min(1),
  /** Graph API base including the version: https://graph.instagram.com/v21.0 (Instagram Login) or graph.facebook.com. */
  graphUrl: z.url(),
  /** Send API limit for text per Instagram professional account. */
  callsPerSecond: z.number().int().positive().default(300),
});
export type InstagramSettings = z.infer<typeof instagramSettingsSchema>;
