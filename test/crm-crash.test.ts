import type { CampaignView } from '../shared/customers-api';
import type { LeadAnswer } from '../shared/pipeline-api';
import type { TaskView, TriggerFiringView, TriggerView } from '../shared/tasks-api';
import { textUpdate } from './fixtures/telegram';
import { ManualClock } from './support/clock';
import { eventually, TestGateway, type TestManager } from './support/gateway';
import { answerOrNothing, type GatewayProcess, gatewayProcessPerTest, within } from './support/gateway-process';
import type { CommandPredicate, WireCommand } from './support/wire-tap';

/**
 * The CRM's multi-step writes under a real crash: the gateway process is frozen at a chosen store command of a
 * stage move, a campaign pass or a trigger firing, SIGKILLed there and restarted over the same store. What the dead
 * process had begun is then finished by the automations' passes, once, as the managers' API shows it.
 */

const DAY = 24 * 60 * 60_000;
const docsOf = (c: WireCommand) => c.documents.documents ?? [];

/** The guarded write that puts a move on its lead (kept there as `pendingMove` until the move's own record). */
const leadMovedTo =
  (stageId: string): CommandPredicate =>
  (c) =>
    c.name === 'findAndModify' && c.collection === 'leads' && c.body.update?.$set?.pendingMove?.to === stageId;
/** The move's own record, which the funnel figures and the triggers' catch-up read. */
const moveStoredTo =
  (stageId: string): CommandPredicate =>
  (c) =>
    c.name === 'insert' && c.collection === 'stage_moves' && docsOf(c).some((d) => d.to === stageId);
/** A lead's first answer, written with its flag for the funnel's mark (the lead was moved on before anyone answered). */
const firstAnswerWritten: CommandPredicate = (c) =>
  c.name === 'findAndModify' && c.collection === 'leads' && c.body.update?.$set?.contactPending === true;
/** A trigger's firing recorded, pending, before its action runs. */
const firingRecordedFor =
  (triggerId: string): CommandPredicate =>
  (c) =>
    c.name === 'insert' && c.collection === 'trigger_firings' && docsOf(c).some((d) => String(d.triggerId) === triggerId);
/** A campaign's message to one customer, stored `queued`. */
const campaignMessageStored =
  (text: string): CommandPredicate =>
  (c) =>
    c.name === 'insert' &&
    c.collection === 'messages' &&
    docsOf(c).some((d) => String(d.dedupeKey).startsWith('campaign:') && d.text === text);

interface Customer {
  id: number;
  is_bot: false;
  first_name: string;
  last_name: string;
  username: string;
  language_code: string;
}
let nextCustomer = 380_931_000_100;
const customer = (first_name: string, last_name: string, username: string, language_code = 'uk'): Customer => ({
  id: nextCustomer++,
  is_bot: false,
  first_name,
  last_name,
  username,
  language_code,
});

