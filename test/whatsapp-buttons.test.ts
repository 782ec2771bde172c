import { createWhatsAppCloudChannel } from '../channels/whatsapp';
import { decodeWhatsAppCallback } from '../channels/whatsapp/decode';
import { whatsappCloudSettingsSchema } from '../channels/whatsapp/settings';
import { WhatsAppWebSender } from '../channels/whatsapp-web/send';
import { createLogger } from '../shared/logger';
import type { ChannelSender, OutboundText } from '../shared/messages';
import { choices, menuLines } from './fixtures/choices';
import { callback, idOf, messagesValue, olena, textCallback } from './fixtures/whatsapp';
import { FakeGraph } from './support/fake-graph';
import { InboxReader } from './support/inbox-reader';
import { MetaGateway, WHATSAPP } from './support/meta';
import { corpusItem, realPayloads } from './support/real-payloads';
import { StandInWhatsAppWeb } from './support/stand-in-whatsapp-web';

const outbound = (n: number, text = 'Чим можу допомогти?'): OutboundText => ({
  channel: 'whatsapp',
  to: olena.waId,
  text,
  messageId: `m-${n}`,
  lastInboundAt: new Date(),
  sender: { type: 'bot' },
  choices: choices(n),
});

const envelope = { messaging_product: 'whatsapp', recipient_type: 'individual', to: olena.waId };

describe('WhatsApp interactive messages for the choices a message offers', () => {
  let graph: FakeGraph;
  let sender: ChannelSender | undefined;
  beforeAll(async () => {
    graph = await new FakeGraph().start();
    const settings = whatsappCloudSettingsSchema.parse({ ...WHATSAPP, graphUrl: graph.baseUrl });
    sender = createWhatsAppCloudChannel(settings, createLogger('silent')).sender;
  });
  afterAll(async () => {
    await graph.stop();
  });

  it('sends reply buttons for 2 and 3, a list for 5, numbered lines for 12, titles cut to the limits', async () => {
    for (const n of [2, 3, 5, 12]) await sender?.send(outbound(n));
    const [two, three, five, twelve] = graph.sends().map((c) => c.body);

    const button = (id: string, title: string) => ({ type: 'reply', reply: { id, title } });
    expect(two).toEqual({
      ...envelope,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Чим можу допомогти?' },
        action: { buttons: [button('delivery', 'Доставка'), button('payment', 'Оплата')] },
      },
    });
    expect(three).toEqual({
      ...envelope,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Чим можу допомогти?' },
        // 42 characters cut at a word to WhatsApp's 20, the id kept.
        action: { buttons: [button('delivery', 'Доставка'), button('payment', 'Оплата'), button('returns', 'Обмін і повернення…')] },
      },
    });
    expect(five).toEqual({
      ...envelope,
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Чим можу допомогти?' },
        action: {
          button: 'Обрати',
          sections: [
            {
              rows: [
                { id: 'delivery', title: 'Доставка', description: 'Нова пошта, Укрпошта, кур’єр по Києву' },
                { id: 'payment', title: 'Оплата' },
                { id: 'returns', title: 'Обмін і повернення…' },
                { id: 'sizes', title: 'Таблиця розмірів' },
                { id: 'stock', title: 'Наявність' },
              ],
            },
          ],
        },
      },
    });
    expect(twelve).toEqual({
      ...envelope,
      type: 'text',
      text: {
        preview_url: false,
        body: ['Чим можу допомогти?', '', ...menuLines, '', 'Надішліть номер варіанта у відповідь.'].join('\n'),
      },
    });
  });

  it('takes the next form when cut titles would read the same: a list for such buttons, numbered lines for such rows', async () => {
    const branches = [
      { id: 'branch', title: 'Доставка до відділення' },
      { id: 'locker', title: 'Доставка до поштомату' },
    ];
    await sender?.send({ ...outbound(2, 'Куди доставити?'), choices: branches });
    const list = graph.sends().at(-1)?.body as { interactive: { type: string; action: { sections: { rows: unknown[] }[] } } };
    // Cut to a button's 20 both would read "Доставка до…"; a row's 24 takes them whole.
    expect(list.interactive.type).toBe('list');
    expect(list.interactive.action.sections[0]?.rows).toEqual(branches);

    const returns = [
      { id: 'returns-goods', title: 'Обмін і повернення товару' },
      { id: 'returns-money', title: 'Обмін і повернення коштів' },
    ];
    await sender?.send({ ...outbound(2, 'Що саме вас цікавить?'), choices: returns });
    const numbered = graph.sends().at(-1)?.body as { type: string; text: { body: string } };
    expect(numbered.type).toBe('text');
    expect(numbered.text.body).toBe(
      'Що саме вас цікавить?\n\n1. Обмін і повернення товару\n2. Обмін і повернення коштів\n\nНадішліть номер варіанта у відповідь.',
    );
  });

  it('writes the choices under a text longer than an interactive body may be', async () => {
    const long = `${'Our autumn collection is in. '.repeat(40)}Which would you like?`;
    await sender?.send(outbound(2, long));
    const body = graph.sends().at(-1)?.body as { type: string; text: { body: string } };
    expect(body.type).toBe('text');
    expect(body.text.body).toBe(
      `${long}\n\n1. Доставка — Нова пошта, Укрпошта, кур’єр по Києву\n2. Оплата\n\nReply with the number of your choice.`,
    );
  });
});

