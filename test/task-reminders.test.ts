import type { AlertView } from '../shared/inbox-api';
import { formMessage, marta } from './fixtures/site-form';
import { ManualClock } from './support/clock';
import { type SocketRecorder, sleep, TestGateway, type TestManager } from './support/gateway';

const env = { ESCALATION_AFTER: '7d', TASK_REMINDER_BEFORE: '15m', TASK_OVERDUE_ESCALATE_AFTER: '1h' };
type Online = TestManager & { socket: SocketRecorder };

const taskAlerts = async (gw: TestGateway, m: TestManager, taskId: string) =>
  ((await gw.request<{ items: AlertView[] }>('GET', '/api/alerts', { token: m.token })).body.items ?? [])
    .filter((a) => a.taskId === taskId)
    .map((a) => a.type)
    .reverse();
const heard = (socket: SocketRecorder, taskId: string) =>
  socket
    .of('alert')
    .filter((p) => p.alert.taskId === taskId)
    .map((p) => p.alert.type);

describe('task reminders and the overdue chain', () => {
  const clock = new ManualClock('2026-03-02T08:00:00Z');
  let gw: TestGateway;
  let supervisor: Online;
  let iryna: Online;
  const add = async (m: TestManager, json: unknown) => (await gw.request('POST', '/api/tasks', { token: m.token, json })).body.id as string;

  beforeAll(async () => {
    gw = await TestGateway.start({ env, clock: clock.now });
    supervisor = await gw.online('supervisor', 'Оксана Левченко');
    iryna = await gw.online('agent', 'Ірина Бондар');
  });
  afterAll(async () => {
    await gw.close();
  });

  it('reminds the assignee before due, tells them at due, and the supervisors an hour later', async () => {
    clock.set('2026-03-02T08:00:00Z');
    await gw.postApi(formMessage(marta, 'Доброго дня! Можна перенести мій запис на п’ятницю?'));
    const { conversation } = await iryna.socket.waitFor('message:new');
    const id = await add(iryna, {
      title: 'Підтвердити Марті новий час запису',
      dueAt: '2026-03-02T10:00:00Z',
      conversationId: conversation.id,
    });

    clock.set('2026-03-02T09:44:00Z');
    await gw.automations.tasksTick();
    expect(await taskAlerts(gw, supervisor, id)).toEqual([]);

    clock.set('2026-03-02T09:45:00Z');
    await gw.automations.tasksTick();
    const reminder = (await iryna.socket.waitFor('alert', (p) => p.alert.taskId === id)).alert;
    expect(reminder).toMatchObject({
      type: 'task_reminder',
      taskId: id,
      agentId: iryna.agent.id,
      conversationId: conversation.id,
      channel: 'api',
      detail: '“Підтвердити Марті новий час запису” (Марта Шевченко, api) is due at 2026-03-02 10:00 UTC.',
    });

    clock.set('2026-03-02T10:00:00Z');
    await gw.automations.tasksTick();
    await iryna.socket.waitFor('alert', (p) => p.alert.type === 'task_overdue' && p.alert.taskId === id);

    clock.set('2026-03-02T11:00:00Z');
    await gw.automations.tasksTick();
    const escalated = (await supervisor.socket.waitFor('alert', (p) => p.alert.type === 'task_overdue_escalated')).alert;
    expect(escalated.detail).toBe(
      'Ірина Бондар has not done “Підтвердити Марті новий час запису” (Марта Шевченко, api), due at 2026-03-02 10:00 UTC, 1 hour ago.',
    );
    await gw.automations.tasksTick();
    expect(await taskAlerts(gw, supervisor, id)).toEqual(['task_reminder', 'task_overdue', 'task_overdue_escalated']);
    expect(heard(iryna.socket, id)).toEqual(['task_reminder', 'task_overdue', 'task_overdue_escalated']);
    // The reminder and the overdue alert are the assignee's alone.
    expect(heard(supervisor.socket, id)).toEqual(['task_overdue_escalated']);
  });

  it('stops the chain of a task ticked done', async () => {
    clock.set('2026-03-03T08:00:00Z');
    const id = await add(iryna, { title: 'Замовити пломбувальний матеріал', dueAt: '2026-03-03T12:00:00Z' });
    clock.set('2026-03-03T11:50:00Z');
    await gw.automations.tasksTick();
    expect(await taskAlerts(gw, supervisor, id)).toEqual(['task_reminder']);
    await gw.request('PATCH', `/api/tasks/${id}`, { token: iryna.token, json: { done: true } });
    clock.set('2026-03-03T14:00:00Z');
    await gw.automations.tasksTick();
    expect(await taskAlerts(gw, supervisor, id)).toEqual(['task_reminder']);
    const alert = (await gw.request<{ items: AlertView[] }>('GET', '/api/alerts', { token: iryna.token })).body.items.find(
      (a) => a.taskId === id,
    );
    // A task on no conversation: its alerts name the task alone.
    expect(alert).not.toHaveProperty('conversationId');
    expect(alert).not.toHaveProperty('channel');
  });

  it('starts the chain again for a rescheduled task', async () => {
    clock.set('2026-03-04T08:00:00Z');
    const id = await add(iryna, { title: 'Call the lab about the crowns', dueAt: '2026-03-04T09:00:00Z' });
    clock.set('2026-03-04T09:00:00Z');
    await gw.automations.tasksTick();
    expect(await taskAlerts(gw, supervisor, id)).toEqual(['task_overdue']);
    await gw.request('PATCH', `/api/tasks/${id}`, { token: iryna.token, json: { dueAt: '2026-03-04T16:00:00Z' } });
    clock.set('2026-03-04T10:30:00Z');
    await gw.automations.tasksTick();
    expect(await taskAlerts(gw, supervisor, id)).toEqual(['task_overdue']);
    clock.set('2026-03-04T15:45:00Z');
    await gw.automations.tasksTick();
    clock.set('2026-03-04T16:00:00Z');
    await gw.automations.tasksTick();
    expect(await taskAlerts(gw, supervisor, id)).toEqual(['task_overdue', 'task_reminder', 'task_overdue']);
  });
});

