import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { Server, type Socket } from 'socket.io';
import type { z } from 'zod';
import type { Inbox } from '../inbox';
import type { Actor } from '../inbox/access';
import { InboxEvent } from '../inbox/events';
import type { Presence } from '../inbox/ports';
import { type ReplyInput, replySchema } from '../inbox/replies';
import type { Conversation, Message, Role } from '../inbox/views';
import { AppError, ErrorCode } from '../shared/errors';
import { clientEvents, type ServerEventBody } from '../shared/inbox-api';
import type { Logger } from '../shared/logger';
import type { ChannelSessions } from './channel-sessions';
import { actorFromToken } from './http/authenticate';
import type { Tokens } from './http/tokens';
import { isStoreUnavailable } from './store-timeouts';

type Ack<T = object> = (reply: ({ ok: true } & T) | { ok: false; error: { code: string; message: string } }) => void;

/** The pushed events are the shared schemas' shapes: what the inbox's views hold must fit them. */
export interface ServerToClientEvents {
  'message:new': (payload: ServerEventBody<'message:new'>) => void;
  'message:updated': (payload: ServerEventBody<'message:updated'>) => void;
  'conversation:updated': (payload: ServerEventBody<'conversation:updated'>) => void;
  alert: (payload: ServerEventBody<'alert'>) => void;
  /** To supervisors and admins: a campaign's progress. */
  'campaign:updated': (payload: ServerEventBody<'campaign:updated'>) => void;
  /** To admins only: a channel's own session (WhatsApp Web) changed state, or has a new pairing QR. */
  'channel:session': (payload: ServerEventBody<'channel:session'>) => void;
  'lead:updated': (payload: ServerEventBody<'lead:updated'>) => void;
  'task:created': (payload: ServerEventBody<'task:created'>) => void;
  'task:updated': (payload: ServerEventBody<'task:updated'>) => void;
  'task:deleted': (payload: ServerEventBody<'task:deleted'>) => void;
}

export interface ClientToServerEvents {
  'message:send': (payload: unknown, ack: Ack<{ message: Message }>) => void;
  'conversation:assign': (payload: unknown, ack: Ack<{ conversation: Conversation }>) => void;
  'conversation:read': (payload: unknown, ack: Ack<{ conversation: Conversation }>) => void;
}

interface SocketData {
  actor: Actor;
}

export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const { 'message:send': sendSchema, 'conversation:assign': assignSchema, 'conversation:read': readSchema } = clientEvents;

const Rooms = {
  /** Supervisors and admins: everything about conversations. */
  supervisors: 'supervisors',
  /** Admins only: channel sessions and their pairing QRs. */
  admins: 'role:admin',
  queue: 'queue',
  agents: 'role:agent',
  role: (role: Role) => `role:${role}`,
  agent: (id: string) => `agent:${id}`,
} as const;

/** Rooms that must hear about a conversation: its assignee (or the unassigned queue) and the supervisors. */
function roomsFor(conversation: Conversation, previousAssigneeId?: string | null): string[] {
  const rooms = [Rooms.supervisors, conversation.assigneeId ? Rooms.agent(conversation.assigneeId) : Rooms.queue];
  if (previousAssigneeId && previousAssigneeId !== conversation.assigneeId) rooms.push(Rooms.agent(previousAssigneeId));
  return rooms;
}

export async function createLiveServer(httpServer: HttpServer, redisUrl: string | undefined, log: Logger) {
  const io: LiveServer = new Server(httpServer, { serveClient: true, pingInterval: 20_000, pingTimeout: 20_000 });
  const closers: (() => Promise<unknown>)[] = [];
  if (redisUrl) {
    // Several gateway processes: every emit and fetchSockets() reaches the sockets held by the others too.
    const pub = createClient({ url: redisUrl });
    const sub = pub.duplicate();
    pub.on('error', (err) => log.error({ err }, 'redis (socket fan-out) error'));
    sub.on('error', (err) => log.error({ err }, 'redis (socket fan-out) error'));
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createAdapter(pub, sub));
    closers.push(
      () => pub.quit(),
      () => sub.quit(),
    );
    log.info('socket fan-out across instances through redis');
  }
  const presence: Presence = {
    async onlineAgentIds() {
      const sockets = await io.fetchSockets();
      return [...new Set(sockets.map((s) => s.data.actor?.id).filter((id): id is string => Boolean(id)))];
    },
  };
  return { io, presence, closeAdapters: () => Promise.all(closers.map((c) => c())) };
}

function parseReply(input: unknown): ReplyInput {
  const parsed = replySchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new AppError(ErrorCode.BadInput, `${issue?.path.join('.') || 'payload'}: ${issue?.message}`);
}

