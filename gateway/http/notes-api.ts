import express, { type Router } from 'express';
import type { Inbox } from '../../inbox';
import { noteSchema } from '../../inbox/notes';
import { actorOf, authenticate } from './authenticate';
import type { Tokens } from './tokens';
import { parseInput } from './validate';

/**
 * `POST /api/conversations/:id/notes {text}`: an internal note, answered with the stored message (`note: true`).
 * Mounted under /api beside the managers' routes, so it signs in per route rather than for the whole mount.
 */
export function notesApi({ inbox, tokens, bodyLimit }: { inbox: Inbox; tokens: Tokens; bodyLimit: string }): Router {
  const router = express.Router();
  router.post('/conversations/:id/notes', express.json({ limit: bodyLimit }), authenticate(tokens, inbox.agents), async (req, res) => {
    res.status(201).json(await inbox.notes.add(actorOf(req), String(req.params.id), parseInput(noteSchema, req.body)));
  });
  return router;
}
