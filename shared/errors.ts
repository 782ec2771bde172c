/**
 * Errors with a stable code. Domain and channel code throw these; only gateway/ maps codes to HTTP statuses.
 */
export const ErrorCode = {
  BadInput: 'INBOX.BAD_INPUT',
  Unauthorized: 'AUTH.UNAUTHORIZED',
  BadCredentials: 'AUTH.BAD_CREDENTIALS',
  BadSignature: 'WEBHOOK.BAD_SIGNATURE',
  /** A webhook subscription handshake (Meta's hub.verify_token) with the wrong token. */
  VerificationFailed: 'WEBHOOK.VERIFICATION_FAILED',
  Forbidden: 'AUTH.FORBIDDEN',
  NotFound: 'INBOX.NOT_FOUND',
  ConversationNotFound: 'INBOX.CONVERSATION_NOT_FOUND',
  AgentNotFound: 'INBOX.AGENT_NOT_FOUND',
  Conflict: 'INBOX.CONFLICT',
  /** Closing a lead as lost without a reason from the admins' list. */
  LossReasonRequired: 'INBOX.LOSS_REASON_REQUIRED',
  /** A loss reason that is not (or no longer) on the admins' list. */
  UnknownLossReason: 'INBOX.UNKNOWN_LOSS_REASON',
  /** A retry of a reply that has not failed (it is queued, sent or further). */
  NotRetryable: 'INBOX.NOT_RETRYABLE',
  /** A pipeline stage that does not exist or is switched off. */
  UnknownStage: 'PIPELINE.UNKNOWN_STAGE',
  /** A stage that requires a deal amount, entered without one. */
  AmountRequired: 'PIPELINE.AMOUNT_REQUIRED',
  /** A stage that requires the customer's phone, entered while it is unknown. */
  PhoneRequired: 'PIPELINE.PHONE_REQUIRED',
  /** A move of a lead that was won, lost or resolved: a new one starts when the customer writes again. */
  LeadClosed: 'PIPELINE.LEAD_CLOSED',
  /** A change that would leave the pipeline without an active stage of a kind (open, won, lost). */
  LastStageOfKind: 'PIPELINE.LAST_STAGE_OF_KIND',
  EmailTaken: 'AUTH.EMAIL_TAKEN',
  /** The team, or that manager, has a saved reply of that shortcut already. */
  ShortcutTaken: 'SAVED_REPLY.SHORTCUT_TAKEN',
  /** A deactivated manager signing in. */
  AccountDeactivated: 'AUTH.DEACTIVATED',
  /** A change that would leave no active admin. */
  LastAdmin: 'AUTH.LAST_ADMIN',
  ChannelUnavailable: 'CHANNEL.UNAVAILABLE',
  OutsideReplyWindow: 'INBOX.OUTSIDE_REPLY_WINDOW',
  ContactUnreachable: 'INBOX.CONTACT_UNREACHABLE',
  /** A reply with files on a channel that cannot send them. */
  AttachmentsUnsupported: 'CHANNEL.ATTACHMENTS_UNSUPPORTED',
  PayloadTooLarge: 'HTTP.PAYLOAD_TOO_LARGE',
  RateLimited: 'HTTP.RATE_LIMITED',
  StoreUnavailable: 'STORE.UNAVAILABLE',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
