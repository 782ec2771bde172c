import express, { type Router } from 'express';
import type { Bot } from '../../bot';
import type { Inbox } from '../../inbox';
import { botFiguresQuery, botFlowsBody, botSwitchBody } from '../../shared/bot-api';
import { actorOf, authenticate, requireRole } from './authenticate';
import type { Tokens } from './tokens';
import { parseInput } from './validate';

/**
 * The chatbot's routes under /api: its flows (`GET`/`PUT /bot/flows`) and switch (`PATCH /bot {enabled}`) for
 * admins, a manager taking a conversation from it (`POST /conversations/:id/takeover`), and its figures
 * (`GET /metrics/bot?from=&to=&channel=`, and `.csv`) for supervisors and admins.
 */
export function botApi({ inbox, tokens, bodyLimit, bot }: { inbox: Inbox; tokens: Tokens; bodyLimit: string; bot: Bot }): Router {
  const router = express.Router();
  const signedIn = authenticate(tokens, inbox.agents);
  const json = express.json({ limit: bodyLimit });
  const admins = [signedIn, requireRole('admin')];

  router.get('/bot/flows', ...admins, async (_req, res) => {
    res.json(await bot.flows.view());
  });

  router.put('/bot/flows', ...admins, json, async (req, res) => {
    res.json(await bot.flows.replace(parseInput(botFlowsBody, req.body)));
  });

  router.patch('/bot', ...admins, json, async (req, res) => {
    res.json(await bot.flows.switch(parseInput(botSwitchBody, req.body).enabled));
  });

  router.post('/conversations/:id/takeover', signedIn, async (req, res) => {
    res.json(await inbox.botHolds.takeOver(actorOf(req), String(req.params.id)));
  });

  router.get('/metrics/bot', signedIn, requireRole('supervisor', 'admin'), async (req, res) => {
    res.json(await bot.figures.of(parseInput(botFiguresQuery, req.query)));
  });

  router.get('/metrics/bot.csv', signedIn, requireRole('supervisor', 'admin'), async (req, res) => {
    const csv = await bot.figures.csv(parseInput(botFiguresQuery, req.query));
    res.type('text/csv; charset=utf-8');
    res.attachment('bot-figures.csv');
    res.send(csv);
  });

  return router;
}
