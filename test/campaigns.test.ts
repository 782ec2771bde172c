import { simpleParser } from 'mailparser';
import { formMessage, john, marta } from './fixtures/site-form';
import { ann, olena, textUpdate } from './fixtures/telegram';
import { ManualClock } from './support/clock';
import { freePort } from './support/dovecot';
import { FakeCallback } from './support/fake-callback';
import { eventually, type SocketRecorder, TestGateway, type TestManager } from './support/gateway';
import { relayTo, SUPPORT } from './support/mail';
import { SHOP_SENDER, smtpListener } from './support/mail-gateway';
import { SmtpSink } from './support/smtp-sink';

const taras = { id: 380671112233, is_bot: false, first_name: 'Тарас', last_name: 'Гнатюк', username: 'taras_h', language_code: 'uk' };
const halyna = { name: 'Галина Ткачук', address: 'halyna.tkachuk@example.com' };
const petro = { name: 'Петро Іваненко', address: 'petro.ivanenko@example.com' };

const TEMPLATE = { name: 'winback_15', language: 'uk', params: [] };
const TEXT = 'Ми сумуємо! Знижка 15% до неділі: shop.example/sale';

/**
 * A win-back campaign to the customers silent for 30 days (on 2024-04-01: everyone below but John), sent through the
 * real channels (a fake Bot API, the API channel's callback, SMTP) at each channel's pace:
 *  Олена   telegram  01-10   sent the text (Telegram has no templates), writes back later: replied
 *  Ann     telegram  01-12   blocked the bot: Telegram answers 403, so the send fails
 *  Тарас   telegram  01-14   reported unreachable by the channel: skipped
 *  Марта   api       01-15   sent the text to the callback
 *  Галина  email     01-20   mailed, with List-Unsubscribe
 *  Петро   email     01-22   mailed; clicks unsubscribe: the next campaign skips him
 *  John    api       03-28   wrote lately: not in the segment
 */