describe('task alerts with two automations processes on one store', () => {
  it('raises each alert of the chain once however the processes race', async () => {
    const clock = new ManualClock('2026-03-02T08:00:00Z');
    const first = await TestGateway.start({ env, clock: clock.now });
    const second = await TestGateway.start({ env, clock: clock.now, database: first.database });
    try {
      const supervisor = await first.manager('supervisor', 'Оксана Левченко');
      const iryna = await first.manager('agent', 'Ірина Бондар');
      const sockets = [await first.connect(iryna.token), await second.connect(iryna.token)];
      const bosses = [await first.connect(supervisor.token), await second.connect(supervisor.token)];
      const created = await first.request('POST', '/api/tasks', {
        token: iryna.token,
        json: { title: 'Передзвонити постачальнику щодо знижки', dueAt: '2026-03-02T10:00:00Z' },
      });
      const id = created.body.id as string;
      const race = () =>
        Promise.all([
          first.automations.tasksTick(),
          second.automations.tasksTick(),
          first.automations.tasksTick(),
          second.automations.tasksTick(),
        ]);

      for (const at of ['2026-03-02T09:45:00Z', '2026-03-02T10:00:00Z', '2026-03-02T11:00:00Z']) {
        clock.set(at);
        await race();
        await sleep(400); // the recurring jobs of both processes run meanwhile too
      }
      expect(await taskAlerts(first, supervisor, id)).toEqual(['task_reminder', 'task_overdue', 'task_overdue_escalated']);
      expect(sockets.flatMap((s) => heard(s, id)).sort()).toEqual(['task_overdue', 'task_overdue_escalated', 'task_reminder']);
      expect(bosses.flatMap((s) => heard(s, id))).toEqual(['task_overdue_escalated']);
    } finally {
      await second.stop();
      await first.close();
    }
  });
});
