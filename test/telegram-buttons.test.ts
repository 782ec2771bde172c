import { createTelegramChannel } from '../channels/telegram';
import { decodeTelegramUpdate } from '../channels/telegram/decode';
import { telegramSettingsSchema } from '../channels/telegram/settings';
import { createLogger } from '../shared/logger';
import type { InboundMessage, OutboundText } from '../shared/messages';
import { choices } from './fixtures/choices';
import { ann, buttonPress, olena } from './fixtures/telegram';
import { FakeTelegram } from './support/fake-telegram';
import { eventually, TELEGRAM_TOKEN, TestGateway } from './support/gateway';
import { InboxReader } from './support/inbox-reader';
import { corpusItem, realPayloads } from './support/real-payloads';

const outbound = (n: number): OutboundText => ({
  channel: 'telegram',
  to: String(olena.id),
  text: 'Чим можу допомогти?',
  messageId: `m-${n}`,
  lastInboundAt: new Date(),
  sender: { type: 'bot' },
  choices: choices(n),
});

describe('Telegram inline keyboards for the choices a message offers', () => {
  let fake: FakeTelegram;
  beforeAll(async () => {
    fake = await new FakeTelegram().start();
  });
  afterAll(async () => {
    await fake.stop();
  });

  it('sends the text with one button a choice, callback_data the id, two short ones to a row', async () => {
    const settings = telegramSettingsSchema.parse({ token: TELEGRAM_TOKEN, mode: 'webhook', apiRoot: fake.url, inlineRetries: 0 });
    const { sender } = createTelegramChannel(settings, createLogger('silent'));
    for (const n of [2, 3, 5, 12]) await sender?.send(outbound(n));

    const keyboards = fake.callsTo('sendMessage').map((c) => c.body);
    expect(keyboards.map((body) => body.text)).toEqual(Array(4).fill('Чим можу допомогти?'));
    const delivery = { text: 'Доставка', callback_data: 'delivery' };
    const payment = { text: 'Оплата', callback_data: 'payment' };
    const returns = { text: 'Обмін і повернення товару протягом 14 днів', callback_data: 'returns' };
    const sizes = { text: 'Таблиця розмірів', callback_data: 'sizes' };
    const stock = { text: 'Наявність', callback_data: 'stock' };
    expect(keyboards[0]?.reply_markup).toEqual({ inline_keyboard: [[delivery, payment]] });
    expect(keyboards[1]?.reply_markup).toEqual({ inline_keyboard: [[delivery, payment], [returns]] });
    expect(keyboards[2]?.reply_markup).toEqual({ inline_keyboard: [[delivery, payment], [returns], [sizes, stock]] });
    expect(keyboards[3]?.reply_markup).toEqual({
      inline_keyboard: [
        [delivery, payment],
        [returns],
        [sizes, stock],
        [{ text: 'Статус замовлення', callback_data: 'order-status' }],
        [
          { text: 'Знижки', callback_data: 'discounts' },
          { text: 'Магазини', callback_data: 'stores' },
        ],
        [
          { text: 'Оптовим клієнтам', callback_data: 'wholesale' },
          { text: 'Гарантія', callback_data: 'warranty' },
        ],
        [{ text: 'Залишити відгук', callback_data: 'feedback' }],
        [{ text: 'Зв’язатися з оператором', callback_data: 'operator' }],
      ],
    });
  });
});

describe('a Telegram keyboard sent without words of its own', () => {
  it('goes out under a prompt, since Telegram refuses a message with no text', async () => {
    const fake = await new FakeTelegram().start();
    try {
      const settings = telegramSettingsSchema.parse({ token: TELEGRAM_TOKEN, mode: 'webhook', apiRoot: fake.url, inlineRetries: 0 });
      await createTelegramChannel(settings, createLogger('silent')).sender?.send({ ...outbound(2), text: '' });
      expect(fake.callsTo('sendMessage')[0]?.body).toMatchObject({ text: 'Оберіть варіант:' });
    } finally {
      await fake.stop();
    }
  });
});

