import express, { type Router } from 'express';
import type { Inbox } from '../../inbox';
import { newSavedReplyBody, savedRepliesQuery, savedReplyChangeBody } from '../../shared/inbox-api';
import { actorOf, authenticate } from './authenticate';
import type { Tokens } from './tokens';
import { parseInput } from './validate';

/**
 * `/api/saved-replies`: the canned answers of the reply box. GET lists the team's and the manager's own (`?q=`
 * searches shortcut, title and text), by shortcut; POST adds one (`scope` `team` for supervisors and admins,
 * `personal` by default); PATCH and DELETE `/:id` change and remove one the manager may edit.
 */
export function savedRepliesApi({ inbox, tokens, bodyLimit }: { inbox: Inbox; tokens: Tokens; bodyLimit: string }): Router {
  const router = express.Router();
  router.use(express.json({ limit: bodyLimit }), authenticate(tokens, inbox.agents));

  router.get('/', async (req, res) => {
    const { q } = parseInput(savedRepliesQuery, req.query);
    res.json({ items: await inbox.savedReplies.list(actorOf(req), q) });
  });

  router.post('/', async (req, res) => {
    res.status(201).json(await inbox.savedReplies.create(actorOf(req), parseInput(newSavedReplyBody, req.body)));
  });

  router.patch('/:id', async (req, res) => {
    res.json(await inbox.savedReplies.update(actorOf(req), req.params.id, parseInput(savedReplyChangeBody, req.body)));
  });

  router.delete('/:id', async (req, res) => {
    await inbox.savedReplies.remove(actorOf(req), req.params.id);
    res.status(204).end();
  });

  return router;
}
