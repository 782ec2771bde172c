import express, { type Router } from 'express';
import type { Inbox } from '../../inbox';
import { newTaskBody, taskChangeBody, tasksQuery } from '../../shared/tasks-api';
import { actorOf, authenticate } from './authenticate';
import type { Tokens } from './tokens';
import { parseInput } from './validate';

/**
 * `/api/tasks`: managers' tasks. GET lists them by due time (`assigneeId`, `conversationId` or `contactId`;
 * `status` open, done or overdue; a keyset `cursor`), POST makes one, PATCH `/:id` changes its title, due time or
 * assignee or ticks it done (or not), DELETE `/:id` removes it.
 */
export function tasksApi({ inbox, tokens, bodyLimit }: { inbox: Inbox; tokens: Tokens; bodyLimit: string }): Router {
  const router = express.Router();
  router.use(express.json({ limit: bodyLimit }), authenticate(tokens, inbox.agents));

  router.get('/', async (req, res) => {
    res.json(await inbox.tasks.list(actorOf(req), parseInput(tasksQuery, req.query)));
  });

  router.get('/:id', async (req, res) => {
    res.json(await inbox.tasks.get(actorOf(req), req.params.id));
  });

  router.post('/', async (req, res) => {
    res.status(201).json(await inbox.tasks.create(actorOf(req), parseInput(newTaskBody, req.body)));
  });

  router.patch('/:id', async (req, res) => {
    res.json(await inbox.tasks.update(actorOf(req), req.params.id, parseInput(taskChangeBody, req.body)));
  });

  router.delete('/:id', async (req, res) => {
    await inbox.tasks.remove(actorOf(req), req.params.id);
    res.status(204).end();
  });

  return router;
}