function replyError(e: unknown, log: Logger): { ok: false; error: { code: string; message: string } } {
  if (e instanceof AppError) return { ok: false, error: { code: e.code, message: e.message } };
  if (isStoreUnavailable(e)) {
    log.warn({ err: (e as Error).message }, 'socket request failed: store unavailable');
    return { ok: false, error: { code: ErrorCode.StoreUnavailable, message: 'the store is not answering; try again shortly' } };
  }
  log.error({ err: e }, 'socket request failed');
  return { ok: false, error: { code: ErrorCode.Internal, message: 'something went wrong; try again' } };
}

/** Token auth at connect, per-agent and supervisor rooms, the contract's events out and requests in. */
export function attachLiveInbox(io: LiveServer, inbox: Inbox, tokens: Tokens, log: Logger, sessions?: ChannelSessions): void {
  io.use(async (socket, next) => {
    try {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      socket.data.actor = await actorFromToken(tokens, inbox.agents, typeof token === 'string' ? token : undefined);
      next();
    } catch (e) {
      const err = new Error(e instanceof AppError ? e.message : 'unauthorized') as Error & { data?: unknown };
      err.data = { code: e instanceof AppError ? e.code : ErrorCode.Unauthorized };
      next(err);
    }
  });

  io.on('connection', (socket: Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>) => {
    const { actor } = socket.data;
    void socket.join(Rooms.agent(actor.id));
    if (actor.role === 'agent') void socket.join([Rooms.queue, Rooms.agents]);
    else void socket.join([Rooms.supervisors, Rooms.role(actor.role)]);
    if (actor.role === 'admin' && sessions) {
      void socket.join(Rooms.admins);
      // A page opened while a QR waits shows it at once.
      for (const channel of sessions.channels()) {
        void sessions.view(channel).then((view) => {
          if (view && socket.connected) socket.emit('channel:session', view);
        });
      }
    }

    const handle =
      <T, R extends object>(schema: z.ZodType<T>, run: (input: T) => Promise<R>) =>
      async (payload: unknown, ack: Ack<R>) => {
        const reply = typeof ack === 'function' ? ack : () => undefined;
        try {
          const parsed = schema.safeParse(payload);
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            throw new AppError(ErrorCode.BadInput, `${issue?.path.join('.') || 'payload'}: ${issue?.message}`);
          }
          reply({ ok: true, ...(await run(parsed.data)) });
        } catch (e) {
          reply(replyError(e, log));
        }
      };

    socket.on(
      'message:send',
      handle(sendSchema, async ({ conversationId, ...reply }) => ({
        message: await inbox.replies.send(actor, conversationId, parseReply(reply)),
      })),
    );
    socket.on(
      'conversation:assign',
      handle(assignSchema, async ({ conversationId, agentId }) => ({
        conversation: await inbox.conversations.assign(actor, conversationId, agentId),
      })),
    );
    socket.on(
      'conversation:read',
      handle(readSchema, async ({ conversationId }) => ({
        conversation: await inbox.conversations.markRead(actor, conversationId),
      })),
    );
  });

  inbox.events.on(InboxEvent.MessageNew, ({ conversation, message }) => {
    io.to(roomsFor(conversation)).emit('message:new', { conversation, message });
  });
  inbox.events.on(InboxEvent.MessageUpdated, ({ conversation, message }) => {
    io.to(roomsFor(conversation)).emit('message:updated', { message, conversation });
  });
  inbox.events.on(InboxEvent.ConversationUpdated, ({ conversation, previousAssigneeId }) => {
    io.to(roomsFor(conversation, previousAssigneeId)).emit('conversation:updated', { conversation });
  });
  inbox.events.on(InboxEvent.LeadUpdated, ({ conversation, lead }) => {
    io.to(roomsFor(conversation)).emit('lead:updated', { lead });
  });
  // Alerts go to the roles the alert names (first-response alerts: supervisors only) and the agents concerned.
  inbox.events.on(InboxEvent.Alert, ({ alert, agentIds, roles }) => {
    io.to([...roles.map(Rooms.role), ...agentIds.map(Rooms.agent)]).emit('alert', { alert });
  });
  // Rooms were joined for the role the socket connected with: its sockets close, and reconnect as the manager is now
  // (a deactivated manager's reconnect is refused).
  inbox.events.on(InboxEvent.AgentChanged, ({ agent }) => {
    io.in(Rooms.agent(agent.id)).disconnectSockets(true);
  });
  inbox.events.on(InboxEvent.CampaignUpdated, ({ campaign }) => {
    io.to(Rooms.supervisors).emit('campaign:updated', { campaign });
  });
  // A task is its assignee's (and, when it changed hands, its former assignee's) and the supervisors'.
  for (const event of [InboxEvent.TaskCreated, InboxEvent.TaskUpdated, InboxEvent.TaskDeleted] as const) {
    inbox.events.on(event, ({ task, previousAssigneeId }) => {
      const rooms = [Rooms.supervisors, Rooms.agent(task.assigneeId), ...(previousAssigneeId ? [Rooms.agent(previousAssigneeId)] : [])];
      io.to(rooms).emit(event, { task });
    });
  }
  sessions?.onChange((view) => {
    io.to(Rooms.admins).emit('channel:session', view);
  });
}
