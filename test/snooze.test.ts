import { formMessage, john, marta } from './fixtures/site-form';
import { olena, textUpdate } from './fixtures/telegram';
import { ManualClock } from './support/clock';
import { TestGateway } from './support/gateway';

/** A customer may wait 2 min before the lead passes on; the recurring job polls hourly, so only the test's passes act. */
const env = { ESCALATION_AFTER: '2m', SLA_FIRST_RESPONSE: '1h', JOBS_POLL_INTERVAL: '1h' };

describe('snoozing a conversation', () => {
  let gw: TestGateway;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock('2024-05-06T07:00:00Z');
    gw = await TestGateway.start({ env, clock: clock.now });
  });
  afterEach(async () => {
    await gw.close();
  });

  const snooze = (token: string, id: string, until: string) =>
    gw.request('POST', `/api/conversations/${id}/snooze`, { token, json: { until } });

  it('opens again by itself at its time, live, and does not escalate or queue as waiting while snoozed', async () => {
    const iryna = await gw.online('agent', 'Ірина Бондар');
    const bohdan = await gw.online('agent', 'Богдан Кравець');
    const sam = await gw.online('supervisor', 'Supervisor Sam');
    await gw.postApi(formMessage(marta, 'Добрий день! Передзвоніть мені після обіду, будь ласка.'));
    const { conversation } = await iryna.socket.waitFor('message:new');

    const snoozed = await snooze(iryna.token, conversation.id, '2024-05-06T08:00:00Z');
    expect(snoozed.status).toBe(200);
    expect(snoozed.body).toMatchObject({ status: 'snoozed', snoozedUntil: '2024-05-06T08:00:00.000Z', escalationDueAt: null });
    await sam.socket.waitFor('conversation:updated', (p) => p.conversation.id === conversation.id && p.conversation.status === 'snoozed');

    // Handed to a colleague while snoozed: it stays snoozed, with no escalation clock.
    const handed = await gw.request('POST', `/api/conversations/${conversation.id}/assign`, {
      token: sam.token,
      json: { agentId: bohdan.agent.id },
    });
    expect(handed.body).toMatchObject({ status: 'snoozed', assigneeId: bohdan.agent.id, escalationDueAt: null });

    // Long past the 2 minutes it would have escalated after: nothing happens, and the waiting queue does not show it.
    clock.set('2024-05-06T07:59:59Z');
    expect(await gw.automations.tick()).toMatchObject({ woken: 0, escalated: 0 });
    const queue = await gw.request('GET', '/api/conversations?sort=waiting', { token: sam.token });
    expect(queue.body.items.map((c: { id: string }) => c.id)).not.toContain(conversation.id);
    const snoozedList = await gw.request('GET', '/api/conversations?status=snoozed', { token: sam.token });
    expect(snoozedList.body.items.map((c: { id: string }) => c.id)).toEqual([conversation.id]);

    clock.set('2024-05-06T08:00:00Z');
    expect(await gw.automations.tick()).toMatchObject({ woken: 1, escalated: 0 });
    const woke = await sam.socket.waitFor(
      'conversation:updated',
      (p) => p.conversation.id === conversation.id && p.conversation.status === 'open',
    );
    // The customer still waits: the assignee has the full 2 minutes again from the wake-up.
    expect(woke.conversation).toMatchObject({ snoozedUntil: null, escalationDueAt: '2024-05-06T08:02:00.000Z' });
    expect(woke.conversation.awaitingReplySince).toBe('2024-05-06T07:00:00.000Z');
    const open = await gw.request('GET', '/api/conversations?status=open', { token: sam.token });
    expect(open.body.items.map((c: { id: string }) => c.id)).toContain(conversation.id);
    expect((await gw.automations.tick()).woken).toBe(0);
  });

  it('opens again at once when the customer writes, with the escalation running again', async () => {
    const iryna = await gw.online('agent', 'Ірина Бондар');
    await gw.postApi(formMessage(john, 'Hi, I will confirm the order size tomorrow.'));
    const { conversation } = await iryna.socket.waitFor('message:new');
    await snooze(iryna.token, conversation.id, '2024-05-07T06:00:00Z');

    clock.set('2024-05-06T09:30:00Z');
    await gw.postApi(formMessage(john, 'Actually, make it 40 boxes. Can you ship today?'));
    const written = await iryna.socket.waitFor('message:new', (p) => p.message.text.startsWith('Actually'));
    expect(written.conversation).toMatchObject({ status: 'open', snoozedUntil: null, escalationDueAt: '2024-05-06T09:32:00.000Z' });

    // The snooze's own time comes and finds nothing to do.
    clock.set('2024-05-07T06:00:00Z');
    expect((await gw.automations.tick()).woken).toBe(0);
    expect((await gw.request('GET', `/api/conversations/${conversation.id}`, { token: iryna.token })).body.status).toBe('open');
  });

  it('refuses a time that is not in the future and changes nothing; a manager may end a snooze early', async () => {
    const iryna = await gw.online('agent', 'Ірина Бондар');
    await gw.postApi(formMessage(marta, 'Коли буде нова партія?'));
    const { conversation } = await iryna.socket.waitFor('message:new');

    const past = await snooze(iryna.token, conversation.id, '2024-05-06T06:59:00Z');
    expect(past.status).toBe(400);
    expect(past.body.error).toMatchObject({ code: 'INBOX.BAD_INPUT' });
    expect(past.body.error.message).toMatch(/future/);
    const garbled = await snooze(iryna.token, conversation.id, 'tomorrow');
    expect(garbled.status).toBe(400);
    const unchanged = (await gw.request('GET', `/api/conversations/${conversation.id}`, { token: iryna.token })).body;
    expect(unchanged).toMatchObject({ status: 'open', snoozedUntil: null, escalationDueAt: '2024-05-06T07:02:00.000Z' });

    await snooze(iryna.token, conversation.id, '2024-05-06T10:00:00Z');
    clock.set('2024-05-06T07:30:00Z');
    const early = await gw.request('POST', `/api/conversations/${conversation.id}/unsnooze`, { token: iryna.token });
    expect(early.body).toMatchObject({ status: 'open', snoozedUntil: null, escalationDueAt: '2024-05-06T07:32:00.000Z' });
    clock.set('2024-05-06T10:00:00Z');
    expect((await gw.automations.tick()).woken).toBe(0);
  });

  it('ends the snooze when a manager replies to the customer', async () => {
    const iryna = await gw.online('agent', 'Ірина Бондар');
    await gw.postTelegram(textUpdate(olena, 'Нагадайте мені про знижку в п’ятницю.'));
    const { conversation } = await iryna.socket.waitFor('message:new');
    await snooze(iryna.token, conversation.id, '2024-05-10T06:00:00Z');

    const reply = await gw.request('POST', `/api/conversations/${conversation.id}/messages`, {
      token: iryna.token,
      json: { text: 'Добре, напишу вам у п’ятницю зранку.' },
    });
    expect(reply.status).toBe(201);
    const now = (await gw.request('GET', `/api/conversations/${conversation.id}`, { token: iryna.token })).body;
    expect(now).toMatchObject({ status: 'open', snoozedUntil: null, awaitingReplySince: null });
    clock.set('2024-05-10T06:00:00Z');
    expect((await gw.automations.tick()).woken).toBe(0);
  });
});
