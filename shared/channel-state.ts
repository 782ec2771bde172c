/**
 * The little a channel must remember across restarts (where it got to in a mailbox, which thread a token names),
 * kept durably by the inbox on its behalf: channels never reach the store themselves. Values are plain JSON; the
 * channel validates what it reads back, as it would any other input.
 */
export interface ChannelStateStore {
  /** The value stored under `key`, or undefined when there is none. */
  get(key: string): Promise<unknown>;
  /** Replaces the value under `key`; resolves once it is durably stored. */
  set(key: string, value: unknown): Promise<void>;
}
