import express, { type Router } from 'express';
import type { Inbox } from '../../inbox';
import { contactChangeBody } from '../../shared/tasks-api';
import { actorOf, authenticate } from './authenticate';
import type { Tokens } from './tokens';
import { parseInput } from './validate';

/** `PATCH /api/contacts/:id {renewalAt}`: the customer's renewal date (null for none), by a manager who may work on them. */
export function contactsApi({ inbox, tokens, bodyLimit }: { inbox: Inbox; tokens: Tokens; bodyLimit: string }): Router {
  const router = express.Router();
  router.use(express.json({ limit: bodyLimit }), authenticate(tokens, inbox.agents));
  router.patch('/:id', async (req, res) => {
    const { renewalAt } = parseInput(contactChangeBody, req.body);
    res.json(await inbox.renewals.set(actorOf(req), req.params.id, renewalAt));
  });
  return router;
}
