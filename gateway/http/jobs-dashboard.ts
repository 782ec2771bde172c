import type { Agenda } from 'agenda';
import { createExpressMiddleware } from 'agendash';
import express, { type Request, type Router } from 'express';
import type { Agents } from '../../inbox/agents';
import { AppError, ErrorCode } from '../../shared/errors';
import { actorFromToken } from './authenticate';
import type { Tokens } from './tokens';

const COOKIE = 'jobs_session';
/** The cookie's token is good for the dashboard only, never as a managers' bearer token. */
const AUDIENCE = 'admin-jobs';
/** How long the dashboard stays open after the page's link was followed. */
export const JOBS_SESSION_MS = 30 * 60_000;

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

const bearerOf = (req: Request) => /^Bearer (.+)$/i.exec(req.header('authorization') ?? '')?.[1];

function requireAdmin(role: string): void {
  if (role !== 'admin') throw new AppError(ErrorCode.Forbidden, 'the jobs dashboard is for admins');
}

/**
 * Agendash (the Agenda dashboard) for admins only, at /admin/jobs. The managers' page opens it for a browser with
 * `POST /admin/jobs/session` (its bearer token): that sets a short-lived HttpOnly, SameSite=Strict cookie scoped to
 * the dashboard, and the dashboard's own requests carry it. API clients may send `Authorization: Bearer` instead.
 */
export function jobsDashboard(agenda: Agenda, tokens: Tokens, agents: Agents, mountPath: string): Router {
  const router = express.Router();
  router.post('/session', async (req, res) => {
    const actor = await actorFromToken(tokens, agents, bearerOf(req));
    requireAdmin(actor.role);
    const expiresAt = new Date(Date.now() + JOBS_SESSION_MS);
    res.cookie(COOKIE, await tokens.issueFor(AUDIENCE, actor, JOBS_SESSION_MS), {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: mountPath,
      expires: expiresAt,
    });
    res.setHeader('Cache-Control', 'no-store');
    res.json({ url: `${mountPath}/`, expiresAt: expiresAt.toISOString() });
  });
  router.use(async (req, _res, next) => {
    const bearer = bearerOf(req);
    const actor = bearer
      ? await actorFromToken(tokens, agents, bearer)
      : await actorFromToken(tokens, agents, cookie(req.header('cookie'), COOKIE), AUDIENCE);
    requireAdmin(actor.role);
    next();
  });
  router.use(createExpressMiddleware(agenda));
  return router;
}
