import JSONbig from 'json-bigint';
import { ViberClient } from '../channels/viber/client';
import { decodeViberCallback } from '../channels/viber/decode';
import { ViberSender } from '../channels/viber/send';
import { viberRateLimitsSchema } from '../channels/viber/settings';
import type { OutboundText } from '../shared/messages';
import { choices, menu } from './fixtures/choices';
import { john, nextMessageToken, olena, postViber, textCallback, VIBER_BOT_NAME, VIBER_TOKEN, viberEnv } from './fixtures/viber';
import { FakeViber } from './support/fake-viber';
import { TestGateway } from './support/gateway';
import { InboxReader } from './support/inbox-reader';
import { corpusItem, realPayloads } from './support/real-payloads';

/** What the customer's phone sends back for our button: its title, U+2063, then the id in Unicode tag characters. */
const pressed = (title: string, id: string): string =>
  `${title}\u2063${Array.from(id, (ch) => String.fromCodePoint(0xe0000 + (ch.codePointAt(0) ?? 0))).join('')}`;

const outbound = (choiceList: OutboundText['choices'], text = 'Чим можу допомогти?'): OutboundText => ({
  channel: 'viber',
  to: olena.id,
  text,
  messageId: `m-${Math.random().toString(36).slice(2)}`,
  lastInboundAt: new Date(),
  sender: { type: 'bot' },
  choices: choiceList,
});

const reply = (columns: number, title: string, id: string, text = title) => ({
  Columns: columns,
  Rows: 1,
  ActionType: 'reply',
  ActionBody: pressed(title, id),
  Text: text,
  TextSize: 'regular',
});

describe('Viber keyboards for the choices a message offers', () => {
  let fake: FakeViber;
  beforeAll(async () => {
    fake = await new FakeViber(VIBER_TOKEN).start();
  });
  afterAll(async () => {
    await fake.stop();
  });

  it('sends the text with a reply button a choice, two short ones to a row, and writes out a menu beyond 24', async () => {
    const sender = new ViberSender(new ViberClient(fake.apiUrl, VIBER_TOKEN, 2000), {
      botName: VIBER_BOT_NAME,
      limits: viberRateLimitsSchema.parse({ perUserMinTimeMs: 0 }),
    });
    const long = [...menu, ...menu, { id: 'more', title: 'Ще' }].map((c, i) => ({ ...c, id: `${c.id}-${i}` }));
    for (const list of [choices(2), choices(3), choices(5), choices(12), long]) await sender.send(outbound(list));
    const bodies = fake.callsTo('send_message').map((c) => c.body as Record<string, unknown>);

    const envelope = {
      receiver: olena.id,
      min_api_version: 1,
      sender: { name: VIBER_BOT_NAME },
      type: 'text',
      text: 'Чим можу допомогти?',
    };
    const keyboard = (...Buttons: ReturnType<typeof reply>[]) => ({
      ...envelope,
      keyboard: { Type: 'keyboard', DefaultHeight: false, Buttons },
    });
    const delivery = reply(3, 'Доставка', 'delivery');
    const payment = reply(3, 'Оплата', 'payment');
    const returns = reply(6, 'Обмін і повернення товару протягом 14 днів', 'returns');
    const sizes = reply(3, 'Таблиця розмірів', 'sizes');
    const stock = reply(3, 'Наявність', 'stock');
    expect(bodies[0]).toEqual(keyboard(delivery, payment));
    expect(bodies[1]).toEqual(keyboard(delivery, payment, returns));
    expect(bodies[2]).toEqual(keyboard(delivery, payment, returns, sizes, stock));
    expect(bodies[3]).toEqual(
      keyboard(
        delivery,
        payment,
        returns,
        sizes,
        stock,
        reply(6, 'Статус замовлення', 'order-status'),
        reply(3, 'Знижки', 'discounts'),
        reply(3, 'Магазини', 'stores'),
        reply(3, 'Оптовим клієнтам', 'wholesale'),
        reply(3, 'Гарантія', 'warranty'),
        reply(6, 'Залишити відгук', 'feedback'),
        reply(6, 'Зв’язатися з оператором', 'operator'),
      ),
    );
    // 25 choices are more than Viber draws: numbered lines under the text, no keyboard.
    expect(bodies[4]).toEqual({
      ...envelope,
      text: expect.stringMatching(/^Чим можу допомогти\?\n\n1\. Доставка — .*\n25\. Ще\n\nНадішліть номер варіанта у відповідь\.$/s),
    });
  });

  it('shows a title with markup characters as written', async () => {
    const sender = new ViberSender(new ViberClient(fake.apiUrl, VIBER_TOKEN, 2000), {
      botName: VIBER_BOT_NAME,
      limits: viberRateLimitsSchema.parse({ perUserMinTimeMs: 0 }),
    });
    await sender.send(outbound([{ id: 'rnd', title: 'R&D <beta>' }], 'Which team?'));
    const body = fake.callsTo('send_message').at(-1)?.body as { keyboard: { Buttons: unknown[] } };
    expect(body.keyboard.Buttons).toEqual([reply(6, 'R&D <beta>', 'rnd', 'R&amp;D &lt;beta&gt;')]);
  });
});

describe('a Viber customer pressing a keyboard button', () => {
  const courierText = corpusItem(realPayloads('viber'), 'viber/courier_text.json').body;
  const decode = (body: string) => decodeViberCallback(JSONbig({ storeAsString: true }).parse(body), body);
  const withText = (text: string) => courierText.replace('"incoming msg"', JSON.stringify(text));

  it('decodes the press to the choice and the title the chat shows', () => {
    const decoded = decode(withText(pressed('Зв’язатися з оператором', 'operator')));
    expect(decoded.kind === 'events' && decoded.events.find((e) => e.kind === 'message')).toMatchObject({
      externalId: '4987381189870374000',
      text: 'Зв’язатися з оператором',
      choice: 'operator',
    });
  });

  it('never takes typed words for a press, the same words as a button included', () => {
    for (const typed of ['incoming msg', 'Зв’язатися з оператором', 'operator', 'Доставка\u2063', 'Доставка\u2063delivery']) {
      const decoded = decode(withText(typed));
      const message = decoded.kind === 'events' ? decoded.events.find((e) => e.kind === 'message') : undefined;
      expect(message).toMatchObject({ text: typed });
      expect(message).not.toHaveProperty('choice');
    }
  });

  it('stores the press through the webhook as the customer’s message, once when Viber redelivers it', async () => {
    const fake = await new FakeViber(VIBER_TOKEN).start();
    const gw = await TestGateway.start({ env: viberEnv(fake.apiUrl) });
    try {
      const press = textCallback(john, pressed('Delivery', 'delivery'), { token: nextMessageToken() });
      expect((await postViber(gw, press)).status).toBe(200);
      expect((await postViber(gw, press)).status).toBe(200);
      const stored = await new InboxReader(gw).messages();
      expect(stored.map((m) => [m.channel, m.text])).toEqual([['viber', 'Delivery']]);
    } finally {
      await gw.close();
      await fake.stop();
    }
  });
});
