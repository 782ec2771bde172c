import { formMessage, john, marta } from './fixtures/site-form';
import { ManualClock } from './support/clock';
import { eventually, type SocketRecorder, sleep, TestGateway } from './support/gateway';
import { InboxReader } from './support/inbox-reader';

const env = { ESCALATION_AFTER: '10m', ESCALATION_MAX_STEPS: '3', SLA_FIRST_RESPONSE: '5m', JOBS_POLL_INTERVAL: '200ms' };

describe('escalation with several gateway processes on one store', () => {
  it('hands a due conversation over exactly once however many processes race for it', async () => {
    const clock = new ManualClock('2024-05-06T07:00:00Z');
    const first = await TestGateway.start({ env, clock: clock.now });
    const second = await TestGateway.start({ env, clock: clock.now, database: first.database });
    try {
      const iryna = await first.manager('agent', 'Ірина Бондар');
      const bohdan = await first.manager('agent', 'Богдан Кравець');
      const sam = await first.manager('supervisor', 'Supervisor Sam');
      // Presence is per process without REDIS_URL: each manager keeps a socket on both processes.
      const irynaOnFirst = await first.connect(iryna.token);
      const sockets: Record<string, SocketRecorder[]> = {
        iryna: [irynaOnFirst, await second.connect(iryna.token)],
        bohdan: [await first.connect(bohdan.token), await second.connect(bohdan.token)],
        sam: [await first.connect(sam.token), await second.connect(sam.token)],
      };
      const events = (who: string, type: string) => (sockets[who] ?? []).flatMap((s) => s.of('alert')).filter((p) => p.alert.type === type);

      await first.postApi(formMessage(marta, 'Доброго дня! Чи є знижки для оптових замовлень?'));
      const conversationId = (await irynaOnFirst.waitFor('message:new')).conversation.id as string;

      // Ten minutes pass; both processes' recurring jobs and explicit passes of both race for the same step.
      clock.advance(10 * 60_000);
      const passes = await Promise.all([
        first.automations.tick(),
        second.automations.tick(),
        first.automations.tick(),
        second.automations.tick(),
      ]);
      await sleep(600); // the recurring jobs of both processes run meanwhile too
      const conversation = (await first.request('GET', `/api/conversations/${conversationId}`, { token: sam.token })).body;
      expect(conversation).toMatchObject({ assigneeId: bohdan.agent.id, escalationStep: 1 });
      const inbox = new InboxReader(first);
      const escalations = async () => (await inbox.alerts()).filter((a) => a.type === 'escalated');
      const alerts = await escalations();
      expect(alerts).toHaveLength(1);
      expect(alerts[0]?.agentId).toBe(bohdan.agent.id);
      expect(passes.reduce((n, p) => n + p.escalated, 0)).toBeLessThanOrEqual(1);
      // Богдан hears of it once, on whichever process made the hand-over.
      expect(events('bohdan', 'escalated')).toHaveLength(1);
      expect(events('sam', 'escalated')).toHaveLength(1);
      // The warning and the breach of the 5-minute target, once each.
      expect(events('sam', 'sla_warning')).toHaveLength(1);
      expect(events('sam', 'sla_breach')).toHaveLength(1);

      // Ten minutes more: nobody new is online, so the queue, once.
      clock.advance(10 * 60_000);
      await Promise.all([first.automations.tick(), second.automations.tick(), first.automations.tick(), second.automations.tick()]);
      await sleep(600);
      const queued = (await first.request('GET', `/api/conversations/${conversationId}`, { token: sam.token })).body;
      expect(queued).toMatchObject({ assigneeId: null, escalationStep: 1, escalationDueAt: null });
      expect(await escalations()).toHaveLength(2);
      expect(events('sam', 'escalated')).toHaveLength(2);
    } finally {
      await second.stop();
      await first.close();
    }
  });

  it('fires at start what fell due while the gateway was down', async () => {
    const clock = new ManualClock('2024-05-06T07:00:00Z');
    const before = await TestGateway.start({ env, clock: clock.now });
    let after: TestGateway | undefined;
    try {
      const iryna = await before.manager('agent', 'Ірина Бондар');
      const sam = await before.manager('supervisor', 'Supervisor Sam');
      const irynaSocket = await before.connect(iryna.token);
      await before.postApi(formMessage(john, 'Hello, I was charged twice for order 2291.'));
      const { conversation } = await irynaSocket.waitFor('message:new');
      expect(conversation.assigneeId).toBe(iryna.agent.id);
      await before.stop();

      // Down for an hour: the warning (4 min), the breach (5 min) and the escalation (10 min) all fell due.
      clock.advance(60 * 60_000);
      after = await TestGateway.start({ env, clock: clock.now, database: before.database });
      const restartedAt = Date.now();
      const alerts = await eventually(async () => {
        const items = (await after?.request('GET', '/api/alerts', { token: sam.token }))?.body.items ?? [];
        return items.length === 3 ? items : undefined;
      }, 5000);
      expect(Date.now() - restartedAt).toBeLessThan(3000);
      expect(alerts.map((a: { type: string }) => a.type).sort()).toEqual(['escalated', 'sla_breach', 'sla_warning']);
      const escalated = alerts.find((a: { type: string }) => a.type === 'escalated');
      expect(escalated.detail).toBe(
        'No other agent is online to take John Carter (api) from Ірина Бондар: the conversation is in the shared queue now.',
      );
      const now = (await after.request('GET', `/api/conversations/${conversation.id}`, { token: sam.token })).body;
      expect(now).toMatchObject({ assigneeId: null, escalationDueAt: null, firstResponseAt: null });
      expect(now.awaitingReplySince).toBe('2024-05-06T07:00:00.000Z');
      expect(now.firstResponseDueAt).toBe('2024-05-06T07:05:00.000Z');
    } finally {
      await after?.stop();
      await before.close();
    }
  });
});