describe('a Telegram button press', () => {
  const keyboard = [
    [
      { text: 'Доставка', callback_data: 'delivery' },
      { text: 'Оплата', callback_data: 'payment' },
    ],
    [{ text: 'Зв’язатися з оператором', callback_data: 'operator' }],
  ];

  it('decodes to the pressed choice with the button’s words, keyed by the callback query', () => {
    const update = buttonPress(olena, keyboard, 'operator', { callbackQueryId: '4382000000000000777' });
    const receivedAt = new Date('2026-12-01T10:15:00Z');
    const { events } = decodeTelegramUpdate(update, JSON.stringify(update), receivedAt);
    expect(events).toEqual([
      expect.objectContaining<Partial<InboundMessage>>({
        kind: 'message',
        channel: 'telegram',
        externalId: 'cb:4382000000000000777',
        choice: 'operator',
        text: 'Зв’язатися з оператором',
        contact: { externalId: String(olena.id), name: 'Олена Коваленко', username: 'olena_k', language: 'uk' },
        sentAt: receivedAt,
      }),
    ]);
  });

  it('refuses a press whose callback query id is not a token, rather than keep it under that key', () => {
    const update = buttonPress(olena, keyboard, 'operator', { callbackQueryId: '[object Object]' });
    expect(() => decodeTelegramUpdate(update, JSON.stringify(update), new Date())).toThrow(/callback query id/);
  });

  it('keeps a press whose data cannot be one of our choice ids as the button’s words alone', () => {
    const update = buttonPress(olena, [[{ text: 'Розмір 39', callback_data: 'size 39' }]], 'size 39');
    const [event] = decodeTelegramUpdate(update, JSON.stringify(update), new Date()).events;
    expect(event).toMatchObject({ kind: 'message', text: 'Розмір 39' });
    expect(event).not.toHaveProperty('choice');
  });

  it('decodes the real bodies: a press with no keyboard in its message reads as its data, inline and group presses are not kept', () => {
    const corpus = realPayloads('telegram');
    const decode = (file: string) => {
      const { body } = corpusItem(corpus, file);
      return decodeTelegramUpdate(JSON.parse(body), body, new Date('2026-12-01T10:15:00Z'));
    };
    expect(decode('telegram/bottender_callback_query.json').events).toEqual([
      expect.objectContaining({
        externalId: 'cb:123',
        choice: 'data',
        text: 'data',
        contact: expect.objectContaining({ externalId: '427770117' }),
      }),
    ]);
    expect(decode('telegram/doc_callback_query.json')).toEqual({
      events: [],
      unsupported: 'button press on a message sent in inline mode',
    });
    expect(decode('telegram/bottender_group_callback_query.json')).toEqual({ events: [], unsupported: 'button press in a group chat' });
  });

  it('arrives by webhook as the customer’s message, answered in the webhook reply, once when redelivered', async () => {
    const gw = await TestGateway.start({ env: { PUBLIC_URL: 'https://inbox.shop.example' } });
    try {
      // The webhook is registered for presses too.
      expect(gw.telegram.callsTo('setWebhook')[0]?.body).toMatchObject({
        url: 'https://inbox.shop.example/webhooks/telegram',
        allowed_updates: ['message', 'edited_message', 'callback_query'],
      });
      const update = buttonPress(ann, keyboard, 'delivery');
      const callbackQueryId = (update.callback_query as { id: string }).id;
      const first = await gw.postTelegram(update);
      const again = await gw.postTelegram(update);

      for (const reply of [first, again]) {
        expect(reply.status).toBe(200);
        expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
        expect(reply.body).toEqual({ method: 'answerCallbackQuery', callback_query_id: callbackQueryId });
      }
      const stored = (await new InboxReader(gw).messages()).filter((m) => m.direction === 'in');
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ channel: 'telegram', text: 'Доставка', externalId: `cb:${callbackQueryId}` });
    } finally {
      await gw.close();
    }
  });

  it('arrives by long polling, answered with answerCallbackQuery, once when Telegram hands it out again', async () => {
    const gw = await TestGateway.start({ env: { TELEGRAM_MODE: 'polling' } });
    try {
      const update = buttonPress(olena, keyboard, 'payment');
      const callbackQueryId = (update.callback_query as { id: string }).id;
      gw.telegram.queueUpdate(update);
      await gw.telegram.waitForCalls('answerCallbackQuery', 1);
      // The same press again under a new update id, as after a restart that lost the offset.
      gw.telegram.queueUpdate({ ...update, update_id: update.update_id + 1 });
      await gw.telegram.waitForCalls('answerCallbackQuery', 2);

      expect(gw.telegram.callsTo('answerCallbackQuery').map((c) => c.body)).toEqual([
        { callback_query_id: callbackQueryId },
        { callback_query_id: callbackQueryId },
      ]);
      expect(gw.telegram.callsTo('deleteWebhook')[0]?.body).toMatchObject({ drop_pending_updates: false });
      expect(gw.telegram.callsTo('getUpdates')[0]?.body.allowed_updates).toEqual(['message', 'edited_message', 'callback_query']);
      await eventually(async () => (await new InboxReader(gw).messages()).length === 1);
      const stored = await new InboxReader(gw).messages();
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ channel: 'telegram', text: 'Оплата', externalId: `cb:${callbackQueryId}` });
    } finally {
      await gw.close();
    }
  });
});
