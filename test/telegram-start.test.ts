import { pino } from 'pino';
import { createTelegramChannel } from '../channels/telegram';
import { FakeTelegram } from './support/fake-telegram';
import { eventually, TELEGRAM_TOKEN } from './support/gateway';

/** A logger whose lines the test reads. */
function recordingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const log = pino({ level: 'info', base: undefined }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe('Telegram in webhook mode without PUBLIC_URL', () => {
  let telegram: FakeTelegram;
  beforeEach(async () => {
    telegram = await new FakeTelegram().start();
  });
  afterEach(async () => {
    await telegram.stop();
  });

  const start = async () => {
    const { log, lines } = recordingLogger();
    const channel = createTelegramChannel({ token: TELEGRAM_TOKEN, mode: 'webhook', apiRoot: telegram.url, inlineRetries: 0 }, log);
    await channel.start?.(async () => undefined);
    return { channel, lines };
  };

  it('says at start that no update will arrive when Telegram has no webhook for the bot', async () => {
    telegram.respond((call) =>
      call.method === 'getWebhookInfo' ? { status: 200, body: { ok: true, result: { url: '', pending_update_count: 0 } } } : undefined,
    );
    const { lines } = await start();
    await eventually(async () => lines.some((l) => l.level === 50));
    expect(lines.map((l) => l.msg)).toEqual([
      'TELEGRAM_MODE=webhook without PUBLIC_URL: the gateway registers no webhook; updates arrive only if one was set by hand',
      'Telegram has no webhook for this bot, so no update will arrive: set PUBLIC_URL, or TELEGRAM_MODE=polling',
    ]);
    expect(telegram.callsTo('setWebhook')).toHaveLength(0);
  });

  it('is content with a webhook set by hand', async () => {
    const url = 'https://inbox.shop.example/webhooks/telegram';
    telegram.respond((call) =>
      call.method === 'getWebhookInfo' ? { status: 200, body: { ok: true, result: { url, pending_update_count: 0 } } } : undefined,
    );
    const { lines } = await start();
    await eventually(async () => lines.length === 2);
    expect(lines[1]).toMatchObject({ level: 30, msg: 'telegram webhook set by hand found', url });
  });
});
