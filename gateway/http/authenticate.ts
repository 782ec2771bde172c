import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Actor } from '../../inbox/access';
import type { Agents } from '../../inbox/agents';
import type { Role } from '../../inbox/views';
import { AppError, ErrorCode } from '../../shared/errors';
import type { Tokens } from './tokens';

declare global {
  namespace Express {
    interface Request {
      actor?: Actor;
    }
  }
}

/** Resolves the bearer token to a current agent; a deleted agent's token stops working at once. */
export async function actorFromToken(tokens: Tokens, agents: Agents, token: string | undefined, audience?: string): Promise<Actor> {
  const claimed = await tokens.verify(token, audience);
  const agent = await agents.find(claimed.id);
  if (!agent) throw new AppError(ErrorCode.Unauthorized, 'the token names an agent who no longer exists');
  if (!agent.active) throw new AppError(ErrorCode.Unauthorized, 'the token names a deactivated agent');
  return { id: agent.id, role: agent.role, name: agent.name };
}

export function authenticate(tokens: Tokens, agents: Agents): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.header('authorization') ?? '';
    const token = /^Bearer (.+)$/i.exec(header)?.[1];
    req.actor = await actorFromToken(tokens, agents, token);
    next();
  };
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.actor || !roles.includes(req.actor.role)) {
      throw new AppError(ErrorCode.Forbidden, `this needs the role ${roles.join(' or ')}`);
    }
    next();
  };
}

export const actorOf = (req: Request): Actor => {
  if (!req.actor) throw new AppError(ErrorCode.Unauthorized, 'a bearer token is required');
  return req.actor;
};