describe('re-engagement campaigns', () => {
  const clock = new ManualClock('2024-01-10T09:00:00Z');
  let gw: TestGateway;
  let sink: SmtpSink;
  let callback: FakeCallback;
  let sam: TestManager & { socket: SocketRecorder };
  let iryna: TestManager & { socket: SocketRecorder };
  let smtpPort: number;
  let first: { id: string };

  const telegram = async (when: string, who: typeof olena | typeof ann | typeof taras, text: string) => {
    clock.set(when);
    expect((await gw.postTelegram(textUpdate(who, text))).status).toBe(200);
  };
  const mail = async (when: string, from: typeof halyna, subject: string, text: string) => {
    clock.set(when);
    await relayTo(smtpPort).sendMail({ from, to: SUPPORT, subject, text });
    await sam.socket.waitFor('message:new', (p) => p.message.channel === 'email' && p.message.text.includes(text));
  };
  const progress = async (id: string) => (await gw.request('GET', `/api/campaigns/${id}`, { token: sam.token })).body;
  const create = (json: unknown, who: TestManager = sam) => gw.request('POST', '/api/campaigns', { token: who.token, json });

  beforeAll(async () => {
    sink = await new SmtpSink().start();
    callback = await new FakeCallback().start();
    smtpPort = await freePort();
    gw = await TestGateway.start({
      clock: clock.now,
      env: {
        API_CHANNEL_CALLBACK_URL: callback.url,
        SMTP_URL: sink.url,
        EMAIL_FROM: SHOP_SENDER,
        ...smtpListener(smtpPort),
      },
    });
    sam = await gw.online('supervisor', 'Оксана Левченко');
    iryna = await gw.online('agent', 'Ірина Бондар');
    gw.telegram.respond((call) =>
      call.method === 'sendMessage' && String(call.body.chat_id) === String(ann.id)
        ? { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } }
        : undefined,
    );

    await telegram('2024-01-10T09:00:00Z', olena, 'Привіт! Чи є ця сукня в синьому кольорі?');
    await telegram('2024-01-12T09:00:00Z', ann, 'Hello! Do you ship to Poland?');
    await telegram('2024-01-14T09:00:00Z', taras, 'Коли буде знижка на кавоварки?');
    // As a channel reports a customer who blocked the bot or unsubscribed.
    await gw.inbox.ingest.handle({
      kind: 'contact',
      channel: 'telegram',
      contact: { externalId: String(taras.id), name: 'Тарас Гнатюк' },
      reachable: false,
      at: clock.now(),
    });
    clock.set('2024-01-15T09:00:00Z');
    await gw.postApi(formMessage(marta, 'Добрий день! Чи є подарункові сертифікати?'));
    await mail('2024-01-20T09:00:00Z', halyna, 'Доставка', 'Скільки коштує доставка до Львова?');
    await mail('2024-01-22T09:00:00Z', petro, 'Чайник', 'Чи є чайники Bosch?');
    clock.set('2024-03-28T09:00:00Z');
    await gw.postApi(formMessage(john, 'Hi, is the coffee grinder back in stock?'));
    clock.set('2024-04-01T09:00:00Z');
  }, 60_000);

  afterAll(async () => {
    await gw.close();
    await sink.stop();
    await callback.stop();
  });

  it('stores every customer of the segment and sends at each channel’s pace, not all in the first second', async () => {
    const created = await create({ name: 'Повертайтеся: −15%', filter: { inactiveDays: 30 }, template: TEMPLATE, text: TEXT });
    expect(created.status).toBe(201);
    first = created.body;
    // The sending job may already be at work: the first of each channel is due at once.
    expect(created.body).toMatchObject({ status: 'sending', total: 6, failed: 0, replied: 0 });

    // Due now: the first of each channel; the second Telegram and email customers are paced later in the second.
    await gw.automations.sendCampaigns();
    expect(await progress(first.id)).toMatchObject({ pending: 3 });
    clock.set('2024-04-01T09:00:01Z');
    await gw.automations.sendCampaigns();
    await eventually(async () => (await progress(first.id)).failed === 1);
    expect(await progress(first.id)).toMatchObject({
      status: 'done',
      total: 6,
      pending: 0,
      sent: 4,
      failed: 1,
      skipped: { unreachable: 1, opted_out: 0, channel_unavailable: 0, templates_unsupported: 0, outside_window: 0 },
      replied: 0,
    });
  });

  it('sends through the normal reply path: Telegram and the API get the text, each customer once', async () => {
    await eventually(async () => gw.telegram.callsTo('sendMessage').filter((c) => c.body.text === TEXT).length === 2);
    expect(
      gw.telegram
        .callsTo('sendMessage')
        .filter((c) => c.body.text === TEXT)
        .map((c) => String(c.body.chat_id)),
    ).toEqual(expect.arrayContaining([String(olena.id), String(ann.id)]));
    await eventually(async () => callback.received.some((r) => r.body.text === TEXT));
    expect(callback.received.filter((r) => r.body.text === TEXT).map((r) => r.body.contactExternalId)).toEqual([marta.externalId]);
    await gw.automations.sendCampaigns();
    expect(gw.telegram.callsTo('sendMessage').filter((c) => c.body.text === TEXT)).toHaveLength(2);
  });

  it('mails with a one-click List-Unsubscribe (RFC 8058) that keeps every later campaign away', async () => {
    await eventually(async () => sink.mails.length === 2);
    const mails = await Promise.all(sink.mails.map((m) => simpleParser(m.raw)));
    expect(mails.map((m) => m.to && 'text' in m.to && m.to.text).sort()).toEqual([halyna.address, petro.address].sort());
    for (const m of mails) expect(m.text?.trim()).toBe(TEXT);
    for (const m of sink.mails) expect(m.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    const petroMail = sink.mails.find((m) => m.to.includes(petro.address));
    const url = /^List-Unsubscribe:\s*<([^>]+)>/im.exec(petroMail?.raw ?? '')?.[1] ?? '';
    expect(url).toMatch(new RegExp(`^http://localhost:${new URL(gw.url).port}/unsubscribe/[a-f0-9]{24}\\.`));

    // Opening the link only asks; the mail client's one-click POST unsubscribes, with no sign-in.
    const page = await fetch(url);
    expect(await page.text()).toContain('<form method="post"');
    const click = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(click.status).toBe(200);
    const forged = await fetch(url.replace(/\.[^.]+$/, '.forged-signature-0000000000000000'), { method: 'POST', body: '' });
    expect(forged.status).toBe(404);

    clock.set('2024-04-02T09:00:00Z');
    const again = await create({ name: 'Друга хвиля', filter: { inactiveDays: 30, channel: 'email' }, template: TEMPLATE, text: TEXT });
    expect(again.body).toMatchObject({ total: 2, channel: 'email' });
    await gw.automations.sendCampaigns();
    clock.set('2024-04-02T09:00:01Z');
    await gw.automations.sendCampaigns();
    expect(await progress(again.body.id)).toMatchObject({ status: 'done', sent: 1, skipped: expect.objectContaining({ opted_out: 1 }) });
    await eventually(async () => sink.mails.length === 3);
    expect(sink.mails[2]?.to).toEqual([halyna.address]);
  });

  it('counts a customer who writes back after the send as replied, live to supervisors only', async () => {
    clock.set('2024-04-03T10:00:00Z');
    await gw.postTelegram(textUpdate(olena, 'Ой, дякую! А знижка діє на сукні?'));
    const live = await sam.socket.waitFor('campaign:updated', (p) => p.campaign.id === first.id && p.campaign.replied === 1);
    expect(live.campaign).toMatchObject({ sent: 4, replied: 1 });
    expect((await progress(first.id)).replied).toBe(1);
    expect(iryna.socket.of('campaign:updated')).toEqual([]);
  });

  it('starts a campaign from a saved view of silent customers', async () => {
    clock.set('2024-04-10T09:00:00Z');
    const view = await gw.request('POST', '/api/views', {
      token: sam.token,
      json: { name: 'Мовчать понад 60 днів', kind: 'contacts', scope: 'team', filter: { inactiveDays: 60 } },
    });
    const campaign = await create({ name: 'Весняний розпродаж', viewId: view.body.id, template: TEMPLATE, text: TEXT });
    expect(campaign.status).toBe(201);
    // Silent since before 02-10: Ann, Тарас, Марта, Галина, Петро (Олена and John wrote lately).
    expect(campaign.body).toMatchObject({ viewId: view.body.id, total: 5 });
    const listed = await gw.request('GET', '/api/campaigns', { token: sam.token });
    expect(listed.body.items.map((c: { name: string }) => c.name)).toEqual(['Весняний розпродаж', 'Друга хвиля', 'Повертайтеся: −15%']);
  });

  it('skips, with the reason, the customers a template alone cannot reach: Telegram sends no templates', async () => {
    clock.set('2024-04-11T09:00:00Z');
    const templateOnly = await create({ name: 'Лише шаблон', filter: { inactiveDays: 60, channel: 'telegram' }, template: TEMPLATE });
    expect(templateOnly.body).toMatchObject({ total: 2 });
    // Past the hold of a send: the job's own pass may have been sending the spring campaign as this one was
    // created, and the telegram recipients it held then put this campaign's pace after their hold.
    clock.set('2024-04-11T09:01:00Z');
    await gw.automations.sendCampaigns();
    expect(await progress(templateOnly.body.id)).toMatchObject({
      status: 'done',
      sent: 0,
      skipped: expect.objectContaining({ templates_unsupported: 1, unreachable: 1 }),
    });
  });

  it('refuses text alone beyond email and the API, a view that is not of silent customers, and agents, storing nothing', async () => {
    const before = (await gw.request('GET', '/api/campaigns', { token: sam.token })).body.items.length;
    const textToTelegram = await create({ name: 'Текст', filter: { inactiveDays: 30 }, text: TEXT, channel: 'telegram' });
    expect(textToTelegram.status).toBe(400);
    expect(textToTelegram.body.error.message).toContain('text alone goes to email and API customers only');
    const lostView = await gw.request('POST', '/api/views', {
      token: sam.token,
      json: { name: 'Втрачено', kind: 'conversations', filter: { outcome: 'lost' } },
    });
    const fromLost = await create({ name: 'Хибний', viewId: lostView.body.id, template: TEMPLATE });
    expect(fromLost.status).toBe(400);
    expect(fromLost.body.error.message).toContain('is not of customers silent for some days');
    const both = await create({ name: 'Обидва', viewId: lostView.body.id, filter: { inactiveDays: 3 }, template: TEMPLATE });
    expect(both.status).toBe(400);
    expect((await create({ name: 'Агент', filter: { inactiveDays: 30 }, template: TEMPLATE }, iryna)).status).toBe(403);
    expect((await gw.request('GET', '/api/campaigns/0123456789abcdef01234567', { token: sam.token })).status).toBe(404);
    expect((await gw.request('GET', '/api/campaigns', { token: sam.token })).body.items).toHaveLength(before);
  });
});
