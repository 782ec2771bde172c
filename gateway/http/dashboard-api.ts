import express, { type Router } from 'express';
import type { Inbox } from '../../inbox';
import { volumeQuery } from '../../inbox/volume';
import { authenticate, requireRole } from './authenticate';
import type { Tokens } from './tokens';
import { parseInput } from './validate';

export interface DashboardApiOptions {
  inbox: Inbox;
  tokens: Tokens;
}

/** The supervisors' dashboard figures beside the response times (README, Response times, defined), under /api. */
export function dashboardApi({ inbox, tokens }: DashboardApiOptions): Router {
  const router = express.Router();
  const supervisors = [authenticate(tokens, inbox.agents), requireRole('supervisor', 'admin')];

  router.get('/metrics/volume-by-hour', ...supervisors, async (req, res) => {
    res.json({ items: await inbox.volume.byHour(parseInput(volumeQuery, req.query)) });
  });

  // Every manager's open conversations, the deactivated left out: the dashboard shows those who are online.
  router.get('/metrics/workload', ...supervisors, async (_req, res) => {
    const team = (await inbox.agents.list()).filter((a) => a.active);
    res.json({ items: await inbox.volume.workload(team.map((a) => a.id)) });
  });

  return router;
}
