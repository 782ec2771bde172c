import path from 'node:path';
import { Types } from 'mongoose';
import { BUSINESS, bohdan, incoming, nowSeconds, olena, textModel } from './fixtures/whatsapp-web';
import { eventually, type SocketRecorder, sleep, type TestGateway, type TestManager } from './support/gateway';
import { inboxOf } from './support/inbox-reader';
import { CHROMIUM, type StandInFactory, startWebGateway, unreadChat } from './support/stand-in-whatsapp-web';

/** Pairing QRs as whatsapp-web.js emits them: ref, noise key, identity key, ADV secret, platform. */
const QR_FIRST =
  '2@hX3wEJgWq0M7fC1bT9yZkL5nR8sV2uA4dG6jP0eQ1iO3mK7xB9cF5hN2wS8tY4,Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9f=,Zx8wV6uT4sR2qP0oN8mL6kJ4hG2fE0dC8bA6zY4xW2v=,Qw1Er2Ty3Ui4Op5As6Df7Gh8Jk9Lz0Xc1Vb2Nm3Qw4=,WEB';
const QR_REFRESHED =
  '2@Lm4nO6pQ8rS0tU2vW4xY6zA8bC0dE2fG4hJ6kL8mN0pQ2rS4tU6vW8xY0zA2b,Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9f=,Zx8wV6uT4sR2qP0oN8mL6kJ4hG2fE0dC8bA6zY4xW2v=,Qw1Er2Ty3Ui4Op5As6Df7Gh8Jk9Lz0Xc1Vb2Nm3Qw4=,WEB';
