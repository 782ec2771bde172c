import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ViberClient } from '../channels/viber/client';
import { toDeliveryError, ViberSender } from '../channels/viber/send';
import { viberRateLimitsSchema, viberSettingsSchema } from '../channels/viber/settings';
import { ConfigError, loadConfig } from '../gateway/config';
import type { OutboundText } from '../shared/messages';
import { john, olena, VIBER_BOT_NAME, VIBER_TOKEN } from './fixtures/viber';
import { deliveryFailure as failure } from './support/delivery-failure';
import { FakeViber } from './support/fake-viber';

const outbound = (to: string, text: string): OutboundText => ({
  channel: 'viber',
  to,
  text,
  messageId: `m-${Math.random().toString(36).slice(2)}`,
  lastInboundAt: null,
});

describe('the Viber sender against a local Viber API', () => {
  let fake: FakeViber;
  beforeEach(async () => {
    fake = await new FakeViber(VIBER_TOKEN).start();
  });
  afterEach(async () => {
    await fake.stop();
  });

  const sender = (
    limits: Partial<ReturnType<typeof viberRateLimitsSchema.parse>> = {},
    extra: { onUnreachable?: (u: string) => Promise<void>; now?: () => number } = {},
  ) =>
    new ViberSender(new ViberClient(fake.apiUrl, VIBER_TOKEN, 2000), {
      botName: VIBER_BOT_NAME,
      limits: viberRateLimitsSchema.parse({ perUserMinTimeMs: 0, ...limits }),
      ...extra,
    });

  it('posts exactly what send_message expects and returns the 64-bit token digit for digit', async () => {
    const result = await sender().send(outbound(olena.id, 'Вітаю, Олено! Так, 39 розмір є.'));

    const [call] = fake.callsTo('send_message');
    expect(call?.authToken).toBe(VIBER_TOKEN);
    expect(call?.contentType).toBe('application/json');
    expect(call?.body).toEqual({
      receiver: olena.id,
      min_api_version: 1,
      sender: { name: VIBER_BOT_NAME },
      type: 'text',
      text: 'Вітаю, Олено! Так, 39 розмір є.',
    });
    expect(fake.issuedTokens).toEqual(['5741311803571721087']);
    expect(result).toEqual({ externalId: '5741311803571721087' });
    // The double nearest to it is another number: a plain JSON.parse would have stored a token no receipt matches.
    expect(String(JSON.parse('{"t":5741311803571721087}').t)).not.toBe('5741311803571721087');
  });

  it('classifies Viber’s answers: rate limit and general errors retry, refusals do not', async () => {
    const statuses: Record<string, string> = {};
    fake.respond((call) => {
      const text = String(call.body.text);
      if (text === 'http-500') return { httpStatus: 500, body: 'Internal Server Error' };
      if (text === 'http-404') return { httpStatus: 404, body: 'Not Found' };
      if (text === 'not-json') return { body: '<html>gateway</html>' };
      const status = /^status-(\d+)$/.exec(text)?.[1];
      return status ? { body: { status: Number(status), status_message: `status ${status}` } } : undefined;
    });
    const s = sender();
    for (const text of ['status-12', 'status-6', 'status-5', 'status-2', 'status-3', 'status-99', 'http-500', 'http-404', 'not-json']) {
      // A receiver each: after Viber's "Too many requests" the sender holds that user back for the rest of the hour.
      const e = await failure(s.send(outbound(`user-${text}`, text)));
      statuses[text] = `${e.retryable ? 'retry' : 'final'}${e.retryAfterMs ? ` after ${e.retryAfterMs / 60_000} min` : ''}`;
    }
    expect(statuses).toEqual({
      'status-12': 'retry after 15 min',
      'status-6': 'final',
      'status-5': 'final',
      'status-2': 'final',
      'status-3': 'final',
      'status-99': 'retry',
      'http-500': 'retry',
      'http-404': 'final',
      'not-json': 'retry',
    });
  });

  it('retries when Viber cannot be reached at all', async () => {
    const closed = await new Promise<Server>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const s = new ViberSender(new ViberClient(`http://127.0.0.1:${port}/pa`, VIBER_TOKEN, 1000), {
      botName: VIBER_BOT_NAME,
      limits: viberRateLimitsSchema.parse({}),
    });
    const e = await failure(s.send(outbound(john.id, 'Hello?')));
    expect({ retryable: e.retryable, message: e.message }).toEqual({ retryable: true, message: expect.stringMatching(/unreachable/) });
  });

  it('reports a user who is not subscribed as unreachable', async () => {
    fake.respond(() => ({ body: { status: 6, status_message: 'notSubscribed' } }));
    const unreachable: string[] = [];
    const e = await failure(sender({}, { onUnreachable: async (u) => void unreachable.push(u) }).send(outbound(olena.id, 'Ви тут?')));
    expect({ retryable: e.retryable, unreachable }).toEqual({ retryable: false, unreachable: [olena.id] });
  });

  it('holds a user back once Viber says they had too many messages', async () => {
    fake.respond((_call, index) => (index === 0 ? { body: { status: 12, status_message: 'Too many requests' } } : undefined));
    const s = sender();
    const first = await failure(s.send(outbound(john.id, 'Reminder: your cart is waiting')));
    const second = await failure(s.send(outbound(john.id, 'Last chance!')));
    expect([first.retryable, second.retryable, second.message]).toEqual([true, true, expect.stringMatching(/100 messages an hour/)]);
    expect(fake.callsTo('send_message')).toHaveLength(1);
  });

  it('keeps to the hourly allowance per user, and starts counting again when the user writes', async () => {
    let now = 1_000_000;
    const s = sender({ perUserPerHour: 2 }, { now: () => now });
    await s.send(outbound(olena.id, 'Перше'));
    await s.send(outbound(olena.id, 'Друге'));
    const third = await failure(s.send(outbound(olena.id, 'Третє')));
    // Another user has an allowance of their own.
    await s.send(outbound(john.id, 'Your order has shipped'));
    now += 20 * 60_000;
    const stillWaiting = await failure(s.send(outbound(olena.id, 'Третє')));
    s.customerWrote(olena.id);
    await s.send(outbound(olena.id, 'Третє'));

    expect({ retryable: third.retryable, retryAfterMs: third.retryAfterMs }).toEqual({ retryable: true, retryAfterMs: 3600_000 });
    expect(stillWaiting.retryAfterMs).toBe(40 * 60_000);
    expect(fake.callsTo('send_message').map((c) => c.body.text)).toEqual(['Перше', 'Друге', 'Your order has shipped', 'Третє']);
  });

  it('sends to one user one message at a time, in order, each one the pause after Viber answered the one before', async () => {
    // Viber takes 120 ms over the first answer: spacing the starts alone would let the second in 30 ms after it.
    fake.answerDelayMs = (_call, index) => (index === 0 ? 120 : 0);
    const s = sender({ perUserMinTimeMs: 150 });
    const texts = ['Один', 'Два', 'Три'];
    await Promise.all(texts.map((t) => s.send(outbound(olena.id, t))));
    const calls = fake.callsTo('send_message');
    expect(calls.map((c) => c.body.text)).toEqual(texts);
    const pauses = calls.slice(1).map((c, i) => c.at - (calls[i]?.answeredAt ?? Number.POSITIVE_INFINITY));
    expect(Math.min(...pauses)).toBeGreaterThanOrEqual(150);
  });

  it('keeps the global rate across users', async () => {
    const s = sender({ globalPerSecond: 3 });
    const started = Date.now();
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => s.send(outbound(`user-${id}`, 'Знижка 10% до неділі'))));
    const sentAfterMs = fake
      .callsTo('send_message')
      .map((c) => c.at - started)
      .sort((a, b) => a - b);
    // Three go out at once; the other two wait for the next second's allowance.
    expect(sentAfterMs).toHaveLength(5);
    expect(sentAfterMs[3]).toBeGreaterThanOrEqual(950);
    expect(sentAfterMs[2]).toBeLessThan(sentAfterMs[3] ?? 0);
  });
});

