import { defaultFlows } from '../bot/flows';
import type { BotMenuItem } from '../shared/bot-api';
import { callback, messagesValue, olena, sheena, taras, textCallback, type WaCustomer } from './fixtures/whatsapp';
import { eventually, sleep, type TestManager } from './support/gateway';
import { MetaGateway } from './support/meta';

const envelope = (to: WaCustomer) => ({ messaging_product: 'whatsapp', recipient_type: 'individual', to: to.waId });
const plain = (to: WaCustomer, body: string) => ({ ...envelope(to), type: 'text', text: { preview_url: false, body } });

/** The default menu's four items, more than WhatsApp's three reply buttons: a list. */
const menuList = (to: WaCustomer, text: string) => ({
  ...envelope(to),
  type: 'interactive',
  interactive: {
    type: 'list',
    body: { text },
    action: {
      button: 'Обрати',
      sections: [
        {
          rows: [
            { id: 'prices', title: 'Ціни / Prices' },
            { id: 'delivery', title: 'Доставка / Delivery' },
            { id: 'order', title: 'Замовити / Order' },
            { id: 'manager', title: 'Менеджер / Manager' },
          ],
        },
      ],
    },
  },
});

const threeItems: BotMenuItem[] = defaultFlows.menu.filter((m) => m.id !== 'manager');

/** Three items fit WhatsApp's reply buttons. */
const menuButtons = (to: WaCustomer, text: string) => ({
  ...envelope(to),
  type: 'interactive',
  interactive: {
    type: 'button',
    body: { text },
    action: {
      buttons: [
        { type: 'reply', reply: { id: 'prices', title: 'Ціни / Prices' } },
        { type: 'reply', reply: { id: 'delivery', title: 'Доставка / Delivery' } },
        { type: 'reply', reply: { id: 'order', title: 'Замовити / Order' } },
      ],
    },
  },
});

/** A tap on one of our interactive messages, as Meta's webhook carries it. */
const tap = (from: WaCustomer, interactive: Record<string, unknown>) =>
  callback(
    messagesValue(from, [
      {
        type: 'interactive',
        context: { from: '15550783881', id: 'wamid.HBgMMzgwNjcxMjM0NTY3FQIAERgSQzVBMEE4RjE2QjE4RkE1QjlEAA==' },
        interactive,
      },
    ]),
  );

describe('the chatbot on WhatsApp Cloud with its menu as interactive messages', () => {
  let meta: MetaGateway;
  let admin: TestManager;

  beforeAll(async () => {
    meta = await MetaGateway.start();
    admin = await meta.gw.manager('admin', 'Ірина Адміністраторка');
    expect((await meta.gw.request('PATCH', '/api/bot', { token: admin.token, json: { enabled: true } })).status).toBe(200);
  });
  afterAll(async () => {
    await meta.close();
  });

  const sentTo = (who: WaCustomer) =>
    meta.graph
      .sends()
      .map((c) => c.body)
      .filter((b) => b.to === who.waId);
  const saidTo = async (who: WaCustomer, count: number) => {
    await eventually(async () => sentTo(who).length >= count);
    return sentTo(who);
  };

  it('greets with a list of the four items and answers the row tapped, once when Meta redelivers the tap', async () => {
    expect((await meta.post('whatsapp', textCallback(olena, 'Добрий день!'))).status).toBe(200);
    expect(await saidTo(olena, 1)).toEqual([menuList(olena, defaultFlows.greeting.inHours)]);

    const row = tap(olena, { type: 'list_reply', list_reply: { id: 'delivery', title: 'Доставка / Delivery' } });
    expect((await meta.post('whatsapp', row)).status).toBe(200);
    expect((await meta.post('whatsapp', row)).status).toBe(200);
    await saidTo(olena, 2);
    await sleep(600);
    expect(sentTo(olena).slice(1)).toEqual([menuList(olena, defaultFlows.answers[1]?.text ?? '')]);
  });

  it('greets with three reply buttons when the menu has three items, and answers the button tapped', async () => {
    const { body: current } = await meta.gw.request('GET', '/api/bot/flows', { token: admin.token });
    const saved = await meta.gw.request('PUT', '/api/bot/flows', {
      token: admin.token,
      json: { ...current.flows, menu: threeItems, version: current.version },
    });
    expect(saved.status).toBe(200);

    expect((await meta.post('whatsapp', textCallback(sheena, 'Hello there'))).status).toBe(200);
    expect(await saidTo(sheena, 1)).toEqual([menuButtons(sheena, defaultFlows.greeting.inHours)]);
    await meta.post('whatsapp', tap(sheena, { type: 'button_reply', button_reply: { id: 'prices', title: 'Ціни / Prices' } }));
    expect((await saidTo(sheena, 2))[1]).toEqual(menuButtons(sheena, defaultFlows.answers[0]?.text ?? ''));
  });

  it('asks the name, the phone and the need after "Order" is tapped, and fills the contact card with them', async () => {
    await meta.post('whatsapp', textCallback(taras, 'Вітаю'));
    await saidTo(taras, 1);
    await meta.post('whatsapp', tap(taras, { type: 'button_reply', button_reply: { id: 'order', title: 'Замовити / Order' } }));
    await saidTo(taras, 2);
    for (const [i, said] of ['Тарас Шевчук', '067 123 45 67', 'Шафа-купе 2 м, дуб сонома, з доставкою до Львова'].entries()) {
      await meta.post('whatsapp', textCallback(taras, said));
      await saidTo(taras, i + 3);
    }
    const q = defaultFlows.qualification;
    expect(sentTo(taras).slice(1)).toEqual([q.askName, q.askPhone, q.askNeed, q.done].map((text) => plain(taras, text)));

    const conversation = await eventually(() => meta.inbox.conversationOf({ channel: 'whatsapp', externalId: taras.waId }));
    const card = await eventually(async () => {
      const reply = await meta.gw.request('GET', `/api/conversations/${conversation.id}/contact`, { token: admin.token });
      return reply.status === 200 && reply.body.need ? reply.body : undefined;
    });
    expect(card).toMatchObject({
      name: 'Тарас Шевчук',
      phone: '+380671234567',
      need: 'Шафа-купе 2 м, дуб сонома, з доставкою до Львова',
    });
    const open = await eventually(async () => {
      const c = await meta.inbox.conversation(conversation.id);
      return c.status === 'open' ? c : undefined;
    });
    expect(open.heldByBot).toBeUndefined();
    const note = (await meta.inbox.messagesOf(conversation.id)).find((m) => m.note);
    expect(note?.text).toContain('Телефон / Phone: +380671234567');
  });
});