const QR_AFTER_LOGOUT =
  '2@Pq9rS1tU3vW5xY7zA9bC1dE3fG5hJ7kL9mN1pQ3rS5tU7vW9xY1zA3bC5dE7f,Cd4eF6gH8jK0lM2nP4qR6sT8uV0wX2yZ4aB6cD8eF0g=,Zx8wV6uT4sR2qP0oN8mL6kJ4hG2fE0dC8bA6zY4xW2v=,Er5Ty6Ui7Op8As9Df0Gh1Jk2Lz3Xc4Vb5Nm6Qw7Er8=,WEB';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('the WhatsApp Web session: pairing, reconnects and logouts, seen by admins', () => {
  let gw: TestGateway;
  let factory: StandInFactory;
  let admin: TestManager;
  let agent: TestManager;
  let supervisor: TestManager;
  let adminLive: SocketRecorder;
  let agentLive: SocketRecorder;
  let supervisorLive: SocketRecorder;
  let closed = false;

  beforeAll(async () => {
    ({ gw, factory } = await startWebGateway({ logoutGraceMs: 600 }));
    admin = await gw.manager('admin', 'Адміністратор Ольга');
    agent = await gw.manager('agent', 'Ірина Мельник');
    supervisor = await gw.manager('supervisor', 'Supervisor Sam');
    adminLive = await gw.connect(admin.token);
    // The view an admin gets at connect travels apart from the changes: have it in before any test counts events
    // from "now" (a test run alone would otherwise count it among its own).
    await adminLive.waitFor('channel:session');
    agentLive = await gw.connect(agent.token);
    supervisorLive = await gw.connect(supervisor.token);
  });
  afterAll(async () => {
    if (!closed) await gw.close();
  });

  const session = (token?: string) => gw.request('GET', '/api/channels/whatsapp/session', token ? { token } : {});
  /** The admin's channel:session events from the n-th on. */
  const sessionEvents = (from = 0) => adminLive.of('channel:session').slice(from);
  const waitForState = async (state: string, from: number) => {
    await eventually(async () => sessionEvents(from).some((e) => e.state === state));
    return sessionEvents(from).find((e) => e.state === state);
  };

  it('shows the pairing QR to admins, over REST and live, and to nobody else', async () => {
    const client = await factory.client(1);
    // The real client would keep its Chromium profile (the linked device) here, across restarts.
    expect(client.options).toEqual({ chromiumPath: CHROMIUM, sessionDir: path.join(gw.dataDir, 'whatsapp-web') });
    // An admin who connects is told where the session stands at once.
    expect((await adminLive.waitFor('channel:session')).state).toBe('starting');

    client.showQr(QR_FIRST);
    const live = await adminLive.waitFor('channel:session', (p) => p.state === 'qr');
    expect(live).toMatchObject({ channel: 'whatsapp', state: 'qr', qr: QR_FIRST, account: null, reason: null, reconnectAt: null });
    expect(live.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(Buffer.from(live.qrDataUrl.split(',')[1], 'base64').subarray(0, 8)).toEqual(PNG_MAGIC);

    const rest = await session(admin.token);
    expect(rest.status).toBe(200);
    expect(rest.body).toEqual({ ...live, updatedAt: expect.any(String) });
    expect(Date.parse(rest.body.updatedAt)).not.toBeNaN();

    const asAgent = await session(agent.token);
    expect(asAgent.status).toBe(403);
    expect(asAgent.body.error.code).toBe('AUTH.FORBIDDEN');
    expect((await session(supervisor.token)).status).toBe(403);
    expect((await session()).status).toBe(401);
    expect((await gw.request('GET', '/api/channels/telegram/session', { token: admin.token })).status).toBe(404);

    // WhatsApp replaces the QR about every 20 s while nobody scans it.
    client.showQr(QR_REFRESHED);
    const refreshed = await adminLive.waitFor('channel:session', (p) => p.qr === QR_REFRESHED);
    expect(refreshed.qrDataUrl).not.toBe(live.qrDataUrl);

    const from = sessionEvents().length;
    client.pair();
    const ready = await waitForState('ready', from);
    expect(sessionEvents(from).map((e) => e.state)).toEqual(['authenticated', 'ready']);
    expect(ready).toMatchObject({ state: 'ready', qr: null, qrDataUrl: null, account: BUSINESS });
    expect((await session(admin.token)).body).toMatchObject({ state: 'ready', qr: null, account: BUSINESS });

    expect(agentLive.of('channel:session')).toEqual([]);
    expect(supervisorLive.of('channel:session')).toEqual([]);
  });

  it('reconnects after a disconnect, and a reply sent meanwhile goes out once the new session is ready', async () => {
    const first = factory.latest;
    const model = textModel(olena, 'Добрий день! Ви сьогодні працюєте?');
    first.receive(model);
    const inbound = await agentLive.waitFor('message:new', (p) => p.message.externalId === model.id._serialized);

    const from = sessionEvents().length;
    first.disconnect('CONFLICT');
    const down = await waitForState('disconnected', from);
    expect(down).toMatchObject({ state: 'disconnected', reason: 'CONFLICT', qr: null });
    expect(Date.parse(down.reconnectAt) - Date.parse(down.updatedAt)).toBe(200);

    const second = await factory.client(factory.clients.indexOf(first) + 2);
    expect(first.destroyCalls).toBe(1);
    await waitForState('starting', from);
    expect((await session(admin.token)).body.state).toBe('starting');

    const res = await gw.request('POST', `/api/conversations/${inbound.conversation.id}/messages`, {
      token: agent.token,
      json: { text: 'Так, до 20:00. Чекаємо на вас!' },
    });
    expect(res.status).toBe(201);
    // The first attempt finds no ready session, waits a little, and goes back to the queue with the reason.
    const retried = await eventually(async () => {
      const m = (await inboxOf(gw).messagesOf(inbound.conversation.id)).find((m) => m.id === res.body.id);
      return m?.status === 'queued' && m.error ? m : null;
    });
    expect(retried.error).toBe('WhatsApp Web is not connected (starting: CONFLICT)');
    // The outbox's count of attempts is no part of the managers' API.
    const outbox = await (await gw.collection('messages')).findOne({ _id: new Types.ObjectId(retried.id) });
    expect(outbox?.attempts).toBeGreaterThanOrEqual(1);

    second.pair();
    const sent = await agentLive.waitFor('message:updated', (p) => p.message.id === res.body.id && p.message.status === 'sent', 15_000);
    expect(second.sent.map(({ chatId, content }) => ({ chatId, content }))).toEqual([
      { chatId: olena.wid, content: 'Так, до 20:00. Чекаємо на вас!' },
    ]);
    expect(first.sent).toEqual([]);
    expect(sent.message.externalId).toBe(second.sent[0]?.id);
    expect((await session(admin.token)).body).toMatchObject({ state: 'ready', reason: null, reconnectAt: null });
  });

  it('retries a client that fails to start with doubling delays, and starts over from the first delay once ready', async () => {
    const before = factory.clients.length;
    factory.failingStarts = 2;
    const from = sessionEvents().length;
    factory.latest.disconnect('CONFLICT');

    const third = await factory.client(before + 3);
    const downs = sessionEvents(from).filter((e) => e.state === 'disconnected');
    expect(downs.map((e) => e.reason)).toEqual([
      'CONFLICT',
      'start failed: Failed to launch the browser process! /usr/bin/chromium: error while loading shared libraries',
      'start failed: Failed to launch the browser process! /usr/bin/chromium: error while loading shared libraries',
    ]);
    expect(downs.map((e) => Date.parse(e.reconnectAt) - Date.parse(e.updatedAt))).toEqual([200, 400, 800]);
    expect(factory.clients.slice(before).map((c) => c.destroyCalls)).toEqual([1, 1, 0]);

    third.pair();
    await waitForState('ready', from);
    const again = sessionEvents().length;
    third.disconnect('CONFLICT');
    const down = await waitForState('disconnected', again);
    expect(Date.parse(down.reconnectAt) - Date.parse(down.updatedAt)).toBe(200);
    (await factory.client(before + 4)).pair();
    await waitForState('ready', again);
  });

  it('after the device is unlinked on the phone, shows the new QR the library loads, without rebuilding the client', async () => {
    const client = factory.latest;
    const count = factory.clients.length;
    const from = sessionEvents().length;
    client.disconnect('LOGOUT');
    const out = await waitForState('logged_out', from);
    expect(out).toMatchObject({ state: 'logged_out', account: null, qr: null, reason: 'the device was unlinked from the phone' });

    client.showQr(QR_AFTER_LOGOUT);
    const qr = await waitForState('qr', from);
    expect(qr.qr).toBe(QR_AFTER_LOGOUT);
    await sleep(900);
    expect(factory.clients).toHaveLength(count);
    expect(client.destroyCalls).toBe(0);

    client.pair('380441234599@c.us');
    expect((await waitForState('ready', from)).account).toBe('380441234599@c.us');
  });

  it('rebuilds the client when no new QR follows a logout', async () => {
    const client = factory.latest;
    const count = factory.clients.length;
    const from = sessionEvents().length;
    client.disconnect('LOGOUT');
    const fresh = await factory.client(count + 1);
    expect(client.destroyCalls).toBe(1);
    // The new client exists a moment before its `starting` reaches the admins' socket.
    await waitForState('starting', from);
    expect(sessionEvents(from).map((e) => e.state)).toEqual(['logged_out', 'logged_out', 'starting']);
    expect(sessionEvents(from)[1]).toMatchObject({ reason: 'no new QR after the logout' });

    fresh.showQr(QR_FIRST);
    await waitForState('qr', from);
    fresh.pair();
    await waitForState('ready', from);
  });

  it('after a reconnect, stores the unread messages the session missed, once', async () => {
    const client = factory.latest;
    const known = textModel(bohdan, 'Привіт! Чи можна забрати замовлення завтра?');
    client.receive(known);
    await agentLive.waitFor('message:new', (p) => p.message.externalId === known.id._serialized);

    const count = factory.clients.length;
    client.disconnect('CONFLICT');
    const next = await factory.client(count + 1);
    // While the session was down the customer wrote again; an unread chat from last week and a group wait too.
    const missed = textModel(bohdan, 'І ще: до котрої години працює видача?');
    const stale = incoming(bohdan, { type: 'chat', body: 'Старе непрочитане', t: nowSeconds(-7 * 24 * 3600) });
    next.chats = [
      unreadChat(next, bohdan.wid, [stale, known, missed]),
      unreadChat(next, '120363041234567890@g.us', [incoming({ wid: '120363041234567890@g.us' }, { type: 'chat', body: 'Група' })]),
    ];
    next.pair();

    await agentLive.waitFor('message:new', (p) => p.message.externalId === missed.id._serialized);
    await sleep(300);
    const messages = await inboxOf(gw).messages();
    const withId = (externalId: string) => messages.filter((m) => m.externalId === externalId);
    expect(withId(known.id._serialized)).toHaveLength(1);
    expect(withId(missed.id._serialized)).toHaveLength(1);
    expect(withId(stale.id._serialized)).toEqual([]);
    expect(messages.filter((m) => m.text === 'Група')).toEqual([]);
  });

  it('destroys the client when the gateway stops', async () => {
    const client = factory.latest;
    const count = factory.clients.length;
    expect(client.destroyCalls).toBe(0);
    await gw.close();
    closed = true;
    expect(client.destroyCalls).toBe(1);
    await sleep(400);
    expect(factory.clients).toHaveLength(count);
  });
});
