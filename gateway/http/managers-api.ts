import express, { type Request, type Response, type Router } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import type { Inbox } from '../../inbox';
import { newAgentSchema, normalizeEmail } from '../../inbox/agents';
import { listConversationsQuery, listMessagesQuery, statusChangeSchema } from '../../inbox/conversations';
import { type Clock, systemClock } from '../../inbox/ports';
import { replySchema } from '../../inbox/replies';
import { responseTimesExportQuery, responseTimesQuery } from '../../inbox/response-times';
import { channelNames } from '../../shared/channels';
import { AppError, ErrorCode } from '../../shared/errors';
import { assignBody, loginBody } from '../../shared/inbox-api';
import type { ChannelSessions } from '../channel-sessions';
import { actorOf, authenticate, requireRole } from './authenticate';
import { errorBody } from './errors';
import { LoginThrottle } from './login-throttle';
import type { Tokens } from './tokens';
import { parseInput } from './validate';

const loginSchema = loginBody;
const assignSchema = assignBody;
const alertsQuery = z.object({
  since: z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s))
    .optional(),
});

export interface ManagersApiOptions {
  inbox: Inbox;
  tokens: Tokens;
  bodyLimit: string;
  /** Failed logins allowed per client address, whatever the identity, in 15 minutes. */
  loginAttemptsPerAddress?: number;
  /** Channels that hold a session of their own (WhatsApp Web), for admins to pair and watch. */
  sessions?: ChannelSessions;
  /** The time the sign-in lockout counts by. */
  clock?: Clock;
}

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

