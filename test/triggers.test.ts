import type { LeadStageChange } from '../inbox/events';
import { InboxEvent } from '../inbox/events';
import { idFromKey } from '../inbox/store/ids';
import type { Conversation } from '../inbox/views';
import type { ConversationView } from '../shared/inbox-api';
import type { TaskView, TriggerFiringView, TriggerView } from '../shared/tasks-api';
import { formMessage, john, marta, oksana } from './fixtures/site-form';
import { ManualClock } from './support/clock';
import { eventually, type SocketRecorder, TestGateway, type TestManager } from './support/gateway';

const DAY = 24 * 3600_000;
type Online = TestManager & { socket: SocketRecorder };

describe('triggers', () => {
  const clock = new ManualClock('2026-04-06T07:00:00Z');
  let gw: TestGateway;
  let admin: Online;
  let iryna: Online;

  const addTrigger = (m: TestManager, json: unknown) => gw.request('POST', '/api/triggers', { token: m.token, json });
  const tasksOf = async (m: TestManager, query = '') =>
    (await gw.request<{ items: TaskView[] }>('GET', `/api/tasks${query}`, { token: m.token })).body.items;
  const firingsOf = async (triggerId: string) =>
    (await gw.request<{ items: TriggerFiringView[] }>('GET', `/api/triggers/${triggerId}/firings`, { token: admin.token })).body.items;
  /** The conversation as the API shows it, in the shape inbox events carry it. */
  const conversationOf = async (id: string): Promise<Conversation> => {
    const view = (await gw.request<ConversationView>('GET', `/api/conversations/${id}`, { token: admin.token })).body;
    return { ...view, lossReasonId: view.lossReasonId ?? null, lossNote: view.lossNote ?? null, snoozedUntil: view.snoozedUntil ?? null };
  };
  /** A manager moves the lead through the pipeline's route; the event the pipeline tells of it, once stored. */
  const move = async (conversationId: string, stageId: string): Promise<LeadStageChange> => {
    const told = new Promise<LeadStageChange>((resolve) => {
      const heard = (change: LeadStageChange) => {
        if (change.conversation.id !== conversationId || change.to.id !== stageId) return;
        gw.inbox.events.off(InboxEvent.LeadStageChanged, heard);
        resolve(change);
      };
      gw.inbox.events.on(InboxEvent.LeadStageChanged, heard);
    });
    const res = await gw.request('POST', `/api/conversations/${conversationId}/stage`, { token: iryna.token, json: { stageId } });
    expect(res.status).toBe(200);
    return told;
  };
  async function customerWrites(who: typeof marta, text: string): Promise<string> {
    await gw.postApi(formMessage(who, text));
    return (await admin.socket.waitFor('message:new', (p) => p.conversation.contact.name === who.name && p.message.text === text))
      .conversation.id;
  }

  beforeAll(async () => {
    // Replies to site-form customers would go to the callback: none is sent here, but the channel answers.
    gw = await TestGateway.start({
      clock: clock.now,
      env: { ESCALATION_AFTER: '30d', API_CHANNEL_CALLBACK_URL: 'http://127.0.0.1:9/inbox-replies' },
    });
    admin = await gw.online('admin', 'Олег Адміненко');
    iryna = await gw.online('agent', 'Ірина Бондар');
  });
  afterAll(async () => {
    await gw.close();
  });

  it('is kept by supervisors and admins: an agent may list them but not add one, and a bad one is refused', async () => {
    const wonReview = {
      name: 'Виграно → попросити відгук',
      on: { kind: 'stage_changed', toStageId: 'won' },
      action: { kind: 'create_task', title: 'Попросити відгук про покупку', dueInMs: DAY, assignTo: 'assignee' },
    };
    expect((await addTrigger(iryna, wonReview)).status).toBe(403);
    expect((await addTrigger(admin, { ...wonReview, on: { kind: 'birthday' } })).status).toBe(400);
    const noSuchAgent = await addTrigger(admin, { ...wonReview, action: { ...wonReview.action, assignTo: 'c'.repeat(24) } });
    expect(noSuchAgent.status).toBe(404);
    expect((await gw.request('GET', '/api/triggers', { token: iryna.token })).body.items).toEqual([]);

    const created = await addTrigger(admin, wonReview);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...wonReview, active: true, createdBy: admin.agent.id });
    const off = await gw.request('PATCH', `/api/triggers/${created.body.id}`, { token: admin.token, json: { active: false } });
    expect(off.body.active).toBe(false);
    expect((await gw.request('PATCH', `/api/triggers/${created.body.id}`, { token: iryna.token, json: { active: true } })).status).toBe(
      403,
    );
    const on = await gw.request('PATCH', `/api/triggers/${created.body.id}`, { token: admin.token, json: { active: true } });
    expect(on.body.active).toBe(true);
    expect((await gw.request<{ items: TriggerView[] }>('GET', '/api/triggers', { token: iryna.token })).body.items).toEqual([on.body]);
  });

  it('makes a task for the assignee when a lead is won, once however often the move is told', async () => {
    const [trigger] = (await gw.request<{ items: TriggerView[] }>('GET', '/api/triggers', { token: admin.token })).body.items;
    if (!trigger) throw new Error('no trigger');
    const conversationId = await customerWrites(marta, 'Дякую, беру крісло «Оксфорд» у сірому кольорі!');
    expect((await conversationOf(conversationId)).assigneeId).toBe(iryna.agent.id);

    await move(conversationId, 'proposal');
    const won = await move(conversationId, 'won');
    const told = await iryna.socket.waitFor('task:created');
    expect(told.task).toMatchObject({
      title: 'Попросити відгук про покупку',
      assigneeId: iryna.agent.id,
      conversationId,
      triggerId: trigger.id,
      createdBy: null,
      dueAt: new Date(clock.now().getTime() + DAY).toISOString(),
    });
    gw.inbox.events.emit(InboxEvent.LeadStageChanged, won);
    await eventually(
      async () => (await firingsOf(trigger.id)).every((f) => f.state === 'done') && (await firingsOf(trigger.id)).length === 1,
    );
    expect(await tasksOf(iryna, `?conversationId=${conversationId}`)).toEqual([told.task]);
    expect(await firingsOf(trigger.id)).toEqual([expect.objectContaining({ state: 'done', taskId: told.task.id, conversationId })]);
  });

  it('makes a task on a loss for the reason it names only', async () => {
    const reasons = (await gw.request('GET', '/api/loss-reasons', { token: admin.token })).body.items as { id: string; label: string }[];
    const price = reasons.find((r) => r.label === 'Ціна');
    const competitor = reasons.find((r) => r.label === 'Обрали конкурента');
    if (!price || !competitor) throw new Error('no seeded reasons');
    const created = await addTrigger(admin, {
      name: 'Втрачено через ціну → запропонувати знижку',
      on: { kind: 'lost', lossReasonId: price.id },
      action: { kind: 'create_task', title: 'Запропонувати знижку 10%', dueInMs: 2 * DAY, assignTo: admin.agent.id },
    });
    const lostOnPrice = await customerWrites(oksana, 'Дорого, я подумаю.');
    await gw.request('POST', `/api/conversations/${lostOnPrice}/status`, {
      token: iryna.token,
      json: { status: 'resolved', outcome: 'lost', lossReasonId: price.id },
    });
    const lostToRival = await customerWrites(john, 'I went with another shop, thanks.');
    await gw.request('POST', `/api/conversations/${lostToRival}/status`, {
      token: iryna.token,
      json: { status: 'resolved', outcome: 'lost', lossReasonId: competitor.id },
    });

    const told = await admin.socket.waitFor('task:created', (p) => p.task.triggerId === created.body.id);
    expect(told.task).toMatchObject({ title: 'Запропонувати знижку 10%', assigneeId: admin.agent.id, conversationId: lostOnPrice });
    expect(await firingsOf(created.body.id)).toEqual([expect.objectContaining({ conversationId: lostOnPrice, state: 'done' })]);
  });

  it('finishes a firing whose process died before acting, and a later telling of that move makes nothing more', async () => {
    const trigger = (
      await addTrigger(admin, {
        name: 'Кваліфіковано → надіслати пропозицію',
        on: { kind: 'stage_changed', fromStageId: 'contacted', toStageId: 'qualified' },
        action: { kind: 'create_task', title: 'Надіслати комерційну пропозицію', dueInMs: 4 * 3600_000, assignTo: 'assignee' },
      })
    ).body as TriggerView;
    const conversationId = await customerWrites(marta, 'А можна ще й пуфик до крісла?');
    const at = new Date('2026-04-06T07:30:00Z');
    const conversation = await conversationOf(conversationId);
    // What the firing's record leaves when the process dies before its action: pending, its lease running.
    const key = `move:${conversationId}:contacted>qualified@${at.getTime()}`;
    await gw.inbox.store.firings.record({
      id: idFromKey(`firing:${trigger.id}:${key}`),
      triggerId: trigger.id,
      key,
      conversationId,
      contactId: conversation.contact.id,
      state: 'pending',
      retryAt: new Date(clock.now().getTime() + 60_000),
      attempts: 1,
      taskId: null,
      messageId: null,
      reason: null,
      firedAt: clock.now(),
      finishedAt: null,
    });
    await gw.automations.tasksTick();
    expect(await firingsOf(trigger.id)).toEqual([expect.objectContaining({ state: 'pending' })]);

    clock.advance(61_000);
    // This pass finishes it, or the recurring job's pass that ran first (both read the same clock).
    await gw.automations.tasksTick();
    const [task] = (await tasksOf(iryna, `?conversationId=${conversationId}`)).filter((t) => t.triggerId === trigger.id);
    expect(task).toMatchObject({ title: 'Надіслати комерційну пропозицію', assigneeId: iryna.agent.id });
    gw.inbox.events.emit(InboxEvent.LeadStageChanged, {
      conversation,
      contactId: conversation.contact.id,
      from: { id: 'contacted', kind: 'open' },
      to: { id: 'qualified', kind: 'open' },
      byAgentId: iryna.agent.id,
      at,
    });
    await gw.automations.tasksTick();
    expect((await tasksOf(iryna, `?conversationId=${conversationId}`)).filter((t) => t.triggerId === trigger.id)).toHaveLength(1);
    expect(await firingsOf(trigger.id)).toEqual([expect.objectContaining({ state: 'done', taskId: task?.id })]);
  });

  it('makes a task when a customer has been quiet for N days, once per quiet stretch', async () => {
    clock.set('2026-04-10T09:00:00Z');
    const trigger = (
      await addTrigger(admin, {
        name: 'Мовчить 3 дні → нагадати',
        on: { kind: 'inactive', days: 3 },
        action: { kind: 'create_task', title: 'Нагадати про себе клієнту', dueInMs: 3600_000, assignTo: 'assignee' },
      })
    ).body as TriggerView;
    const quiet = { externalId: 'form-halyna', name: 'Галина Ткач', email: 'halyna@example.com' };
    const conversationId = await customerWrites(quiet, 'Скільки коштує доставка до Львова?');
    const quietTasks = async () => (await tasksOf(admin, `?conversationId=${conversationId}`)).filter((t) => t.triggerId === trigger.id);

    clock.set('2026-04-13T08:59:00Z');
    await gw.automations.sweepTriggers();
    expect(await quietTasks()).toEqual([]);
    clock.set('2026-04-13T09:01:00Z');
    await gw.automations.sweepTriggers();
    await gw.automations.sweepTriggers();
    expect(await quietTasks()).toEqual([expect.objectContaining({ title: 'Нагадати про себе клієнту', assigneeId: iryna.agent.id })]);

    clock.set('2026-04-14T10:00:00Z');
    await customerWrites(quiet, 'Я ще тут, просто думала.');
    clock.set('2026-04-17T10:01:00Z');
    await gw.automations.sweepTriggers();
    expect(await quietTasks()).toHaveLength(2);
  });

  it('fires a renewal trigger N days before the contact’s renewal date, once per date, and moves with the date', async () => {
    clock.set('2026-05-01T09:00:00Z');
    const trigger = (
      await addTrigger(admin, {
        name: 'Продовження абонемента за 7 днів',
        on: { kind: 'renewal', daysBefore: 7 },
        action: { kind: 'create_task', title: 'Запропонувати продовжити абонемент', dueInMs: DAY, assignTo: 'assignee' },
      })
    ).body as TriggerView;
    const member = { externalId: 'form-dmytro', name: 'Дмитро Савчук', email: 'dmytro@example.com' };
    const conversationId = await customerWrites(member, 'Хочу дізнатися про свій абонемент у спортзал.');
    const contactId = (await conversationOf(conversationId)).contact.id;
    const renewalTasks = async () => (await tasksOf(admin, `?contactId=${contactId}`)).filter((t) => t.triggerId === trigger.id);

    const set = await gw.request('PATCH', `/api/contacts/${contactId}`, {
      token: iryna.token,
      json: { renewalAt: '2026-06-01T00:00:00+03:00' },
    });
    expect(set.body).toEqual({ id: contactId, renewalAt: '2026-05-31T21:00:00.000Z' });
    expect((await gw.request('GET', `/api/conversations/${conversationId}/contact`, { token: iryna.token })).body.renewalAt).toBe(
      '2026-05-31T21:00:00.000Z',
    );
    expect((await gw.request('PATCH', `/api/contacts/${contactId}`, { token: iryna.token, json: { renewalAt: 'червень' } })).status).toBe(
      400,
    );

    clock.set('2026-05-24T20:00:00Z');
    await gw.automations.sweepTriggers();
    expect(await renewalTasks()).toEqual([]);
    clock.set('2026-05-24T21:00:00Z');
    await gw.automations.sweepTriggers();
    await gw.automations.sweepTriggers();
    expect(await renewalTasks()).toHaveLength(1);

    // Renewed for a month more: the next date gets its own task when its turn comes, and only then.
    await gw.request('PATCH', `/api/contacts/${contactId}`, { token: iryna.token, json: { renewalAt: '2026-06-10T09:00:00Z' } });
    await gw.automations.sweepTriggers();
    expect(await renewalTasks()).toHaveLength(1);
    clock.set('2026-06-03T09:00:00Z');
    await gw.automations.sweepTriggers();
    expect(await renewalTasks()).toHaveLength(2);
  });

  it('skips a template on a channel without approved templates, saying why, and sends no free text instead', async () => {
    clock.set('2026-06-05T09:00:00Z');
    const trigger = (
      await addTrigger(admin, {
        name: 'Виграно → подякувати шаблоном',
        on: { kind: 'stage_changed', toStageId: 'won' },
        action: { kind: 'send_template', template: { name: 'thank_you', language: 'uk', params: [] } },
      })
    ).body as TriggerView;
    const conversationId = await customerWrites({ externalId: 'form-vira', name: 'Віра Поліщук' }, 'Оплатила, чекаю доставку.');
    await move(conversationId, 'won');
    const [firing] = await eventually(async () => {
      const found = await firingsOf(trigger.id);
      return found.length && found[0]?.state !== 'pending' ? found : null;
    });
    expect(firing).toMatchObject({
      state: 'skipped',
      messageId: null,
      reason: 'the api channel sends no approved templates, and free text may not stand in for one',
    });
    const messages = (await gw.request('GET', `/api/conversations/${conversationId}/messages`, { token: admin.token })).body.items;
    expect(messages.filter((m: { direction: string }) => m.direction === 'out')).toEqual([]);
  });

  it('fires, from the stored moves, the triggers of a move whose process stopped before they fired, once', async () => {
    clock.set('2026-06-06T09:00:00Z');
    const trigger = (
      await addTrigger(admin, {
        name: 'Кваліфіковано → підготувати пропозицію',
        on: { kind: 'stage_changed', toStageId: 'qualified' },
        action: { kind: 'create_task', title: 'Підготувати комерційну пропозицію', dueInMs: DAY, assignTo: admin.agent.id },
      })
    ).body as TriggerView;
    const conversationId = await customerWrites({ externalId: 'form-roman', name: 'Роман Гуменюк' }, 'Потрібно 40 стільців для кафе.');
    // As if the process that moved the lead died right after storing the move: nothing in it hears the move.
    const listeners = gw.inbox.events.listeners(InboxEvent.LeadStageChanged);
    gw.inbox.events.removeAllListeners(InboxEvent.LeadStageChanged);
    const res = await gw.request('POST', `/api/conversations/${conversationId}/stage`, {
      token: iryna.token,
      json: { stageId: 'qualified' },
    });
    for (const listener of listeners) gw.inbox.events.on(InboxEvent.LeadStageChanged, listener);
    expect(res.status).toBe(200);
    expect(await firingsOf(trigger.id)).toEqual([]);

    clock.advance(2 * 60_000);
    await gw.automations.sweepTriggers();
    await gw.automations.sweepTriggers();
    expect(await firingsOf(trigger.id)).toEqual([expect.objectContaining({ conversationId, state: 'done' })]);
    expect((await tasksOf(admin, `?conversationId=${conversationId}`)).map((t) => t.title)).toEqual(['Підготувати комерційну пропозицію']);
  });
});
