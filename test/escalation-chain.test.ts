import { formMessage, john, marta, oksana, petro } from './fixtures/site-form';
import { FakeCallback } from './support/fake-callback';
import { eventually, sleep, TestGateway } from './support/gateway';

/** Short clocks through settings: a customer may wait 1 s before the conversation passes on. The job queue polls as in production. */
const env = { ESCALATION_AFTER: '1s', ESCALATION_MAX_STEPS: '2', SLA_FIRST_RESPONSE: '1h' };

describe('the escalation chain', () => {
  let gw: TestGateway;
  let callback: FakeCallback;
  beforeEach(async () => {
    callback = await new FakeCallback().start();
    gw = await TestGateway.start({ env: { ...env, API_CHANNEL_CALLBACK_URL: callback.url } });
  });
  afterEach(async () => {
    await gw.close();
    await callback.stop();
  });

  it('passes an unanswered lead to each online agent not yet tried, then to the shared queue, nudging and alerting', async () => {
    const iryna = await gw.manager('agent', 'Ірина Бондар');
    const bohdan = await gw.manager('agent', 'Богдан Кравець');
    const carol = await gw.manager('agent', 'Carol White');
    const sam = await gw.manager('supervisor', 'Supervisor Sam');
    const admin = await gw.manager('admin', 'Admin Alla');
    const sockets = {
      iryna: await gw.connect(iryna.token),
      bohdan: await gw.connect(bohdan.token),
      carol: await gw.connect(carol.token),
      sam: await gw.connect(sam.token),
      admin: await gw.connect(admin.token),
    };

    const posted = await gw.postApi(formMessage(marta, 'Доброго дня! Скільки коштує доставка до Львова?'));
    expect(posted.status).toBe(200);
    const conversationId = (await sockets.iryna.waitFor('message:new')).conversation.id as string;

    const queued = await sockets.sam.waitFor('alert', (p) => p.alert.type === 'escalated' && !p.alert.agentId, 10_000);
    const conversation = (await gw.request('GET', `/api/conversations/${conversationId}`, { token: sam.token })).body;
    const stored = (await gw.request('GET', '/api/alerts', { token: sam.token })).body.items;

    // Round-robin gave the lead to Ірина; after 1 s it went to Богдан, after 1 s more to Carol, then to the queue.
    const handOvers = sockets.sam.of('alert').filter((p) => p.alert.type === 'escalated' && p.alert.agentId);
    expect(handOvers.map((p) => p.alert.agentId)).toEqual([bohdan.agent.id, carol.agent.id]);
    expect(handOvers[0].alert.detail).toBe(
      'Your colleague Ірина Бондар did not get to this lead (Марта Шевченко, api): take it, or in 1 second it passes on.',
    );
    expect(handOvers[1].alert.detail).toBe(
      'Your colleague Богдан Кравець did not get to this lead (Марта Шевченко, api): take it, or in 1 second it goes to the shared queue.',
    );
    expect(queued.alert).toMatchObject({ type: 'escalated', conversationId, channel: 'api' });
    expect(queued.alert.detail).toBe(
      'Nobody answered Марта Шевченко (api) after 2 hand-overs: the conversation is in the shared queue now.',
    );

    // Each step fired within 2 s of its due time: 1 s after the wait began, then the due time each hand-over set.
    const dues = [
      new Date(conversation.awaitingReplySince).getTime() + 1000,
      ...sockets.sam
        .of('conversation:updated')
        .filter((p) => p.conversation.id === conversationId && p.conversation.escalationStep > 0 && p.conversation.escalationDueAt)
        .map((p) => new Date(p.conversation.escalationDueAt).getTime()),
    ];
    const fired = [...handOvers, queued].map((p) => new Date(p.alert.createdAt).getTime());
    expect(dues).toHaveLength(3);
    fired.forEach((at, i) => {
      expect(at - (dues[i] ?? 0)).toBeGreaterThanOrEqual(0);
      expect(at - (dues[i] ?? 0)).toBeLessThan(2000);
    });

    // The nudge reaches the new assignee; the admin sees every step like the supervisor; everyone in the queue sees the lead.
    expect(sockets.bohdan.of('alert').map((p) => p.alert.agentId)).toEqual([bohdan.agent.id]);
    expect(sockets.carol.of('alert').map((p) => p.alert.agentId)).toEqual([carol.agent.id]);
    expect(sockets.iryna.of('alert')).toEqual([]);
    expect(sockets.admin.of('alert').map((p) => p.alert.id)).toEqual(sockets.sam.of('alert').map((p) => p.alert.id));
    const queueView = await sockets.iryna.waitFor('conversation:updated', (p) => p.conversation.assigneeId === null);
    expect(queueView.conversation.id).toBe(conversationId);

    expect(conversation).toMatchObject({ assigneeId: null, escalationStep: 2, escalationDueAt: null });
    expect(conversation.awaitingReplySince).not.toBeNull();
    expect(stored.filter((a: { type: string }) => a.type === 'escalated')).toHaveLength(3);
    const raw = await (await gw.collection('conversations')).findOne({});
    expect(raw?.triedAgentIds.map(String).sort()).toEqual([iryna.agent.id, bohdan.agent.id, carol.agent.id].sort());

    // An agent lists only the alerts addressed to them.
    const bohdansAlerts = (await gw.request('GET', '/api/alerts', { token: bohdan.token })).body.items;
    expect(bohdansAlerts.map((a: { agentId: string }) => a.agentId)).toEqual([bohdan.agent.id]);

    // The chain is over: nothing more happens to the queued lead.
    await sleep(1500);
    expect((await gw.request('GET', '/api/alerts', { token: sam.token })).body.items).toHaveLength(3);
  });

  it('stops when the agent answers in time', async () => {
    const iryna = await gw.online('agent', 'Ірина Бондар');
    await gw.online('agent', 'Богдан Кравець');
    const sam = await gw.online('supervisor', 'Supervisor Sam');

    await gw.postApi(formMessage(john, 'Hi, is the blue jacket available in size M?'));
    const { conversation } = await iryna.socket.waitFor('message:new');
    const before = (await gw.request('GET', `/api/conversations/${conversation.id}`, { token: iryna.token })).body;
    expect(before.escalationDueAt).not.toBeNull();
    const reply = await gw.request('POST', `/api/conversations/${conversation.id}/messages`, {
      token: iryna.token,
      json: { text: 'Hi John! Yes, size M is in stock.' },
    });
    expect(reply.status).toBe(201);

    await sleep(2000);
    const after = (await gw.request('GET', `/api/conversations/${conversation.id}`, { token: iryna.token })).body;
    expect(after).toMatchObject({ assigneeId: iryna.agent.id, escalationStep: 0, escalationDueAt: null, awaitingReplySince: null });
    expect(sam.socket.of('alert')).toEqual([]);
    await eventually(async () => callback.received.length === 1);
    expect(callback.received[0]?.body.text).toBe('Hi John! Yes, size M is in stock.');
  });

  it('restarts from the new assignee after a manual assignment, with a fresh chain of untried agents', async () => {
    const iryna = await gw.manager('agent', 'Ірина Бондар');
    const bohdan = await gw.manager('agent', 'Богдан Кравець');
    const carol = await gw.manager('agent', 'Carol White');
    const sam = await gw.manager('supervisor', 'Supervisor Sam');
    await gw.connect(iryna.token);
    await gw.connect(bohdan.token);
    await gw.connect(carol.token);
    const samSocket = await gw.connect(sam.token);

    await gw.postApi(formMessage(oksana, 'Замовлення №1042 досі не прийшло, допоможіть, будь ласка'));
    const first = await samSocket.waitFor('alert', (p) => p.alert.type === 'escalated');
    expect(first.alert.agentId).toBe(bohdan.agent.id);
    const conversationId = first.alert.conversationId as string;

    // The supervisor gives it to Carol by hand: the chain starts over from her, with a full second.
    const assigned = await gw.request('POST', `/api/conversations/${conversationId}/assign`, {
      token: sam.token,
      json: { agentId: carol.agent.id },
    });
    expect(assigned.body).toMatchObject({ assigneeId: carol.agent.id, escalationStep: 0 });
    const restartedAt = Date.now();
    expect(new Date(assigned.body.escalationDueAt).getTime()).toBeGreaterThan(restartedAt);

    const next = await samSocket.waitFor('alert', (p) => p.alert.type === 'escalated' && p.alert.agentId !== bohdan.agent.id);
    // Ірина and Богдан are untried in the new chain; Ірина has waited longest for a turn.
    expect(next.alert.agentId).toBe(iryna.agent.id);
    expect(next.alert.detail).toContain('Your colleague Carol White did not get to this lead');
    expect(new Date(next.alert.createdAt).getTime() - restartedAt).toBeGreaterThanOrEqual(900);
    const conversation = (await gw.request('GET', `/api/conversations/${conversationId}`, { token: sam.token })).body;
    expect(conversation).toMatchObject({ assigneeId: iryna.agent.id, escalationStep: 1 });
  });

  it('goes straight to the shared queue when no other agent is online', async () => {
    const iryna = await gw.manager('agent', 'Ірина Бондар');
    await gw.manager('agent', 'Offline Oleh');
    const sam = await gw.manager('supervisor', 'Supervisor Sam');
    await gw.connect(iryna.token);
    const samSocket = await gw.connect(sam.token);

    await gw.postApi(formMessage(petro, 'Чи можна оплатити частинами?'));
    const queued = await samSocket.waitFor('alert', (p) => p.alert.type === 'escalated');
    expect(queued.alert.agentId).toBeUndefined();
    expect(queued.alert.detail).toBe(
      'No other agent is online to take Петро Іваненко (api) from Ірина Бондар: the conversation is in the shared queue now.',
    );
    const conversation = (await gw.request('GET', `/api/conversations/${queued.alert.conversationId}`, { token: sam.token })).body;
    expect(conversation).toMatchObject({ assigneeId: null, escalationStep: 0, escalationDueAt: null });
  });
});
