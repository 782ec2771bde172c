import { BusinessHoursError, parseBusinessHours } from '../automations/business-hours';
import { ConfigError, loadConfig } from '../gateway/config';
import { olena, textUpdate } from './fixtures/telegram';
import { ManualClock } from './support/clock';
import { eventually, sleep, TestGateway } from './support/gateway';

const kyiv = 'Mon-Fri 09:00-18:00 Europe/Kyiv';
const utc = (iso: string) => new Date(iso);

describe('business hours', () => {
  const calendar = parseBusinessHours(kyiv);

  it('is open on weekdays 09:00-18:00 Kyiv time and closed at night and at the weekend', () => {
    // Kyiv is UTC+3 in May.
    expect(calendar.isOpen(utc('2024-05-06T06:00:00Z'))).toBe(true); // Mon 09:00
    expect(calendar.isOpen(utc('2024-05-06T05:59:59Z'))).toBe(false); // Mon 08:59:59
    expect(calendar.isOpen(utc('2024-05-06T14:59:59Z'))).toBe(true); // Mon 17:59:59
    expect(calendar.isOpen(utc('2024-05-06T15:00:00Z'))).toBe(false); // Mon 18:00
    expect(calendar.isOpen(utc('2024-05-04T09:00:00Z'))).toBe(false); // Sat 12:00
    expect(calendar.nextOpening(utc('2024-05-04T09:00:00Z'))).toEqual(utc('2024-05-06T06:00:00Z'));
    expect(calendar.nextOpening(utc('2024-05-07T10:00:00Z'))).toEqual(utc('2024-05-07T10:00:00Z'));
  });

  it('counts only business time: Friday 17:50 plus 30 minutes is Monday 09:20', () => {
    expect(calendar.addBusinessMs(utc('2024-05-03T14:50:00Z'), 30 * 60_000)).toEqual(utc('2024-05-06T06:20:00Z'));
    // A wait that starts at the weekend starts counting on Monday morning.
    expect(calendar.addBusinessMs(utc('2024-05-04T09:00:00Z'), 5 * 60_000)).toEqual(utc('2024-05-06T06:05:00Z'));
    // Nine business hours are exactly one working day.
    expect(calendar.addBusinessMs(utc('2024-05-07T06:00:00Z'), 9 * 3600_000)).toEqual(utc('2024-05-07T15:00:00Z'));
    expect(calendar.addBusinessMs(utc('2024-05-07T06:00:00Z'), 9 * 3600_000 + 1)).toEqual(utc('2024-05-08T06:00:00.001Z'));
  });

  it('keeps opening at 09:00 local time across the daylight-saving change', () => {
    // Clocks in Kyiv go from UTC+2 to UTC+3 on Sunday 31 March 2024.
    expect(calendar.addBusinessMs(utc('2024-03-29T15:00:00Z'), 2 * 3600_000)).toEqual(utc('2024-04-01T07:00:00Z'));
    expect(calendar.nextOpening(utc('2024-03-30T12:00:00Z'))).toEqual(utc('2024-04-01T06:00:00Z'));
  });

  it('reads day lists, wrapping ranges and 24:00, and refuses what it cannot read', () => {
    const weekend = parseBusinessHours('Fri-Sun,Tue 10:00-24:00 UTC');
    expect(weekend.isOpen(utc('2024-05-05T23:59:00Z'))).toBe(true); // Sun
    expect(weekend.isOpen(utc('2024-05-06T12:00:00Z'))).toBe(false); // Mon
    expect(weekend.isOpen(utc('2024-05-07T12:00:00Z'))).toBe(true); // Tue
    expect(() => parseBusinessHours('Mon-Fri 09:00-18:00 Europe/Atlantis')).toThrow(BusinessHoursError);
    expect(() => parseBusinessHours('Mon-Fri 18:00-09:00 Europe/Kyiv')).toThrow('the opening time must be before the closing time');
    expect(() => loadConfig({ BUSINESS_HOURS: 'Mon-Fri 09:00-18:00 Mars/Olympus' })).toThrow(ConfigError);
    expect(() => loadConfig({ BUSINESS_HOURS_EMAIL: 'Mon-Fri 09:00-18:00 Mars/Olympus' })).toThrow(
      'invalid setting BUSINESS_HOURS_EMAIL: "Mars/Olympus" is not a known time zone (e.g. Europe/Kyiv)',
    );
  });
});

