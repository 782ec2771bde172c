/** The channels the gateway speaks. Every conversation and message belongs to exactly one. */
export const Channel = {
  Telegram: 'telegram',
  Viber: 'viber',
  WhatsApp: 'whatsapp',
  Instagram: 'instagram',
  Email: 'email',
  Api: 'api',
} as const;
export type Channel = (typeof Channel)[keyof typeof Channel];
export const channelNames = Object.values(Channel) as [Channel, ...Channel[]];
