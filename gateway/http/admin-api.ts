import express, { type Router } from 'express';
import type { Inbox } from '../../inbox';
import { agentChangeSchema } from '../../inbox/team';
import { authenticate, requireRole } from './authenticate';
import type { Tokens } from './tokens';
import { parseInput } from './validate';

export interface AdminApiOptions {
  inbox: Inbox;
  tokens: Tokens;
  bodyLimit: string;
}

/**
 * The admins' management of the team, under /api: a manager's role and whether they may sign in. Adding a manager
 * is POST /api/agents (managers-api.ts). Each route authenticates itself, so the router passes every other /api
 * request on untouched.
 */
export function adminApi({ inbox, tokens, bodyLimit }: AdminApiOptions): Router {
  const router = express.Router();
  const admin = [authenticate(tokens, inbox.agents), requireRole('admin'), express.json({ limit: bodyLimit })];

  router.patch('/agents/:id', ...admin, async (req, res) => {
    res.json(await inbox.team.change(String(req.params.id), parseInput(agentChangeSchema, req.body)));
  });

  return router;
}
