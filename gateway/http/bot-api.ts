import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import type { Bot } from '../../bot';
import type { Inbox } from '../../inbox';
import { botFiguresQuery, botFlowsBody, botMessageBody, botSwitchBody } from '../../shared/bot-api';
import { AppError, ErrorCode } from '../../shared/errors';
import { safeEqual } from '../../shared/secrets';
import { actorOf, authenticate, requireRole } from './authenticate';
import type { Tokens } from './tokens';
import { parseInput } from './validate';

/**
 * The chatbot's routes under /api: its flows (`GET`/`PUT /bot/flows`) and switch (`PATCH /bot {enabled}`) for
 * admins, a manager taking a conversation from it (`POST /conversations/:id/takeover`), and its figures
 * (`GET /metrics/bot?from=&to=&channel=`, and `.csv`) for supervisors and admins.
 */
export function botApi({
  inbox,
  tokens,
  bodyLimit,
  bot,
  botApiKey,
}: {
  inbox: Inbox;
  tokens: Tokens;
  bodyLimit: string;
  bot: Bot;
  botApiKey?: string;
}): Router {
  const router = express.Router();
  const signedIn = authenticate(tokens, inbox.agents);
  const json = express.json({ limit: bodyLimit });
  const admins = [signedIn, requireRole('admin')];

  // The external bot's answers, with its own key (BOT_API_KEY); `Idempotency-Key` makes a retried post harmless.
  router.post('/bot/messages', json, async (req, res) => {
    const given = /^Bearer (.+)$/i.exec(req.header('authorization') ?? '')?.[1];
    if (!botApiKey || !given || !safeEqual(given, botApiKey)) {
      throw new AppError(
        ErrorCode.Unauthorized,
        botApiKey
          ? 'a valid Authorization: Bearer <BOT_API_KEY> is required'
          : 'BOT_API_KEY is not set: the external bot cannot post answers',
      );
    }
    const { conversationId, ...answer } = parseInput(botMessageBody, req.body);
    const key = req.header('idempotency-key')?.slice(0, 200) || randomUUID();
    if (!(await bot.chatbot.answerFor(conversationId, answer, `external:${key}`))) {
      throw new AppError(ErrorCode.Conflict, `the bot does not hold conversation ${conversationId} (people have it, or it does not exist)`);
    }
    res.status(202).json({ accepted: true });
  });

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
