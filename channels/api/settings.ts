import { z } from 'zod';

export const apiChannelSettingsSchema = z.object({
  /** Bearer key integrations present on POST /webhooks/api. */
  key: z.string().min(16),
  /** Where managers' replies are POSTed (signed); without it the channel only receives. */
  callbackUrl: z.url().optional(),
});
export type ApiChannelSettings = z.infer<typeof apiChannelSettingsSchema>;
