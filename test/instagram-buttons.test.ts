import { createInstagramChannel } from '../channels/instagram';
import { decodeInstagramCallback } from '../channels/instagram/decode';
import { instagramSettingsSchema } from '../channels/instagram/settings';
import { createLogger } from '../shared/logger';
import type { ChannelSender, OutboundText } from '../shared/messages';
import { choices, menu } from './fixtures/choices';
import { callback, fromCustomer, mid, sofia, textMessage } from './fixtures/instagram';
import { FakeGraph } from './support/fake-graph';
import { InboxReader } from './support/inbox-reader';
import { INSTAGRAM, MetaGateway } from './support/meta';
import { corpusItem, realPayloads } from './support/real-payloads';

const outbound = (list: OutboundText['choices'], text = 'Чим можу допомогти?'): OutboundText => ({
  channel: 'instagram',
  to: sofia.igsid,
  text,
  messageId: `m-${Math.random().toString(36).slice(2)}`,
  lastInboundAt: new Date(),
  sender: { type: 'bot' },
  choices: list,
});

const chip = (title: string, payload: string) => ({ content_type: 'text', title, payload });

describe('Instagram quick replies for the choices a message offers', () => {
  let graph: FakeGraph;
  let sender: ChannelSender | undefined;
  beforeAll(async () => {
    graph = await new FakeGraph().start();
    const settings = instagramSettingsSchema.parse({ ...INSTAGRAM, graphUrl: graph.baseUrl });
    sender = createInstagramChannel(settings, createLogger('silent')).sender;
  });
  afterAll(async () => {
    await graph.stop();
  });

  it('sends up to 13 choices as quick replies under the text, titles cut to 20, and writes out more', async () => {
    const fourteen = [...menu, { id: 'jobs', title: 'Вакансії' }, { id: 'blog', title: 'Блог' }];
    for (const list of [choices(2), choices(3), choices(5), choices(12), fourteen]) await sender?.send(outbound(list));
    const messages = graph.sends().map((c) => c.body.message);

    const head = [chip('Доставка', 'delivery'), chip('Оплата', 'payment'), chip('Обмін і повернення…', 'returns')];
    const text = 'Чим можу допомогти?';
    expect(messages[0]).toEqual({ text, quick_replies: head.slice(0, 2) });
    expect(messages[1]).toEqual({ text, quick_replies: head });
    expect(messages[2]).toEqual({ text, quick_replies: [...head, chip('Таблиця розмірів', 'sizes'), chip('Наявність', 'stock')] });
    expect(messages[3]).toEqual({
      text,
      quick_replies: [
        ...head,
        chip('Таблиця розмірів', 'sizes'),
        chip('Наявність', 'stock'),
        chip('Статус замовлення', 'order-status'),
        chip('Знижки', 'discounts'),
        chip('Магазини', 'stores'),
        chip('Оптовим клієнтам', 'wholesale'),
        chip('Гарантія', 'warranty'),
        chip('Залишити відгук', 'feedback'),
        // 23 characters: cut at the word before the limit.
        chip('Зв’язатися з…', 'operator'),
      ],
    });
    // 14 are more than Instagram shows: numbered lines, no quick replies.
    expect(messages[4]).toEqual({
      text: expect.stringMatching(/^Чим можу допомогти\?\n\n1\. Доставка — .*\n14\. Блог\n\nНадішліть номер варіанта у відповідь\.$/s),
    });
  });

  it('writes out choices whose cut titles would read the same', async () => {
    await sender?.send(
      outbound(
        [
          { id: 'returns-goods', title: 'Обмін і повернення товару' },
          { id: 'returns-money', title: 'Обмін і повернення коштів' },
        ],
        'Що саме вас цікавить?',
      ),
    );
    expect(graph.sends().at(-1)?.body.message).toEqual({
      text: 'Що саме вас цікавить?\n\n1. Обмін і повернення товару\n2. Обмін і повернення коштів\n\nНадішліть номер варіанта у відповідь.',
    });
  });

  it('puts the quick replies on the last part of a reply too long for one message', async () => {
    const long = `${'Наша осіння колекція вже в магазині, розміри від 36 до 45. '.repeat(12)}Що вас цікавить?`;
    await sender?.send(outbound(choices(2), long));
    const parts = graph
      .sends()
      .slice(-2)
      .map((c) => c.body.message);
    expect(parts[0]).not.toHaveProperty('quick_replies');
    expect(parts[1]).toMatchObject({
      text: expect.stringMatching(/Що вас цікавить\?$/),
      quick_replies: [chip('Доставка', 'delivery'), chip('Оплата', 'payment')],
    });
  });
});

describe('an Instagram customer tapping a quick reply or an ice breaker', () => {
  const corpus = realPayloads('instagram');
  const courierText = corpusItem(corpus, 'instagram/courier_text.json').body;

  it('decodes a tapped quick reply to its payload and title; typed words carry no choice', () => {
    const tapped = JSON.parse(courierText);
    tapped.entry[0].messaging[0].message = { mid: 'external_id', text: 'Доставка', quick_reply: { payload: 'delivery' } };
    expect(decodeInstagramCallback(tapped).events).toEqual([expect.objectContaining({ text: 'Доставка', choice: 'delivery' })]);
    const typed = decodeInstagramCallback(JSON.parse(courierText)).events;
    expect(typed).toEqual([expect.objectContaining({ text: 'Hello World' })]);
    expect(typed[0]).not.toHaveProperty('choice');
  });

  it('decodes the real ice-breaker postback to its payload as the choice', () => {
    const { body } = corpusItem(corpus, 'instagram/courier_icebreaker_postback.json');
    expect(decodeInstagramCallback(JSON.parse(body)).events).toEqual([
      expect.objectContaining({ text: 'icebreaker question', choice: 'get_started' }),
    ]);
  });

  it('stores the tap through the webhook as the customer’s message, once when Meta redelivers it', async () => {
    const meta = await MetaGateway.start();
    try {
      meta.graph.profiles.set(sofia.igsid, { name: sofia.name, username: sofia.username });
      const tap = callback([fromCustomer(sofia, { message: { mid: mid(), text: 'Таблиця розмірів', quick_reply: { payload: 'sizes' } } })]);
      expect((await meta.post('instagram', tap)).status).toBe(200);
      expect((await meta.post('instagram', tap)).status).toBe(200);
      expect((await meta.post('instagram', callback([textMessage(sofia, 'Таблиця розмірів')]))).status).toBe(200);
      const stored = await new InboxReader(meta.gw).messages();
      expect(stored.map((m) => [m.channel, m.text])).toEqual([
        ['instagram', 'Таблиця розмірів'],
        ['instagram', 'Таблиця розмірів'],
      ]);
    } finally {
      await meta.close();
    }
  });
});
