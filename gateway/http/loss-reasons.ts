import express, { type Router } from 'express';
import type { Inbox } from '../../inbox';
import { lossReasonChangeBody, newLossReasonBody } from '../../shared/inbox-api';
import { authenticate, requireRole } from './authenticate';
import type { Tokens } from './tokens';
import { parseInput } from './validate';

/**
 * `/api/loss-reasons`: the reasons a lead is closed as lost with. Every signed-in manager reads the list; admins add,
 * rename, reorder and deactivate (DELETE deactivates: leads closed with a reason keep it).
 */
export function lossReasonsRouter(inbox: Inbox, tokens: Tokens, bodyLimit: string): Router {
  const router = express.Router();
  router.use(authenticate(tokens, inbox.agents));
  router.use(express.json({ limit: bodyLimit }));

  router.get('/', async (_req, res) => {
    res.json({ items: await inbox.lossReasons.list() });
  });

  router.post('/', requireRole('admin'), async (req, res) => {
    const { label } = parseInput(newLossReasonBody, req.body);
    res.status(201).json(await inbox.lossReasons.add(label));
  });

  router.patch('/:id', requireRole('admin'), async (req, res) => {
    res.json(await inbox.lossReasons.change(String(req.params.id), parseInput(lossReasonChangeBody, req.body)));
  });

  router.delete('/:id', requireRole('admin'), async (req, res) => {
    res.json(await inbox.lossReasons.deactivate(String(req.params.id)));
  });

  return router;
}
