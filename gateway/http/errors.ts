import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, ErrorCode } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { isStoreUnavailable, storeTimeouts } from '../store-timeouts';

/** The one place error codes become HTTP statuses. */
const statusOf: Record<ErrorCode, number> = {
  [ErrorCode.BadInput]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.BadCredentials]: 401,
  [ErrorCode.BadSignature]: 401,
  [ErrorCode.VerificationFailed]: 403,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.ConversationNotFound]: 404,
  [ErrorCode.AgentNotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.LossReasonRequired]: 400,
  [ErrorCode.UnknownLossReason]: 400,
  [ErrorCode.NotRetryable]: 409,
  [ErrorCode.UnknownStage]: 400,
  [ErrorCode.AmountRequired]: 400,
  [ErrorCode.PhoneRequired]: 400,
  [ErrorCode.LeadClosed]: 409,
  [ErrorCode.LastStageOfKind]: 409,
  [ErrorCode.EmailTaken]: 409,
  [ErrorCode.ShortcutTaken]: 409,
  [ErrorCode.AccountDeactivated]: 403,
  [ErrorCode.LastAdmin]: 409,
  [ErrorCode.ChannelUnavailable]: 409,
  [ErrorCode.OutsideReplyWindow]: 409,
  [ErrorCode.ContactUnreachable]: 409,
  [ErrorCode.AttachmentsUnsupported]: 409,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.StoreUnavailable]: 503,
  [ErrorCode.Internal]: 500,
};

export const errorBody = (code: string, message: string) => ({ error: { code, message } });

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json(errorBody(ErrorCode.NotFound, `no route ${req.method} ${req.path}`));
};

/**
 * What express, the router and body-parser throw for a request that is at fault (a path that is not valid URL
 * encoding, a body that does not decompress as its Content-Encoding says): a 4xx with a message saying so.
 */
function clientErrorOf(err: unknown, contentEncoding: string | undefined): { status: number; message: string } | undefined {
  const e = err as { status?: unknown; statusCode?: unknown; code?: unknown; message?: unknown } | null;
  const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  if (status === undefined || status < 400 || status > 499) return undefined;
  if (err instanceof URIError) return { status: 400, message: 'the URL is not valid percent-encoding' };
  if (typeof e?.code === 'string' && e.code.startsWith('Z_')) {
    return { status: 400, message: `the body is not valid ${contentEncoding ?? 'compressed data'}, as its Content-Encoding says it is` };
  }
  return { status, message: typeof e?.message === 'string' && e.message ? e.message : 'the request cannot be read' };
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    // Work that ended after its request was answered (a read past its deadline): nothing is left to say.
    if (res.headersSent) {
      log.debug({ err: (err as Error)?.message, method: req.method, path: req.path }, 'request ended after its answer');
      if (!res.writableEnded) res.destroy();
      return;
    }
    if (err instanceof AppError) {
      if (err.code === ErrorCode.StoreUnavailable) res.setHeader('Retry-After', String(storeTimeouts.retryAfterSeconds));
      res.status(statusOf[err.code]).json(errorBody(err.code, err.message));
      return;
    }
    // The store did not answer (it is down, unreachable or too slow): the caller may try again, a platform
    // redelivers. Not a 500: nothing is wrong with the request or with us.
    if (isStoreUnavailable(err)) {
      log.warn({ err: (err as Error).message, method: req.method, path: req.path }, 'store unavailable');
      res
        .setHeader('Retry-After', String(storeTimeouts.retryAfterSeconds))
        .status(503)
        .json(errorBody(ErrorCode.StoreUnavailable, 'the store is not answering; try again shortly'));
      return;
    }
    // body-parser's own errors: malformed JSON, oversize bodies.
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') {
      res.status(413).json(errorBody(ErrorCode.PayloadTooLarge, 'the request body is larger than the gateway accepts'));
      return;
    }
    if (type === 'entity.parse.failed') {
      res.status(400).json(errorBody(ErrorCode.BadInput, 'body is not valid JSON'));
      return;
    }
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      res.status(415).json(errorBody(ErrorCode.BadInput, (err as Error).message));
      return;
    }
    const clientError = clientErrorOf(err, req.headers['content-encoding']);
    if (clientError) {
      log.info({ err: clientError.message, method: req.method, path: req.path }, 'request refused');
      res.status(clientError.status).json(errorBody(ErrorCode.BadInput, clientError.message));
      return;
    }
    log.error({ err, method: req.method, path: req.path }, 'request failed');
    res.status(500).json(errorBody(ErrorCode.Internal, 'something went wrong; the request was not completed'));
  };
}
