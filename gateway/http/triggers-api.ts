import express, { type Router } from 'express';
import type { Inbox } from '../../inbox';
import { newTriggerBody, triggerChangeBody } from '../../shared/tasks-api';
import { actorOf, authenticate } from './authenticate';
import type { Tokens } from './tokens';
import { parseInput } from './validate';

/**
 * `/api/triggers`: what happens by itself on a stage change, a loss, a quiet customer or a renewal coming. GET lists
 * them (any manager); supervisors and admins POST, PATCH `/:id` (switch with `active`), DELETE `/:id`, and read
 * `GET /:id/firings`, what each firing did or why it did nothing.
 */
export function triggersApi({ inbox, tokens, bodyLimit }: { inbox: Inbox; tokens: Tokens; bodyLimit: string }): Router {
  const router = express.Router();
  router.use(express.json({ limit: bodyLimit }), authenticate(tokens, inbox.agents));

  router.get('/', async (_req, res) => {
    res.json({ items: await inbox.triggers.list() });
  });

  router.post('/', async (req, res) => {
    res.status(201).json(await inbox.triggers.create(actorOf(req), parseInput(newTriggerBody, req.body)));
  });

  router.patch('/:id', async (req, res) => {
    res.json(await inbox.triggers.update(actorOf(req), req.params.id, parseInput(triggerChangeBody, req.body)));
  });

  router.delete('/:id', async (req, res) => {
    await inbox.triggers.remove(actorOf(req), req.params.id);
    res.status(204).end();
  });

  router.get('/:id/firings', async (req, res) => {
    res.json({ items: await inbox.triggers.firings(actorOf(req), req.params.id) });
  });

  return router;
}
