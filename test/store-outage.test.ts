import { randomUUID } from 'node:crypto';
import { formMessage, john, marta, petro } from './fixtures/site-form';
import { ann, olena, textUpdate } from './fixtures/telegram';
import { eventually, type HttpReply, sleep, storeUri, TestGateway, type TestManager } from './support/gateway';
import { type WireCommand, WireTap } from './support/wire-tap';

/**
 * The store stops answering: a gateway whose store connection goes through a WireTap, which on `blackhole(true)`
 * passes nothing either way and accepts new connections without ever answering them (a partition, a frozen
 * server), and on `blackhole(false)` carries traffic again. Platforms redeliver on anything but a 2xx, so they must
 * get a prompt 503 and not a hang; probes a prompt answer; and everything works again once the store does, without
 * a restart. A store that is only busy (it answers everything but one command) is waited for, up to 10 s.
 * Assertions on what was stored read the store directly, round the tap. The times measured are printed at the end.
 */
describe('a store that stops answering', () => {
  const database = `outage_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let tap: WireTap;
  let gw: TestGateway;
  let supervisor: TestManager;
  const measured: Record<string, number[]> = {};

  function record(label: string, ms: number): void {
    measured[label] ??= [];
    measured[label].push(Math.round(ms));
  }
  async function timed(label: string, call: () => Promise<HttpReply>): Promise<HttpReply & { ms: number }> {
    const started = performance.now();
    const reply = await call();
    const ms = performance.now() - started;
    record(label, ms);
    return { ...reply, ms };
  }

  /** The outage lasts this long in the tests that span it, so the driver's monitor has noticed it before the end. */
  const OUTAGE_MS = 4_000;

  /** Until /healthz says the store answers; returns how long that took. */
  async function storeAnswersAgain(): Promise<number> {
    const started = performance.now();
    await eventually(async () => (await gw.request('GET', '/healthz')).status === 200, 15_000);
    return Math.round(performance.now() - started);
  }

  let martasConversation: string;
  const insertOf = (text: string) => (c: WireCommand) =>
    c.name === 'insert' && c.collection === 'messages' && (c.documents.documents ?? []).some((d) => d.text === text);

  beforeAll(async () => {
    tap = await WireTap.start(storeUri(database));
    // The job queue and the outbox poll once a minute, so no background traffic tells a busy store from a silent one.
    gw = await TestGateway.start({ database, env: { MONGODB_URI: tap.uri(database), JOBS_POLL_INTERVAL: '60s' } });
    supervisor = await gw.manager('supervisor', 'Ірина Супервайзер');
    expect((await gw.postApi(formMessage(marta, 'Хочу записатися на консультацію'))).status).toBe(200);
    const list = await gw.request('GET', '/api/conversations?channel=api', { token: supervisor.token });
    martasConversation = list.body.items[0].id;
  });
  afterEach(async () => {
    tap.release();
    tap.blackhole(false);
    await storeAnswersAgain();
  });
  afterAll(async () => {
    await gw.close();
    await tap.close();
    const lines = Object.entries(measured).map(([label, ms]) => `${label}: ${ms.join(', ')} ms`);
    process.stderr.write(`store outage, measured:\n  ${lines.join('\n  ')}\n`);
  });

  it('answers a signed Telegram webhook 503 within 2 s, with a code and Retry-After, and stores nothing', async () => {
    tap.blackhole(true);
    const outageEnds = Date.now() + OUTAGE_MS;
    const update = textUpdate(olena, 'Добрий день! Чи є доставка в Житомир?');
    // Telegram redelivers while the store is down: before the driver notices (the deadline answers) and after
    // (the driver fails fast); every answer is prompt.
    do {
      const reply = await timed('webhook during the outage', () => gw.postTelegram(update));
      expect(reply.status).toBe(503);
      expect(reply.body).toEqual({ error: { code: 'STORE.UNAVAILABLE', message: expect.any(String) } });
      expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(reply.ms).toBeLessThan(2_000);
    } while (Date.now() < outageEnds);

    const messages = await gw.collection('messages');
    expect(await messages.countDocuments({ text: 'Добрий день! Чи є доставка в Житомир?' })).toBe(0);
    const contacts = await gw.collection('contacts');
    expect(await contacts.countDocuments({ channel: 'telegram', externalId: String(olena.id) })).toBe(0);
  });

  it('stores the redelivered webhook once when the store answers again, and the inbox shows it', async () => {
    const text = 'Hi, my parcel #5531 has not arrived yet';
    const update = textUpdate(ann, text);
    tap.blackhole(true);
    const during = await timed('webhook during the outage', () => gw.postTelegram(update));
    expect(during.status).toBe(503);
    await sleep(1_000);

    tap.blackhole(false);
    const recoveryStarted = performance.now();
    // Telegram keeps redelivering until it gets a 2xx.
    const accepted = await eventually(async () => {
      const reply = await gw.postTelegram(update);
      expect([200, 503]).toContain(reply.status);
      return reply.status === 200 && reply;
    }, 15_000);
    record('first 200 after the store came back', performance.now() - recoveryStarted);
    expect(accepted.body).toEqual({ ok: true });
    // One more copy, as Telegram sends when our 200 got lost on the way: still one message.
    expect((await gw.postTelegram(update)).status).toBe(200);

    const messages = await gw.collection('messages');
    expect(await messages.countDocuments({ text })).toBe(1);

    const list = await gw.request('GET', '/api/conversations?channel=telegram', { token: supervisor.token });
    expect(list.status).toBe(200);
    const conversation = list.body.items.find((c: { contact: { name: string } }) => c.contact.name === 'Ann');
    expect(conversation).toBeDefined();
    const history = await gw.request('GET', `/api/conversations/${conversation.id}/messages`, { token: supervisor.token });
    expect(history.status).toBe(200);
    expect(history.body.items.filter((m: { text?: string }) => m.text === text)).toHaveLength(1);
  });

  it('answers /healthz 503 within 1 s while the store is silent, and 200 once it answers', async () => {
    expect(await gw.request('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok', store: 'ok' } });
    tap.blackhole(true);
    const outageEnds = Date.now() + OUTAGE_MS;
    do {
      const probe = await timed('/healthz during the outage', () => gw.request('GET', '/healthz'));
      expect(probe.status).toBe(503);
      expect(probe.body).toEqual({ status: 'unavailable', store: 'unreachable' });
      expect(probe.ms).toBeLessThan(1_000);
      await sleep(250);
    } while (Date.now() < outageEnds);

    tap.blackhole(false);
    record('/healthz 200 after the store came back', await storeAnswersAgain());
    expect(await gw.request('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok', store: 'ok' } });
  });

  it("answers a manager's REST request 503 promptly while the store is silent, reads within 2 s", async () => {
    tap.blackhole(true);
    const outageEnds = Date.now() + OUTAGE_MS;
    do {
      const read = await timed('REST read during the outage', () => gw.request('GET', '/api/conversations', { token: supervisor.token }));
      expect(read.status).toBe(503);
      expect(read.body.error.code).toBe('STORE.UNAVAILABLE');
      expect(Number(read.headers.get('retry-after'))).toBeGreaterThan(0);
      // The read deadline (2 s), plus the round trip.
      expect(read.ms).toBeLessThan(2_500);
    } while (Date.now() < outageEnds);
    // A write is not cut short by a deadline (it could still land later): the driver fails it, by now (it has
    // noticed the silence) within the server selection timeout (1 s).
    const write = await timed('REST write during the outage', () =>
      gw.request('POST', `/api/conversations/${martasConversation}/read`, { token: supervisor.token }),
    );
    expect(write.status).toBe(503);
    expect(write.body.error.code).toBe('STORE.UNAVAILABLE');
    expect(write.ms).toBeLessThan(4_000);
    // Nor is a report (they take seconds at scale on a healthy store): the same.
    const report = await timed('report during the outage', () =>
      gw.request('GET', '/api/metrics/response-times?groupBy=channel', { token: supervisor.token }),
    );
    expect(report.status).toBe(503);
    expect(report.body.error.code).toBe('STORE.UNAVAILABLE');
    expect(report.ms).toBeLessThan(4_000);

    tap.blackhole(false);
    await storeAnswersAgain();
    expect((await gw.request('GET', '/api/conversations', { token: supervisor.token })).status).toBe(200);
    expect((await gw.request('POST', `/api/conversations/${martasConversation}/read`, { token: supervisor.token })).status).toBe(200);
  });

  it('answers a write that starts just as the store goes silent 503 within 4.5 s, and takes it once the store is back', async () => {
    // Before the driver notices: at most heartbeat + connect timeout (2.5 s) until it cuts the connection in use,
    // then one retry's server selection (1 s), and slack for a busy machine.
    tap.blackhole(true);
    const write = await timed('REST write as the outage starts', () =>
      gw.request('POST', `/api/conversations/${martasConversation}/read`, { token: supervisor.token }),
    );
    expect(write.status).toBe(503);
    expect(write.body.error.code).toBe('STORE.UNAVAILABLE');
    expect(write.ms).toBeLessThan(4_500);
    tap.blackhole(false);
    await storeAnswersAgain();
    expect((await gw.request('POST', `/api/conversations/${martasConversation}/read`, { token: supervisor.token })).status).toBe(200);
  });

  it('keeps a webhook waiting past its deadline while the store is at work, and answers it when the store does', async () => {
    // The store answers everything but this message's insert, as when copies of one update queue behind each other:
    // busy, not gone. Nothing else is sent meanwhile but the gateway's own pings, which the store answers.
    const text = 'Can I pay by card on delivery?';
    const held = tap.hold(insertOf(text), { label: "John's message" });
    const reply = timed('webhook while one insert is held 2.5 s', () => gw.postApi(formMessage(john, text)));
    await held;
    await sleep(2_500);
    tap.release();
    const answered = await reply;
    expect(answered.status).toBe(200);
    expect(answered.ms).toBeGreaterThan(2_500);
    expect(await (await gw.collection('messages')).countDocuments({ text })).toBe(1);
  });

  it('answers 503 at 10 s a webhook whose store work never ends, even while the store answers everything else', async () => {
    const text = 'Чи працюєте ви в неділю?';
    const held = tap.hold(insertOf(text), { label: "Petro's message" });
    const reply = timed('webhook while one insert is held for good', () => gw.postApi(formMessage(petro, text)));
    await held;
    const answered = await reply;
    expect(answered.status).toBe(503);
    expect(answered.body.error.code).toBe('STORE.UNAVAILABLE');
    expect(answered.ms).toBeGreaterThan(9_500);
    expect(answered.ms).toBeLessThan(11_000);
  }, 20_000);
});