/** The managers' REST API of the contract, under /api. */
export function managersApi({
  inbox,
  tokens,
  bodyLimit,
  loginAttemptsPerAddress = 50,
  sessions,
  clock = systemClock,
}: ManagersApiOptions): Router {
  const router = express.Router();
  router.use(express.json({ limit: bodyLimit }));

  const throttle = new LoginThrottle(clock);
  // A client address is its IPv6 /56 (one subscriber's block): rotating addresses inside it gains nothing.
  const addressOf = (req: Request) => ipKeyGenerator(req.ip ?? '');
  const tooMany = (res: Response, lockMs: number) => {
    res.setHeader('Retry-After', String(Math.ceil(lockMs / 1000)));
    // The same words for every account, known or not, so the answer tells nothing about who exists.
    res
      .status(429)
      .json(errorBody(ErrorCode.RateLimited, `too many failed sign-ins; try again in ${minutes(lockMs)} min or ask an admin to unlock`));
  };
  // Besides the per-identity lockout: one address spraying many identities.
  const addressLimiter = rateLimit({
    windowMs: 15 * 60_000,
    limit: loginAttemptsPerAddress,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: addressOf,
    // X-Forwarded-For is ignored unless TRUST_PROXY says which hops may set it; no need to warn about it.
    validate: { xForwardedForHeader: false },
    handler: (_req, res) => tooMany(res, 15 * 60_000),
  });

  router.post('/auth/login', addressLimiter, async (req, res) => {
    const { email, password } = parseInput(loginSchema, req.body);
    const identity = normalizeEmail(email);
    const address = addressOf(req);
    const locked = throttle.lockedFor(identity, address);
    if (locked > 0) {
      tooMany(res, locked);
      return;
    }
    const agent = await inbox.agents.authenticate(identity, password).catch((e: unknown) => {
      if (e instanceof AppError && e.code === ErrorCode.BadCredentials) throttle.failed(identity, address);
      throw e;
    });
    throttle.succeeded(identity, address);
    const token = await tokens.issue({ id: agent.id, role: agent.role, name: agent.name });
    res.json({ token, agent });
  });

  // A live token for a fresh one, with the role and name as they are now; the session still ends SESSION_MAX_AGE
  // after the password was given.
  router.post('/auth/refresh', async (req, res) => {
    const session = await tokens.session(/^Bearer (.+)$/i.exec(req.header('authorization') ?? '')?.[1]);
    if (Date.now() >= session.signedInAt + tokens.lifetimes.sessionMaxAgeMs) {
      throw new AppError(ErrorCode.Unauthorized, 'the session is over: sign in with the password again');
    }
    const agent = await inbox.agents.get(session.actor.id).catch(() => {
      throw new AppError(ErrorCode.Unauthorized, 'the token names an agent who no longer exists');
    });
    const token = await tokens.issue({ id: agent.id, role: agent.role, name: agent.name }, session.signedInAt);
    res.json({ token, agent });
  });

  router.use(authenticate(tokens, inbox.agents));

  router.get('/me', async (req, res) => {
    res.json(await inbox.agents.get(actorOf(req).id));
  });

  router.get('/agents', async (_req, res) => {
    res.json({ items: await inbox.agents.list() });
  });

  router.post('/agents', requireRole('admin'), async (req, res) => {
    res.status(201).json(await inbox.agents.create(parseInput(newAgentSchema, req.body)));
  });

  // Lifts the sign-in lockout of one manager, from every address (in this process: README, Access).
  router.post('/agents/:id/unlock', requireRole('admin'), async (req, res) => {
    const agent = await inbox.agents.get(String(req.params.id));
    res.json({ agentId: agent.id, unlockedAddresses: throttle.unlock(normalizeEmail(agent.email)) });
  });

  router.get('/conversations', async (req, res) => {
    res.json(await inbox.conversations.list(actorOf(req), parseInput(listConversationsQuery, req.query)));
  });

  router.get('/conversations/:id', async (req, res) => {
    res.json(await inbox.conversations.get(actorOf(req), req.params.id));
  });

  router.get('/conversations/:id/contact', async (req, res) => {
    res.json(await inbox.contacts.ofConversation(actorOf(req), req.params.id));
  });

  router.get('/conversations/:id/messages', async (req, res) => {
    res.json(await inbox.conversations.messages(actorOf(req), req.params.id, parseInput(listMessagesQuery, req.query)));
  });

  router.post('/conversations/:id/messages', async (req, res) => {
    res.status(201).json(await inbox.replies.send(actorOf(req), req.params.id, parseInput(replySchema, req.body)));
  });

  router.post('/conversations/:id/assign', async (req, res) => {
    const { agentId } = parseInput(assignSchema, req.body);
    res.json(await inbox.conversations.assign(actorOf(req), req.params.id, agentId));
  });

  router.post('/conversations/:id/status', async (req, res) => {
    res.json(await inbox.conversations.setStatus(actorOf(req), req.params.id, parseInput(statusChangeSchema, req.body)));
  });

  router.post('/conversations/:id/read', async (req, res) => {
    res.json(await inbox.conversations.markRead(actorOf(req), req.params.id));
  });

  router.get('/metrics/response-times', requireRole('supervisor', 'admin'), async (req, res) => {
    res.json({ items: await inbox.responseTimes.figures(parseInput(responseTimesQuery, req.query)) });
  });

  // The session of a channel that keeps one (WhatsApp Web): its state and, while unpaired, the QR to scan.
  router.get('/channels/:channel/session', requireRole('admin'), async (req, res) => {
    const channel = channelNames.find((name) => name === req.params.channel);
    const view = channel && (await sessions?.view(channel));
    if (!view) throw new AppError(ErrorCode.NotFound, `the ${req.params.channel} channel has no session of its own here`);
    res.json(view);
  });

  // One CSV row per conversation; the first line is produced before the headers go out, so a bad range is a 400.
  router.get('/metrics/response-times.csv', requireRole('supervisor', 'admin'), async (req, res) => {
    const query = parseInput(responseTimesExportQuery, req.query);
    const lines = inbox.responseTimes.exportCsv(query);
    const header = await lines.next();
    res.type('text/csv; charset=utf-8');
    res.attachment('response-times.csv');
    res.write(header.value ?? '');
    try {
      for await (const line of lines) res.write(line);
      res.end();
    } catch (err) {
      // Headers are gone: cut the download so a partial file is never taken for a whole one.
      res.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  });

  router.get('/alerts', async (req, res) => {
    const { since } = parseInput(alertsQuery, req.query);
    res.json({ items: await inbox.alerts.list(actorOf(req), since) });
  });

  return router;
}