describe('Viber settings', () => {
  const base = { NODE_ENV: 'test', JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789' };

  function configError(env: Record<string, string>): ConfigError {
    try {
      loadConfig({ ...base, ...env });
    } catch (e) {
      if (e instanceof ConfigError) return e;
      throw e;
    }
    throw new Error('expected a ConfigError');
  }

  it('requires a bot name of at most 28 characters once the token is set', () => {
    expect(configError({ VIBER_AUTH_TOKEN: VIBER_TOKEN }).message).toBe(
      'invalid setting VIBER_BOT_NAME: is required when VIBER_AUTH_TOKEN is set',
    );
    expect(configError({ VIBER_AUTH_TOKEN: VIBER_TOKEN, VIBER_BOT_NAME: 'Найкраща взуттєва крамниця Києва' }).setting).toBe(
      'VIBER_BOT_NAME',
    );
    expect(configError({ VIBER_AUTH_TOKEN: VIBER_TOKEN, VIBER_BOT_NAME: 'Shop', VIBER_API_URL: 'chatapi' }).setting).toBe('VIBER_API_URL');
    const config = loadConfig({ ...base, VIBER_AUTH_TOKEN: VIBER_TOKEN, VIBER_BOT_NAME: 'Shop', VIBER_WELCOME_TEXT: 'Вітаємо!' });
    expect([config.VIBER_API_URL, config.VIBER_WELCOME_TEXT]).toEqual(['https://chatapi.viber.com/pa', 'Вітаємо!']);
  });

  it('documents its rate-limit defaults and drops a trailing slash from the API URL', () => {
    const settings = viberSettingsSchema.parse({ authToken: VIBER_TOKEN, botName: 'Shop', apiUrl: 'https://chatapi.viber.com/pa/' });
    expect(settings.apiUrl).toBe('https://chatapi.viber.com/pa');
    expect(settings.limits).toEqual({ perUserPerHour: 100, perUserMinTimeMs: 200, globalPerSecond: 50, globalConcurrency: 10 });
  });

  it('classifies what is not a Viber answer at all as worth another try', () => {
    expect(toDeliveryError(new Error('socket hang up')).retryable).toBe(true);
  });
});
