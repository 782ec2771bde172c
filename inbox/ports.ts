import type { Channel } from '../shared/channels';
import type { Attachment } from '../shared/messages';
import type { BotSessionRecord, ContactRecord, ConversationRecord, MessageRecord, OutboxEntry } from './store/records';

/** What the inbox needs from the outside, as small interfaces the gateway fills in. */

/** Who is connected to the live inbox right now (across every gateway process). */
export interface Presence {
  onlineAgentIds(): Promise<string[]>;
}

/** The time, injectable so scripted histories can be replayed with known timestamps. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

/** Hands a queued outbound message to the delivery queue (its conversation rides along, for the job's logs). */
export interface DeliveryQueue {
  enqueue(message: { messageId: string; conversationId: string }): Promise<void>;
  /** A message stored handed over already (`handedOverAt`): attempted at once, no write before its claim. */
  dispatch(message: { messageId: string; conversationId: string }): void;
  /**
   * Room for one attempt in this process now, for a message about to be stored: stored claimed with the hold's
   * lease (the outbox's `insertClaimed`), it is attempted at once with `attempt`, no claim of its own; `release`
   * when nothing was stored. Null when there is no room: store it handed over and `dispatch` it.
   */
  hold(): DeliveryHold | null;
}

export interface DeliveryHold {
  leaseUntil: Date;
  attempt(claimed: OutboxEntry): void;
  release(): void;
}

/** When a customer's wait escalates and when its first-response target warns and is missed (null: never). */
export interface WaitDeadlines {
  escalationDueAt: Date | null;
  slaWarnAt: Date | null;
  slaBreachAt: Date | null;
}

/**
 * Computes the due times stored on a conversation when a wait starts, so timers survive restarts and are found
 * by index. Business hours and per-channel settings live behind this port.
 */
export interface Deadlines {
  /** A wait that starts at `since`; `firstResponse` when nobody has answered this conversation yet. */
  forWait(channel: Channel, since: Date, firstResponse: boolean): WaitDeadlines;
  /** The escalation chain restarted at `at` (a manual assignment): the new assignee gets the full time. */
  escalationFrom(channel: Channel, at: Date): Date | null;
}

/** No automations: waits never escalate and have no targets. */
export const noDeadlines: Deadlines = {
  forWait: () => ({ escalationDueAt: null, slaWarnAt: null, slaBreachAt: null }),
  escalationFrom: () => null,
};

/** The files managers uploaded (the gateway's blob store), looked up when a reply names them. */
export interface ReplyFiles {
  /** The most all files of one reply may weigh together (EMAIL_MAX_SIZE_MB): mail servers refuse larger messages. */
  readonly maxTotalBytes: number;
  /** The stored file as a message attachment (its id in `platformId`), or undefined when there is no such upload. */
  describe(id: string): Promise<Attachment | undefined>;
}

/**
 * Whether the chatbot (bot/) talks with a customer first. A conversation it takes is `pending`: nobody waits, nobody
 * is assigned and no clock runs until it hands off.
 */
export interface BotIntake {
  /** Whether the bot takes a new customer's conversation on this channel. */
  takesNew(channel: Channel): Promise<boolean>;
  /**
   * A customer's message reached a conversation the bot holds: noted before the message counts as stored, so an
   * answer lost to a crash between the two is found again and given. Returns the talk as the note left it.
   */
  expect(conversationId: string, channel: Channel, messageId: string, at: Date): Promise<BotSessionRecord>;
  /** Whether the bot held this conversation when this process last saw it: a hint, never a decision. */
  likelyHolds(conversationId: string): boolean;
  /** Whether the bot holds a conversation, as last seen here: by ingest after its write, by the bot once it lets go. */
  saw(conversationId: string, heldByBot: boolean): void;
  /**
   * The message noted by `expect` is applied to its conversation: the bot may answer it now, with the records ingest
   * holds (it re-reads only what may have moved since, its own talk).
   */
  heard(turn: HeardMessage): void;
}

/** A customer's message to a conversation the bot holds, as ingest has it right after applying it. */
export interface HeardMessage {
  conversation: ConversationRecord;
  /** The talk as `expect` left it: the bot reads it again if it saved a later one meanwhile. */
  session?: BotSessionRecord;
  contact: ContactRecord;
  message: MessageRecord;
  /**
   * Settles once the message counts as stored (marked done): an answer waits for it, so nobody hears of the answer
   * before the question. Rejected when it could not be marked; the answer owed is then the repair pass's to give.
   */
  stored: Promise<void>;
}
