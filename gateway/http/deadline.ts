import type { RequestHandler } from 'express';
import { ErrorCode } from '../../shared/errors';
import { moreTime, storeTimeouts, type WaitPolicy } from '../store-timeouts';
import { errorBody } from './errors';

/**
 * Reads (GET, HEAD) answered 503 STORE.UNAVAILABLE when nothing was sent by the deadline (later only while the
 * store is plainly at work, see busyQuietMs): a command caught on a connection to a store that went silent waits
 * until the driver notices (heartbeatMs + connectMs, then a retry), and a manager should not. A read is safe to give
 * up on; its work ends in the background and its late answer is dropped (errorHandler). Writes are not cut short:
 * one given up on could still land after its caller was told it failed, and be sent again. The driver fails them
 * within heartbeatMs + connectMs + serverSelectionMs of the store going silent, at once once it knows; so they do
 * the reads `exempt` names (reports that take seconds at scale on a healthy store).
 */
export function readDeadline(
  policy: WaitPolicy = { deadlineMs: storeTimeouts.apiReadDeadlineMs },
  exempt: (path: string) => boolean = () => false,
): RequestHandler {
  return (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || exempt(req.path)) {
      next();
      return;
    }
    const since = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const check = () => {
      if (res.headersSent) return;
      const more = moreTime(policy, since);
      if (more > 0) {
        timer = setTimeout(check, more);
        return;
      }
      res.setHeader('Retry-After', String(storeTimeouts.retryAfterSeconds));
      res
        .status(503)
        .json(errorBody(ErrorCode.StoreUnavailable, `no answer from the store within ${Date.now() - since} ms; try again shortly`));
    };
    timer = setTimeout(check, policy.deadlineMs);
    const stopWaiting = policy.store?.waiting();
    res.once('close', () => {
      clearTimeout(timer);
      stopWaiting?.();
    });
    next();
  };
}
