import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError, ErrorCode } from '../../shared/errors';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** With METRICS_TOKEN set, /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; without it, everyone. */
export function metricsGuard(token: string | undefined): RequestHandler {
  const expected = token === undefined ? undefined : digest(token);
  return (req, res, next) => {
    if (!expected) return next();
    const given = /^Bearer (.+)$/i.exec(req.header('authorization') ?? '')?.[1];
    // Digests of equal length, so the comparison takes as long whatever was sent.
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new AppError(ErrorCode.Unauthorized, 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>');
    }
    next();
  };
}
