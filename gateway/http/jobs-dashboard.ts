import type { Agenda } from 'agenda';
import { createExpressMiddleware } from 'agendash';
import express, { type Router } from 'express';
import type { Agents } from '../../inbox/agents';
import { AppError, ErrorCode } from '../../shared/errors';
import { actorFromToken } from './authenticate';
import type { Tokens } from './tokens';

const COOKIE = 'jobs_token';

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/**
 * Agendash (the Agenda dashboard) for admins only, at /admin/jobs. A browser opens it once with `?token=<admin
 * token>`; the token is then kept in an HttpOnly cookie scoped to the dashboard, for the dashboard's own requests.
 * API clients may send `Authorization: Bearer` instead.
 */
export function jobsDashboard(agenda: Agenda, tokens: Tokens, agents: Agents, mountPath: string): Router {
  const router = express.Router();
  router.use(async (req, res, next) => {
    const bearer = /^Bearer (.+)$/i.exec(req.header('authorization') ?? '')?.[1];
    const fromQuery = typeof req.query.token === 'string' ? req.query.token : undefined;
    const actor = await actorFromToken(tokens, agents, bearer ?? fromQuery ?? cookie(req.header('cookie'), COOKIE));
    if (actor.role !== 'admin') throw new AppError(ErrorCode.Forbidden, 'the jobs dashboard is for admins');
    if (fromQuery && !bearer) {
      res.cookie(COOKIE, fromQuery, { httpOnly: true, sameSite: 'strict', path: mountPath, maxAge: 12 * 3600_000 });
      // The token leaves the address bar (and the browser history) at once.
      res.redirect(303, `${mountPath}${req.path === '/' ? '/' : req.path}`);
      return;
    }
    next();
  });
  router.use(createExpressMiddleware(agenda));
  return router;
}
