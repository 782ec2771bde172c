import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { ChannelStateStore } from '../../shared/channel-state';
import { TOKEN } from './thread';

/** Message-IDs a thread keeps for `References`: enough for any client to thread, small enough for a header. */
const CHAIN_KEPT = 20;

const threadSchema = z.object({
  token: z.string().regex(TOKEN),
  subject: z.string().default(''),
  /** The customer's name as their own mail gave it, for mail others send into their thread. */
  name: z.string().optional(),
  chain: z.array(z.string()).default([]),
});
export type Thread = z.infer<typeof threadSchema>;
const tokenSchema = z.object({ address: z.string() });

function newToken(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let token = '';
  for (let i = 0; i < 16; i++) token += alphabet[randomInt(alphabet.length)];
  return token;
}

/**
 * One mail thread per customer address (the inbox keeps one conversation per contact): its token, its subject and
 * the Message-IDs seen so far, so a reply continues it and a reply to it finds its way back.
 */
export class Threads {
  constructor(private readonly state: ChannelStateStore) {}

  async of(address: string): Promise<Thread | undefined> {
    const parsed = threadSchema.safeParse(await this.state.get(`thread:${address}`));
    return parsed.success ? parsed.data : undefined;
  }

  /** The thread, created with a new token when the address has none yet. */
  async ensure(address: string, subject = ''): Promise<Thread> {
    const existing = await this.of(address);
    if (existing) return existing;
    const thread: Thread = { token: newToken(), subject, chain: [] };
    // The token first: a thread is never stored under a token that does not lead back to it.
    await this.state.set(`token:${thread.token}`, { address });
    await this.state.set(`thread:${address}`, thread);
    return thread;
  }

  async addressOf(token: string): Promise<string | undefined> {
    const parsed = tokenSchema.safeParse(await this.state.get(`token:${token}`));
    return parsed.success ? parsed.data.address : undefined;
  }

  /** Adds a message to the thread's chain; `subject` and the customer's `name` replace the thread's when given. */
  async remember(address: string, messageId: string, subject?: string, name?: string): Promise<Thread> {
    const thread = await this.ensure(address, subject);
    const chain = [...thread.chain.filter((id) => id !== messageId), messageId].slice(-CHAIN_KEPT);
    const next: Thread = { ...thread, chain, subject: subject || thread.subject, ...(name ? { name } : {}) };
    await this.state.set(`thread:${address}`, next);
    return next;
  }
}
