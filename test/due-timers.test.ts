import { formMessage, marta } from './fixtures/site-form';
import { ManualClock } from './support/clock';
import { TestGateway } from './support/gateway';

describe('the due-timer pass', () => {
  it('hands a lead over in the first pass after its escalation falls due, and not a pass before', async () => {
    const clock = new ManualClock('2024-05-06T07:00:00Z');
    // The recurring job polls hourly here: only the passes this test runs act.
    const gw = await TestGateway.start({
      env: { ESCALATION_AFTER: '2m', SLA_FIRST_RESPONSE: '1h', JOBS_POLL_INTERVAL: '1h' },
      clock: clock.now,
    });
    try {
      const iryna = await gw.online('agent', 'Ірина Бондар');
      await gw.online('agent', 'Богдан Кравець');
      const sam = await gw.manager('supervisor', 'Supervisor Sam');
      await gw.postApi(formMessage(marta, 'Добрий вечір! Ви працюєте в неділю?'));
      const { conversation } = await iryna.socket.waitFor('message:new');
      expect(conversation.escalationDueAt).toBe('2024-05-06T07:02:00.000Z');

      clock.advance(60_000);
      expect((await gw.automations.tick()).escalated).toBe(0);
      clock.advance(60_000);
      expect((await gw.automations.tick()).escalated).toBe(1);
      // Acted on once: the step moved its due time on, so the next pass finds nothing.
      expect((await gw.automations.tick()).escalated).toBe(0);
      const now = (await gw.request('GET', `/api/conversations/${conversation.id}`, { token: sam.token })).body;
      expect(now).toMatchObject({ escalationStep: 1, escalationDueAt: '2024-05-06T07:04:00.000Z' });
    } finally {
      await gw.close();
    }
  });
});
