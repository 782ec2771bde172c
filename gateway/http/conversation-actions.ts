import express, { type Router } from 'express';
import type { Inbox } from '../../inbox';
import { snoozeBody } from '../../shared/inbox-api';
import { actorOf, authenticate } from './authenticate';
import type { Tokens } from './tokens';
import { parseInput } from './validate';

/**
 * What a manager does to a conversation besides replying and assigning: snooze it until a time
 * (`POST /api/conversations/:id/snooze {until}`, and `/unsnooze`), and send a failed reply again
 * (`POST /api/conversations/:id/messages/:messageId/retry`).
 */
export function conversationActionsRouter(inbox: Inbox, tokens: Tokens, bodyLimit: string): Router {
  const router = express.Router();
  const signedIn = authenticate(tokens, inbox.agents);
  const json = express.json({ limit: bodyLimit });

  router.post('/conversations/:id/snooze', signedIn, json, async (req, res) => {
    const { until } = parseInput(snoozeBody, req.body);
    res.json(await inbox.snoozes.snooze(actorOf(req), String(req.params.id), new Date(until)));
  });

  router.post('/conversations/:id/unsnooze', signedIn, async (req, res) => {
    res.json(await inbox.snoozes.unsnooze(actorOf(req), String(req.params.id)));
  });

  router.post('/conversations/:id/messages/:messageId/retry', signedIn, async (req, res) => {
    res.json(await inbox.retries.retry(actorOf(req), String(req.params.id), String(req.params.messageId)));
  });

  return router;
}
