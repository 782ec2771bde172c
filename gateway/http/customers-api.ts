import express, { type Router } from 'express';
import type { Inbox } from '../../inbox';
import { churnQuery, inactiveContactsQuery, newSavedViewBody, savedViewChangeBody } from '../../shared/customers-api';
import { actorOf, authenticate, requireRole } from './authenticate';
import type { Tokens } from './tokens';
import { parseInput } from './validate';

/**
 * Customers over time, under /api: churn by both formulas (`/metrics/churn`, `.csv`) and the inactive customers
 * (`/contacts/inactive`) for supervisors and admins; saved views (`/views`) for every manager, the team's kept by
 * supervisors and admins.
 */
export function customersApi({ inbox, tokens, bodyLimit }: { inbox: Inbox; tokens: Tokens; bodyLimit: string }): Router {
  const router = express.Router();
  const signedIn = authenticate(tokens, inbox.agents);
  const supervisors = [signedIn, requireRole('supervisor', 'admin')];
  const json = express.json({ limit: bodyLimit });

  router.get('/metrics/churn', ...supervisors, async (req, res) => {
    res.json({ windowDays: inbox.churn.windowMs / 86_400_000, items: await inbox.churn.churn(parseInput(churnQuery, req.query)) });
  });

  router.get('/metrics/churn.csv', ...supervisors, async (req, res) => {
    const csv = await inbox.churn.csv(parseInput(churnQuery, req.query));
    res.type('text/csv; charset=utf-8');
    res.attachment('churn.csv');
    res.send(csv);
  });

  router.get('/contacts/inactive', ...supervisors, async (req, res) => {
    res.json(await inbox.inactiveContacts.list(parseInput(inactiveContactsQuery, req.query)));
  });

  router.get('/views', signedIn, async (req, res) => {
    res.json({ items: await inbox.savedViews.list(actorOf(req)) });
  });

  router.post('/views', signedIn, json, async (req, res) => {
    res.status(201).json(await inbox.savedViews.create(actorOf(req), parseInput(newSavedViewBody, req.body)));
  });

  router.patch('/views/:id', signedIn, json, async (req, res) => {
    res.json(await inbox.savedViews.update(actorOf(req), String(req.params.id), parseInput(savedViewChangeBody, req.body)));
  });

  router.delete('/views/:id', signedIn, async (req, res) => {
    await inbox.savedViews.remove(actorOf(req), String(req.params.id));
    res.status(204).end();
  });

  return router;
}