describe('a WhatsApp customer tapping a reply button or a list row', () => {
  const corpus = realPayloads('whatsapp');
  const decodeReal = (file: string) => {
    const body = JSON.parse(corpusItem(corpus, file).body);
    const phoneNumberId = body.entry[0].changes[0].value.metadata.phone_number_id;
    return decodeWhatsAppCallback(body, { phoneNumberId }).events;
  };

  it('decodes the real bodies to the choice tapped and its title', () => {
    const pressed = (file: string) => decodeReal(file).map((e) => (e.kind === 'message' ? [e.choice, e.text] : e.kind));
    expect(pressed('whatsapp/courier_button_reply.json')).toEqual([['id_button_reply', 'Yes']]);
    expect(pressed('whatsapp/courier_list_reply.json')).toEqual([['id_list_reply', 'Yes']]);
    expect(pressed('whatsapp/pywa_interactive_button_reply.json')).toEqual([['callback_data', 'title']]);
    expect(pressed('whatsapp/pywa_interactive_list_reply.json')).toEqual([['callback_data', 'title']]);
    // A template's quick-reply button: its payload is the choice.
    expect(pressed('whatsapp/courier_template_button.json')).toEqual([['No-Button-Payload', 'No']]);
    expect(pressed('whatsapp/pywa_template_quick_reply.json')).toEqual([['callback_data', 'title']]);
    // Words typed by the customer are never a choice, even the same words as a button's.
    expect(pressed('whatsapp/courier_text.json').map((p) => (Array.isArray(p) ? p[0] : p))).toEqual([undefined]);
  });

  it('stores the tap through the webhook as the customer’s message, once when Meta redelivers it', async () => {
    const meta = await MetaGateway.start();
    try {
      const tap = callback(
        messagesValue(olena, [
          {
            type: 'interactive',
            context: { from: '15550783881', id: 'wamid.HBgMMzgwNjcxMjM0NTY3FQIAERgSQzVBMEE4RjE2QjE4RkE1QjlEAA==' },
            interactive: { type: 'list_reply', list_reply: { id: 'sizes', title: 'Таблиця розмірів' } },
          },
        ]),
      );
      expect((await meta.post('whatsapp', tap)).status).toBe(200);
      expect((await meta.post('whatsapp', tap)).status).toBe(200);
      expect((await meta.post('whatsapp', textCallback(olena, 'Таблиця розмірів'))).status).toBe(200);

      const stored = await new InboxReader(meta.gw).messages();
      expect(stored.map((m) => [m.externalId, m.text])).toEqual([
        [idOf(tap), 'Таблиця розмірів'],
        [expect.any(String), 'Таблиця розмірів'],
      ]);
    } finally {
      await meta.close();
    }
  });
});

describe('WhatsApp Web, where buttons and lists no longer reach the customer', () => {
  it('sends the choices as numbered lines under the text', async () => {
    const client = new StandInWhatsAppWeb({ chromiumPath: '/usr/bin/chromium', sessionDir: '/tmp/unused' });
    const session = { whenReady: async () => client, readyClient: () => client, status: () => ({ state: 'ready', reason: null }) };
    const sender = new WhatsAppWebSender(session, { perChatIntervalMs: 0, globalIntervalMs: 0, readyWaitMs: 100 });
    await sender.send({ ...outbound(3, 'Hi Olena! What can I help you with?'), to: '380501234567' });

    expect(client.sent.map(({ chatId, content }) => ({ chatId, content }))).toEqual([
      {
        chatId: '380501234567@c.us',
        content: [
          'Hi Olena! What can I help you with?',
          '',
          '1. Доставка — Нова пошта, Укрпошта, кур’єр по Києву',
          '2. Оплата',
          '3. Обмін і повернення товару протягом 14 днів',
          '',
          'Reply with the number of your choice.',
        ].join('\n'),
      },
    ]);
  });
});