describe('a customer who writes outside business hours', () => {
  it('gets one auto-reply saying when they will be answered; the wait and its clocks go on in business time', async () => {
    // Saturday 4 May 2024, 12:00 in Kyiv.
    const clock = new ManualClock('2024-05-04T09:00:00Z');
    const gw = await TestGateway.start({
      clock: clock.now,
      env: { BUSINESS_HOURS: kyiv, SLA_FIRST_RESPONSE: '5m', ESCALATION_AFTER: '10m', JOBS_POLL_INTERVAL: '200ms' },
    });
    try {
      const iryna = await gw.manager('agent', 'Ірина Бондар');
      const sam = await gw.manager('supervisor', 'Supervisor Sam');
      const irynaSocket = await gw.connect(iryna.token);
      const samSocket = await gw.connect(sam.token);

      expect((await gw.postTelegram(textUpdate(olena, 'Доброго дня! Чи працюєте ви у вихідні?'))).status).toBe(200);
      const [autoReply] = await gw.telegram.waitForCalls('sendMessage', 1);
      expect(autoReply?.body).toEqual({
        chat_id: String(olena.id),
        text:
          "Дякуємо за повідомлення! Зараз ми не на зв'язку й відповімо вам понеділок, 6 травня, 09:00 (Europe/Kyiv).\n" +
          'Thank you for your message! We are away right now and will answer you on Monday 6 May, 09:00 (Europe/Kyiv).',
      });
      clock.advance(20 * 60_000);
      expect((await gw.postTelegram(textUpdate(olena, 'І ще: чи є доставка в неділю?'))).status).toBe(200);
      await sleep(1000);
      expect(gw.telegram.callsTo('sendMessage')).toHaveLength(1);

      const bot = await irynaSocket.waitFor('message:new', (p) => p.message.direction === 'out');
      expect(bot.message).toMatchObject({ sender: { type: 'bot', name: 'Auto-reply' }, status: 'queued' });
      const conversationId = bot.conversation.id as string;
      await eventually(async () => {
        const page = (await gw.request('GET', `/api/conversations/${conversationId}/messages`, { token: iryna.token })).body;
        return page.items.map((m: { sender: { type: string }; status: string }) => `${m.sender.type}:${m.status}`).join(',') ===
          'contact:received,bot:sent,contact:received'
          ? page
          : undefined;
      });

      // Not a response: the customer still waits, since the first message, and no response was recorded.
      const conversation = (await gw.request('GET', `/api/conversations/${conversationId}`, { token: iryna.token })).body;
      expect(conversation).toMatchObject({
        awaitingReplySince: '2024-05-04T09:00:00.000Z',
        firstResponseAt: null,
        // Clocks start at Monday 09:00 Kyiv (06:00 UTC): the target 5 minutes later, escalation 10.
        firstResponseDueAt: '2024-05-06T06:05:00.000Z',
        escalationDueAt: '2024-05-06T06:10:00.000Z',
      });
      const counted = (
        await gw.request('GET', '/api/metrics/response-times?from=2024-05-01T00:00:00Z&to=2024-05-07T00:00:00Z', { token: sam.token })
      ).body.items;
      expect(
        counted.map((row: { firstResponse: { count: number }; reply: { count: number } }) => row.firstResponse.count + row.reply.count),
      ).toEqual(counted.map(() => 0));
      // When the warning is due is kept for the timers only; the managers see it fire (below).
      const raw = await (await gw.collection('conversations')).findOne({});
      expect(raw?.slaWarnAt).toEqual(utc('2024-05-06T06:04:00Z'));

      // Nothing fires over the weekend.
      clock.set('2024-05-05T20:00:00Z');
      await gw.automations.tick();
      expect(samSocket.of('alert')).toEqual([]);

      // Monday 09:06 Kyiv: the warning and the breach are due, the escalation is not yet.
      clock.set('2024-05-06T06:06:00Z');
      await gw.automations.tick();
      await samSocket.waitFor('alert', (p) => p.alert.type === 'sla_breach');
      expect(
        samSocket
          .of('alert')
          .map((p) => p.alert.type)
          .sort(),
      ).toEqual(['sla_breach', 'sla_warning']);
      expect((await gw.request('GET', `/api/conversations/${conversationId}`, { token: iryna.token })).body.escalationStep).toBe(0);

      // During business hours a new message gets no auto-reply.
      expect((await gw.postTelegram(textUpdate(olena, 'Ви вже на зв’язку?'))).status).toBe(200);
      await sleep(800);
      expect(gw.telegram.callsTo('sendMessage')).toHaveLength(1);
      const figures = (
        await gw.request('GET', '/api/metrics/response-times?from=2024-05-01T00:00:00Z&to=2024-05-07T00:00:00Z', { token: sam.token })
      ).body.items;
      expect(figures).toEqual([
        expect.objectContaining({
          key: 'telegram',
          firstResponse: expect.objectContaining({ count: 0 }),
          leads: 1,
          unanswered: 1,
          unansweredPastTarget: 1,
        }),
      ]);
    } finally {
      await gw.close();
    }
  });
});
