import type { Channel } from '../../shared/channels';

/**
 * Campaign messages per second on each channel, under the platforms' published limits (CHANNELS.md): Telegram's
 * ~30 a second for bulk notifications, WhatsApp Cloud's 80 a second per number, Instagram's 300 calls a second (a
 * third of it, leaving room for the managers' replies); Viber and mail servers publish none, so a cautious pace.
 */
export const campaignRatePerSecond: Readonly<Record<Channel, number>> = {
  telegram: 25,
  whatsapp: 60,
  instagram: 100,
  viber: 10,
  email: 5,
  api: 20,
};

/**
 * The due time of each of `count` messages on a channel starting at `start`: `rate` a second, so a segment of a
 * hundred thousand goes out over minutes instead of tripping the platform's limit in the first second.
 */
export function paceFrom(start: Date, index: number, rate: number): Date {
  return new Date(start.getTime() + Math.floor((index * 1000) / rate));
}
