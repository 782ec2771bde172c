import type { TaskView } from '../shared/tasks-api';
import { formMessage, john, marta } from './fixtures/site-form';
import { ManualClock } from './support/clock';
import { type SocketRecorder, TestGateway, type TestManager } from './support/gateway';

type Online = TestManager & { socket: SocketRecorder };

describe('tasks', () => {
  const clock = new ManualClock('2026-03-02T08:00:00Z');
  let gw: TestGateway;
  let supervisor: Online;
  let iryna: Online;
  let taras: TestManager;
  let tarasSocket: SocketRecorder;
  let martaConversation: string;
  let martaContact: string;

  const list = async (m: TestManager, query = '') => {
    const res = await gw.request<{ items: TaskView[]; nextCursor: string | null }>('GET', `/api/tasks${query}`, { token: m.token });
    if (res.status !== 200) throw new Error(`GET /api/tasks${query}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const add = (m: TestManager, json: unknown) => gw.request('POST', '/api/tasks', { token: m.token, json });
  const change = (m: TestManager, id: string, json: unknown) => gw.request('PATCH', `/api/tasks/${id}`, { token: m.token, json });

  beforeAll(async () => {
    // Nobody answers Марта here: her conversation must stay Ірина's rather than pass on while the clock moves.
    gw = await TestGateway.start({ clock: clock.now, env: { ESCALATION_AFTER: '7d' } });
    supervisor = await gw.online('supervisor', 'Оксана Левченко');
    iryna = await gw.online('agent', 'Ірина Бондар');
    await gw.postApi(formMessage(marta, 'Добрий день! Хочу записатися на чистку зубів у четвер.'));
    const { conversation } = await iryna.socket.waitFor('message:new');
    martaConversation = conversation.id;
    martaContact = conversation.contact.id;
    taras = await gw.manager('agent', 'Тарас Мельник');
    tarasSocket = await gw.connect(taras.token);
  });
  afterAll(async () => {
    await gw.close();
  });

  it('adds a task on a conversation, told live to its assignee and the supervisors but not to other agents', async () => {
    const added = await add(iryna, {
      title: 'Передзвонити Марті щодо запису',
      dueAt: '2026-03-02T12:00:00+02:00',
      conversationId: martaConversation,
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      title: 'Передзвонити Марті щодо запису',
      dueAt: '2026-03-02T10:00:00.000Z',
      assigneeId: iryna.agent.id,
      conversationId: martaConversation,
      contactId: martaContact,
      createdBy: iryna.agent.id,
      doneAt: null,
      overdue: false,
    });
    const told = await supervisor.socket.waitFor('task:created', (p) => p.task.id === added.body.id);
    expect(told.task).toEqual(added.body);
    expect((await iryna.socket.waitFor('task:created')).task.id).toBe(added.body.id);
    expect(tarasSocket.of('task:created')).toEqual([]);
  });

  it('lists a manager’s own tasks by due time, a page at a time, and a conversation’s tasks', async () => {
    await add(iryna, { title: 'Надіслати прайс на відбілювання', dueAt: '2026-03-02T09:00:00Z', conversationId: martaConversation });
    await add(iryna, { title: 'Підготувати звіт за тиждень', dueAt: '2026-03-03T15:00:00Z' });
    const first = await list(iryna, '?limit=2');
    expect(first.items.map((t) => t.title)).toEqual(['Надіслати прайс на відбілювання', 'Передзвонити Марті щодо запису']);
    expect(first.nextCursor).not.toBeNull();
    const second = await list(iryna, `?limit=2&cursor=${first.nextCursor}`);
    expect(second).toEqual({
      items: [expect.objectContaining({ title: 'Підготувати звіт за тиждень', conversationId: null })],
      nextCursor: null,
    });

    const onMarta = await list(supervisor, `?conversationId=${martaConversation}`);
    expect(onMarta.items.map((t) => t.title)).toEqual(['Надіслати прайс на відбілювання', 'Передзвонити Марті щодо запису']);
    expect((await list(supervisor, `?contactId=${martaContact}`)).items).toEqual(onMarta.items);
  });

  it('shows the open tasks past their due time as overdue', async () => {
    clock.set('2026-03-02T09:30:00Z');
    const overdue = await list(iryna, '?status=overdue');
    expect(overdue.items).toEqual([expect.objectContaining({ title: 'Надіслати прайс на відбілювання', overdue: true })]);
    expect((await list(iryna, '?status=open')).items).toHaveLength(3);
  });

  it('keeps another agent’s task on a conversation they may not work on out of their sight, changing nothing', async () => {
    const [task] = (await list(iryna, '?status=overdue')).items;
    if (!task) throw new Error('no task');
    expect((await gw.request('GET', `/api/tasks/${task.id}`, { token: taras.token })).status).toBe(404);
    expect((await change(taras, task.id, { done: true })).status).toBe(404);
    expect((await gw.request('DELETE', `/api/tasks/${task.id}`, { token: taras.token })).status).toBe(404);
    const refused = await gw.request('GET', `/api/tasks?conversationId=${martaConversation}`, { token: taras.token });
    expect(refused.status).toBe(403);
    expect((await gw.request('GET', `/api/tasks?assigneeId=${iryna.agent.id}`, { token: taras.token })).status).toBe(403);
    expect((await list(taras)).items).toEqual([]);
    expect((await gw.request('GET', `/api/tasks/${task.id}`, { token: iryna.token })).body).toEqual(task);
  });

  it('ticks a task done and hands another over, each change told to whoever it concerns', async () => {
    const [price, call] = (await list(iryna, `?conversationId=${martaConversation}`)).items;
    if (!price || !call) throw new Error('no tasks');
    const done = await change(iryna, price.id, { done: true });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ doneAt: '2026-03-02T09:30:00.000Z', overdue: false });
    expect((await supervisor.socket.waitFor('task:updated', (p) => p.task.id === price.id)).task.doneAt).not.toBeNull();
    expect((await list(iryna, '?status=done')).items.map((t) => t.id)).toEqual([price.id]);

    const handed = await change(supervisor, call.id, { assigneeId: taras.agent.id, dueAt: '2026-03-02T14:00:00Z' });
    expect(handed.body).toMatchObject({ assigneeId: taras.agent.id, dueAt: '2026-03-02T14:00:00.000Z' });
    expect((await tarasSocket.waitFor('task:updated', (p) => p.task.id === call.id)).task.assigneeId).toBe(taras.agent.id);
    expect((await iryna.socket.waitFor('task:updated', (p) => p.task.id === call.id)).task.assigneeId).toBe(taras.agent.id);
    expect((await list(taras)).items.map((t) => t.title)).toEqual(['Передзвонити Марті щодо запису']);
  });

  it('refuses a task with bad input, an unknown conversation or another agent as assignee off their conversations', async () => {
    const before = await list(supervisor);
    const empty = await add(iryna, { title: '  ', dueAt: '2026-03-04T10:00:00Z' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('INBOX.BAD_INPUT');
    expect((await add(iryna, { title: 'Зателефонувати', dueAt: 'завтра' })).status).toBe(400);
    expect((await add(iryna, { title: 'Call back', dueAt: '2026-03-04T10:00:00Z', conversationId: 'a'.repeat(24) })).status).toBe(404);
    const toOther = await add(taras, { title: 'Do my job', dueAt: '2026-03-04T10:00:00Z', assigneeId: iryna.agent.id });
    expect(toOther.status).toBe(403);
    expect((await add(supervisor, { title: 'Call back', dueAt: '2026-03-04T10:00:00Z', assigneeId: 'b'.repeat(24) })).status).toBe(404);
    expect((await change(iryna, before.items[0]?.id ?? '', { title: '' })).status).toBe(400);
    expect(await list(supervisor)).toEqual(before);
  });

  it('adds a task on a contact and deletes it, told live', async () => {
    await gw.postApi(formMessage(john, 'Hello, my order 5512 never arrived.'));
    const { conversation } = await supervisor.socket.waitFor('message:new', (p) => p.conversation.contact.name === 'John Carter');
    const added = await add(supervisor, {
      title: 'Check the courier’s tracking for John',
      dueAt: '2026-03-05T10:00:00Z',
      contactId: conversation.contact.id,
    });
    expect(added.body).toMatchObject({
      contactId: conversation.contact.id,
      conversationId: conversation.id,
      assigneeId: supervisor.agent.id,
    });
    const deleted = await gw.request('DELETE', `/api/tasks/${added.body.id}`, { token: supervisor.token });
    expect(deleted.status).toBe(204);
    expect((await supervisor.socket.waitFor('task:deleted')).task.id).toBe(added.body.id);
    expect((await gw.request('GET', `/api/tasks/${added.body.id}`, { token: supervisor.token })).status).toBe(404);
  });
});
