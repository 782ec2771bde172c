import express, { type Router } from 'express';
import { z } from 'zod';
import type { Inbox } from '../../inbox';
import { funnelQuery, lossesQuery } from '../../inbox/pipeline/figures';
import { channelNames } from '../../shared/channels';
import { newStageBody, stageChangeBody, stageMoveBody } from '../../shared/pipeline-api';
import { actorOf, authenticate, requireRole } from './authenticate';
import type { Tokens } from './tokens';
import { parseInput } from './validate';

const boardQuery = z
  .object({
    channel: z.enum(channelNames).optional(),
    assigneeId: z.union([z.literal('none'), z.string().regex(/^[a-f0-9]{24}$/i, 'must be an agent id or "none"')]).optional(),
  })
  .strict();

export interface PipelineApiOptions {
  inbox: Inbox;
  tokens: Tokens;
  bodyLimit: string;
}

/**
 * The sales pipeline under /api (README, The sales pipeline): its stages (admins keep them), a conversation's lead
 * and its moves, the board, and the funnel and loss figures for supervisors and admins.
 */
export function pipelineApi({ inbox, tokens, bodyLimit }: PipelineApiOptions): Router {
  const router = express.Router();
  const signedIn = authenticate(tokens, inbox.agents);
  const json = express.json({ limit: bodyLimit });
  const supervisors = [signedIn, requireRole('supervisor', 'admin')];

  router.get('/pipeline/stages', signedIn, async (_req, res) => {
    res.json({ items: await inbox.stages.list() });
  });
  router.post('/pipeline/stages', signedIn, requireRole('admin'), json, async (req, res) => {
    res.status(201).json(await inbox.stages.add(parseInput(newStageBody, req.body)));
  });
  router.patch('/pipeline/stages/:id', signedIn, requireRole('admin'), json, async (req, res) => {
    res.json(await inbox.stages.change(String(req.params.id), parseInput(stageChangeBody, req.body)));
  });
  router.delete('/pipeline/stages/:id', signedIn, requireRole('admin'), async (req, res) => {
    res.json(await inbox.stages.deactivate(String(req.params.id)));
  });

  router.get('/pipeline/board', signedIn, async (req, res) => {
    res.json(await inbox.pipeline.board(actorOf(req), parseInput(boardQuery, req.query)));
  });

  router.get('/conversations/:id/lead', signedIn, async (req, res) => {
    res.json(await inbox.pipeline.leadOf(actorOf(req), String(req.params.id)));
  });
  router.post('/conversations/:id/stage', signedIn, json, async (req, res) => {
    res.json({ lead: await inbox.pipeline.moveTo(actorOf(req), String(req.params.id), parseInput(stageMoveBody, req.body)) });
  });

  router.get('/metrics/funnel', ...supervisors, async (req, res) => {
    res.json({ items: await inbox.pipelineFigures.funnel(parseInput(funnelQuery, req.query)) });
  });
  router.get('/metrics/funnel.csv', ...supervisors, async (req, res) => {
    const csv = await inbox.pipelineFigures.funnelCsv(parseInput(funnelQuery, req.query));
    res.type('text/csv; charset=utf-8').attachment('funnel.csv').send(csv);
  });
  router.get('/metrics/losses', ...supervisors, async (req, res) => {
    res.json(await inbox.pipelineFigures.losses(parseInput(lossesQuery, req.query)));
  });
  router.get('/metrics/losses.csv', ...supervisors, async (req, res) => {
    const csv = await inbox.pipelineFigures.lossesCsv(parseInput(lossesQuery, req.query));
    res.type('text/csv; charset=utf-8').attachment('losses.csv').send(csv);
  });

  return router;
}
