/** What the inbox needs from the outside, as small interfaces the gateway fills in. */

/** Who is connected to the live inbox right now (across every gateway process). */
export interface Presence {
  onlineAgentIds(): Promise<string[]>;
}

/** The time, injectable so scripted histories can be replayed with known timestamps. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

/** Hands a queued outbound message to the delivery queue. */
export interface DeliveryQueue {
  enqueue(messageId: string): Promise<void>;
}