describe('a gateway killed in the middle of a CRM write', () => {
  const crash = gatewayProcessPerTest();

  /** The customer writes on Telegram; their conversation's id, once their lead has started. */
  async function customerWrites(gw: GatewayProcess, manager: TestManager, who: Customer, text: string): Promise<string> {
    expect((await gw.postTelegram(textUpdate(who, text))).status).toBe(200);
    const list = await gw.request('GET', '/api/conversations?limit=200', { token: manager.token });
    const id = list.body.items.find((c: { contact: { name: string } }) => c.contact.name.startsWith(who.first_name))?.id;
    if (!id) throw new Error(`no conversation of ${who.first_name}`);
    await eventually(async () => (await leadOf(gw, manager, id)).lead?.stageId === 'new');
    return id;
  }
  const leadOf = async (gw: GatewayProcess, manager: TestManager, conversationId: string) =>
    (await gw.request<LeadAnswer>('GET', `/api/conversations/${conversationId}/lead`, { token: manager.token })).body;
  /** A manager moves the lead; not awaited first, since the kill point may be inside this very request. */
  const moveLead = (gw: GatewayProcess, manager: TestManager, conversationId: string, stageId: string) =>
    answerOrNothing(gw.request('POST', `/api/conversations/${conversationId}/stage`, { token: manager.token, json: { stageId } }));
  const tasksOf = async (gw: GatewayProcess, manager: TestManager, conversationId: string) =>
    (await gw.request<{ items: TaskView[] }>('GET', `/api/tasks?conversationId=${conversationId}`, { token: manager.token })).body.items;
  const firingsOf = async (gw: GatewayProcess, admin: TestManager, triggerId: string) =>
    (await gw.request<{ items: TriggerFiringView[] }>('GET', `/api/triggers/${triggerId}/firings`, { token: admin.token })).body.items;
  const addTaskTrigger = async (gw: GatewayProcess, admin: TestManager, json: unknown) => {
    const created = await gw.request<TriggerView>('POST', '/api/triggers', { token: admin.token, json });
    expect(created.status).toBe(201);
    return created.body;
  };
  /** A trigger, a customer's new lead, and the gateway killed at `killAt` while the manager moves the lead on. */
  async function killedMovingLead(
    gw: GatewayProcess,
    manager: TestManager,
    scene: { trigger: unknown; who: Customer; text: string; to: string; killAt: (trigger: TriggerView) => CommandPredicate; what: string },
  ): Promise<{ trigger: TriggerView; id: string }> {
    const trigger = await addTaskTrigger(gw, manager, scene.trigger);
    const id = await customerWrites(gw, manager, scene.who, scene.text);
    const held = crash.tap.holdAnswer(scene.killAt(trigger), { label: scene.what });
    const moved = moveLead(gw, manager, id, scene.to);
    await within(held, 15_000, `never reached: ${scene.what}`);
    await gw.kill();
    await moved;
    await gw.restart();
    return { trigger, id };
  }
  /** The tasks the trigger made on the conversation, once there is one. */
  const triggerTasks = (gw: GatewayProcess, manager: TestManager, id: string, triggerId: string) =>
    eventually(async () => {
      const found = (await tasksOf(gw, manager, id)).filter((t) => t.triggerId === triggerId);
      return found.length ? found : undefined;
    }, 15_000);

  it('stores a stage move whose process died between the lead and the move’s record: in the history and the funnel once', async () => {
    const gw = await crash.start({ env: { PIPELINE_REPAIR_INTERVAL: '1s' } });
    const supervisor = await gw.manager('supervisor', 'Оксана Мельник');
    const olha = customer('Ольга', 'Савчук', 'olha_savchuk');
    const id = await customerWrites(gw, supervisor, olha, 'Добрий день! Потрібен диван «Верона» у сірому, є в наявності?');

    const applied = crash.tap.holdAnswer(leadMovedTo('qualified'), { label: 'the lead’s move to qualified' });
    const moved = moveLead(gw, supervisor, id, 'qualified');
    await within(applied, 15_000, 'the lead’s move was never written');
    await gw.kill();
    expect((await moved).status).toBe(0);
    await gw.restart();

    // Read only the figures until the repair pass has run: reading the lead would settle its move on the way.
    const funnel = async () => {
      const res = await gw.request('GET', '/api/metrics/funnel?channel=telegram', { token: supervisor.token });
      const stages = res.body.items?.[0]?.stages ?? [];
      return Object.fromEntries(stages.map((s: { stageId: string }) => [s.stageId, s])) as Record<
        string,
        { entered: number; toNext: number }
      >;
    };
    const figures = await eventually(async () => {
      const f = await funnel();
      return f.qualified?.entered ? f : undefined;
    }, 15_000);
    expect({ new: figures.new, qualified: figures.qualified }).toMatchObject({
      new: { entered: 1, toNext: 1 },
      qualified: { entered: 1 },
    });
    const { lead, moves } = await leadOf(gw, supervisor, id);
    expect(lead?.stageId).toBe('qualified');
    expect(moves.map((m) => `${m.from}→${m.to} by ${m.byAgentId}`)).toEqual([
      'null→new by null',
      `new→qualified by ${supervisor.agent.id}`,
    ]);
    expect((await funnel()).qualified).toMatchObject({ entered: 1 });
  }, 120_000);

  it('counts a first answer whose process died before marking the funnel’s hour: the lead is contacted in the figures', async () => {
    const gw = await crash.start({ env: { PIPELINE_REPAIR_INTERVAL: '1s' } });
    const supervisor = await gw.manager('supervisor', 'Оксана Мельник');
    const id = await customerWrites(gw, supervisor, customer('Ірина', 'Ткачук', 'iryna_tk'), 'Чи можна оформити розстрочку на диван?');
    // Moved on before anyone answers: the answer then only notes the lead contacted, it moves nothing.
    expect((await moveLead(gw, supervisor, id, 'qualified')).status).toBe(200);
    const entered = new Date((await leadOf(gw, supervisor, id)).moves[0]?.at ?? Date.now()).getTime();
    const hour = Math.floor(entered / 3_600_000) * 3_600_000;
    // The whole hour, read from its tally once the repair pass has counted it.
    const neverContacted = async () => {
      const from = new Date(hour).toISOString();
      const to = new Date(hour + 3_600_000).toISOString();
      const res = await gw.request('GET', `/api/metrics/funnel?from=${from}&to=${to}&channel=telegram`, { token: supervisor.token });
      return res.body.items?.[0]?.neverContacted as number | undefined;
    };
    await eventually(async () => (await neverContacted()) === 1, 15_000);
    // Passes every second: by now the hour is counted, the lead never contacted in it.
    await new Promise((r) => setTimeout(r, 2_500));

    const written = crash.tap.holdAnswer(firstAnswerWritten, { label: 'the lead’s first answer' });
    const reply = gw.request('POST', `/api/conversations/${id}/messages`, {
      token: supervisor.token,
      json: { text: 'Так, розстрочка на 6 місяців без переплати. Надіслати умови?' },
    });
    await within(written, 15_000, 'the first answer never reached the lead');
    await gw.kill();
    await answerOrNothing(reply);
    await gw.restart();

    await eventually(async () => (await neverContacted()) === 0, 15_000);
    expect((await leadOf(gw, supervisor, id)).lead?.contactedAt).toBeTruthy();
  }, 120_000);

  it('takes over a campaign pass whose process died mid-way: every customer gets one message, and the progress adds up', async () => {
    const text = 'Ми сумуємо! Знижка 15% на весняну колекцію до неділі: shop.example/sale';
    const gw = await crash.start({ env: { CAMPAIGN_REPAIR_AFTER: '2s' } });
    const supervisor = await gw.manager('supervisor', 'Оксана Левченко');
    const customers = [
      customer('Марина', 'Бойко', 'maryna_boiko'),
      customer('Тетяна', 'Гнатюк', 'tetiana_h'),
      customer('Emma', 'Walsh', 'emma_walsh', 'en'),
      customer('Василь', 'Кравець', 'vasyl_kr'),
    ];
    // Their last messages were forty days ago: another gateway process on the same store took them then.
    const then = new ManualClock(new Date(Date.now() - 40 * DAY));
    const earlier = await TestGateway.start({ clock: then.now, database: gw.database });
    for (const c of customers) {
      expect((await earlier.postTelegram(textUpdate(c, 'Чи будуть знижки на весняну колекцію?'))).status).toBe(200);
      then.advance(60_000);
    }
    await earlier.stop();

    const queued = crash.tap.holdAnswer(campaignMessageStored(text), { label: 'the first campaign message stored' });
    const created = await gw.request<CampaignView>('POST', '/api/campaigns', {
      token: supervisor.token,
      json: {
        name: 'Весна: повернути тихих',
        filter: { inactiveDays: 30, channel: 'telegram' },
        // Telegram has no approved templates: its customers get the text.
        template: { name: 'spring_sale', language: 'uk' },
        text,
      },
    });
    // The held send keeps its connection; the request goes on others, so the campaign is stored whole before the kill.
    expect(created.body).toMatchObject({ status: 'sending', total: 4 });
    await within(queued, 15_000, 'no campaign message was stored');
    await gw.kill();
    const sentBeforeKill = gw.telegram.callsTo('sendMessage').filter((c) => c.body.text === text).length;
    await gw.restart();

    const progress = await eventually(async () => {
      const view = (await gw.request<CampaignView>('GET', `/api/campaigns/${created.body.id}`, { token: supervisor.token })).body;
      return view.status === 'done' ? view : undefined;
    }, 20_000);
    expect(progress).toMatchObject({ total: 4, pending: 0, sent: 4, failed: 0 });
    expect(Object.values(progress.skipped).every((n) => n === 0)).toBe(true);
    const sends = await eventually(async () => {
      const calls = gw.telegram.callsTo('sendMessage').filter((c) => c.body.text === text);
      return calls.length >= customers.length ? calls : undefined;
    }, 15_000);
    process.stderr.write(`[crm-crash] campaign: ${sentBeforeKill} of ${customers.length} sent before the kill\n`);
    expect(sends.map((c) => Number(c.body.chat_id)).sort()).toEqual(customers.map((c) => c.id).sort());

    const list = await gw.request('GET', '/api/conversations?limit=200', { token: supervisor.token });
    for (const c of customers) {
      const conversation = list.body.items.find((v: { contact: { name: string } }) => v.contact.name.startsWith(c.first_name));
      const history = await gw.request('GET', `/api/conversations/${conversation?.id}/messages`, { token: supervisor.token });
      const campaign = history.body.items.filter((m: { text: string }) => m.text === text);
      expect({ who: c.first_name, statuses: campaign.map((m: { status: string }) => m.status) }).toEqual({
        who: c.first_name,
        statuses: ['sent'],
      });
    }
  }, 120_000);

  it('finishes a trigger firing whose process died after recording it, before its task: one task', async () => {
    const gw = await crash.start({ env: { TRIGGER_REPAIR_AFTER: '2s' } });
    const oksana = await gw.manager('supervisor', 'Оксана Мельник');
    const { trigger, id } = await killedMovingLead(gw, oksana, {
      trigger: {
        name: 'Кваліфіковано → надіслати пропозицію',
        on: { kind: 'stage_changed', toStageId: 'qualified' },
        action: { kind: 'create_task', title: 'Надіслати комерційну пропозицію', dueInMs: 4 * 3600_000, assignTo: 'assignee' },
      },
      who: customer('Dmytro', 'Koval', 'dmytro_koval', 'en'),
      text: 'Hi, I need 12 office chairs, can you quote?',
      to: 'qualified',
      killAt: (t) => firingRecordedFor(t.id),
      what: 'the firing of the qualified trigger',
    });

    const [firing] = await eventually(async () => {
      const found = await firingsOf(gw, oksana, trigger.id);
      return found.length && found.every((f) => f.state === 'done') ? found : undefined;
    }, 15_000);
    const tasks = (await tasksOf(gw, oksana, id)).filter((t) => t.triggerId === trigger.id);
    expect(tasks).toEqual([
      expect.objectContaining({
        id: firing?.taskId,
        title: 'Надіслати комерційну пропозицію',
        assigneeId: oksana.agent.id,
        conversationId: id,
      }),
    ]);
    expect(await firingsOf(gw, oksana, trigger.id)).toHaveLength(1);
  }, 120_000);

  it('fires the triggers of a stored move whose process died before they fired, once, from the sweep’s catch-up', async () => {
    const gw = await crash.start({ env: { TRIGGER_SWEEP_INTERVAL: '1s', TRIGGER_REPAIR_AFTER: '2s', PIPELINE_REPAIR_INTERVAL: '1s' } });
    const oksana = await gw.manager('supervisor', 'Оксана Мельник');
    const { trigger, id } = await killedMovingLead(gw, oksana, {
      trigger: {
        name: 'Пропозиція → передзвонити',
        on: { kind: 'stage_changed', toStageId: 'proposal' },
        action: { kind: 'create_task', title: 'Передзвонити щодо пропозиції', dueInMs: DAY, assignTo: 'assignee' },
      },
      who: customer('Соломія', 'Іваненко', 'solomiia_iv'),
      text: 'Надішліть, будь ласка, рахунок на 3 шафи-купе',
      to: 'proposal',
      killAt: () => moveStoredTo('proposal'),
      what: 'the record of the move to proposal',
    });

    const [task] = await triggerTasks(gw, oksana, id, trigger.id);
    expect(task).toMatchObject({ title: 'Передзвонити щодо пропозиції', assigneeId: oksana.agent.id, conversationId: id });
    // The child runs on the system clock: later sweeps are waited for in real time, and must make nothing more.
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await tasksOf(gw, oksana, id)).filter((t) => t.triggerId === trigger.id)).toEqual([task]);
    expect(await firingsOf(gw, oksana, trigger.id)).toEqual([
      expect.objectContaining({ state: 'done', taskId: task?.id, conversationId: id }),
    ]);
    expect((await leadOf(gw, oksana, id)).moves.map((m) => m.to)).toEqual(['new', 'proposal']);
  }, 120_000);

  it('fires the triggers of a move its process left on the lead, though the catch-up passed the move’s time before it was stored', async () => {
    const gw = await crash.start({ env: { TRIGGER_SWEEP_INTERVAL: '1s', TRIGGER_REPAIR_AFTER: '2s' } });
    const oksana = await gw.manager('supervisor', 'Оксана Мельник');
    const { trigger, id } = await killedMovingLead(gw, oksana, {
      trigger: {
        name: 'Кваліфіковано → підготувати замовлення',
        on: { kind: 'stage_changed', toStageId: 'qualified' },
        action: { kind: 'create_task', title: 'Підготувати замовлення на склад', dueInMs: DAY, assignTo: 'assignee' },
      },
      who: customer('Назар', 'Лисенко', 'nazar_lys'),
      text: 'Беру два крісла «Оксфорд», коли зможете доставити?',
      to: 'qualified',
      killAt: () => leadMovedTo('qualified'),
      what: 'the lead’s move to qualified',
    });
    // The new process's sweeps (every second, on the system clock) carry the catch-up past the move's time while the
    // move is still only on its lead; reading the lead then stores it, as the repair pass would.
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await leadOf(gw, oksana, id)).moves.map((m) => m.to)).toEqual(['new', 'qualified']);

    const [task] = await triggerTasks(gw, oksana, id, trigger.id);
    expect(task).toMatchObject({ title: 'Підготувати замовлення на склад', assigneeId: oksana.agent.id, conversationId: id });
    expect(await firingsOf(gw, oksana, trigger.id)).toEqual([expect.objectContaining({ state: 'done', taskId: task?.id })]);
  }, 120_000);
});
