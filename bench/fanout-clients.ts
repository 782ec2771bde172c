/**
 * A child process of bench/fanout.ts holding a share of the managers' sockets, so the gateway's process holds only
 * the server side of them (its memory then shows what the connections cost the gateway) and the clients' work of
 * receiving every broadcast runs beside it. Driven over IPC:
 *
 *   → {type: 'connect', url, clients: [{token, role}], concurrency}   ← {type: 'connected', connected, failed, error, rss}
 *   → {type: 'count'}                                                   ← {type: 'count', supervisor, agent}
 *   → {type: 'report'}                                                  ← {type: 'report', ids, at, roles, rss}
 *   → {type: 'close'}                                                   (closes every socket and exits)
 *
 * Every `message:new` is kept as (message.externalId, when, the receiving socket's role), timed with a clock every
 * process of the machine reads alike (performance.timeOrigin + performance.now()).
 */
import { io, type Socket } from 'socket.io-client';

type Role = 'agent' | 'supervisor';
export type ToClients =
  | { type: 'connect'; url: string; clients: { token: string; role: Role }[]; concurrency: number }
  | { type: 'count' }
  | { type: 'report' }
  | { type: 'close' };
export type FromClients =
  | { type: 'ready'; rss: number }
  | { type: 'connected'; connected: number; supervisors: number; failed: number; error: string | null; rss: number }
  | { type: 'count'; supervisor: number; agent: number }
  | { type: 'report'; ids: string[]; at: number[]; roles: Role[]; rss: number };

const sockets: Socket[] = [];
const ids: string[] = [];
const at: number[] = [];
const roles: Role[] = [];
const counts = { supervisor: 0, agent: 0 };
const send = (message: FromClients) => process.send?.(message);

async function connectAll(url: string, clients: { token: string; role: Role }[], concurrency: number): Promise<void> {
  let next = 0;
  let failed = 0;
  let supervisors = 0;
  let error: string | null = null;
  const worker = async () => {
    while (next < clients.length) {
      const client = clients[next++] as { token: string; role: Role };
      const socket = io(url, { auth: { token: client.token }, transports: ['websocket'], reconnection: false, forceNew: true });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
      } catch (e) {
        failed++;
        error ??= e instanceof Error ? e.message : String(e);
        socket.close();
        continue;
      }
      socket.on('message:new', ({ message }: { message: { externalId: string | null } }) => {
        ids.push(message.externalId ?? '');
        at.push(performance.timeOrigin + performance.now());
        roles.push(client.role);
        counts[client.role]++;
      });
      sockets.push(socket);
      if (client.role === 'supervisor') supervisors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  send({ type: 'connected', connected: sockets.length, supervisors, failed, error, rss: process.memoryUsage().rss });
}

process.on('message', (message: ToClients) => {
  if (message.type === 'connect') void connectAll(message.url, message.clients, message.concurrency);
  else if (message.type === 'count') send({ type: 'count', ...counts });
  else if (message.type === 'report') send({ type: 'report', ids, at, roles, rss: process.memoryUsage().rss });
  else if (message.type === 'close') {
    for (const socket of sockets) socket.close();
    process.disconnect?.();
    setTimeout(() => process.exit(0), 100);
  }
});
// The parent going away ends the child too.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', rss: process.memoryUsage().rss });
