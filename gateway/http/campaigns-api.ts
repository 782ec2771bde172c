import express, { type Router } from 'express';
import type { Inbox } from '../../inbox';
import { newCampaignBody } from '../../shared/customers-api';
import { actorOf, authenticate, requireRole } from './authenticate';
import type { Tokens } from './tokens';
import { parseInput } from './validate';

/**
 * `/api/campaigns`, for supervisors and admins: POST starts a re-engagement campaign to a saved contacts view or a
 * filter; GET lists the latest with their progress; GET `/:id` is one campaign's progress.
 */
export function campaignsApi({ inbox, tokens, bodyLimit }: { inbox: Inbox; tokens: Tokens; bodyLimit: string }): Router {
  const router = express.Router();
  router.use(authenticate(tokens, inbox.agents), requireRole('supervisor', 'admin'));

  router.get('/', async (_req, res) => {
    res.json({ items: await inbox.campaigns.list() });
  });

  router.post('/', express.json({ limit: bodyLimit }), async (req, res) => {
    res.status(201).json(await inbox.campaigns.create(actorOf(req), parseInput(newCampaignBody, req.body)));
  });

  router.get('/:id', async (req, res) => {
    res.json(await inbox.campaigns.progress(String(req.params.id)));
  });

  return router;
}
