import { defaultFlows } from '../bot/flows';
import { nextMessageToken, olena, postViber, textCallback, VIBER_BOT_NAME, VIBER_TOKEN, viberEnv } from './fixtures/viber';
import { FakeViber } from './support/fake-viber';
import { eventually, sleep, TestGateway } from './support/gateway';
import { InboxReader } from './support/inbox-reader';

/** What the customer's phone sends back for our button: its title, U+2063, then the id in Unicode tag characters. */
const actionBody = (title: string, id: string): string =>
  `${title}\u2063${Array.from(id, (ch) => String.fromCodePoint(0xe0000 + (ch.codePointAt(0) ?? 0))).join('')}`;

const button = (title: string, id: string) => ({
  Columns: 6,
  Rows: 1,
  ActionType: 'reply',
  ActionBody: actionBody(title, id),
  Text: title,
  TextSize: 'regular',
});

/** The default menu as Viber draws it: no two short titles side by side, so a row each. */
const menuKeyboard = {
  Type: 'keyboard',
  DefaultHeight: false,
  Buttons: [
    button('Ціни / Prices', 'prices'),
    button('Доставка / Delivery', 'delivery'),
    button('Замовити / Order', 'order'),
    button('Менеджер / Manager', 'manager'),
  ],
};

describe('the chatbot on Viber with its menu as a keyboard', () => {
  let fake: FakeViber;
  let gw: TestGateway;
  let inbox: InboxReader;

  beforeAll(async () => {
    fake = await new FakeViber(VIBER_TOKEN).start();
    gw = await TestGateway.start({ env: viberEnv(fake.apiUrl) });
    inbox = new InboxReader(gw);
    const admin = await gw.manager('admin', 'Ірина Адміністраторка');
    expect((await gw.request('PATCH', '/api/bot', { token: admin.token, json: { enabled: true } })).status).toBe(200);
  });
  afterAll(async () => {
    await gw.close();
    await fake.stop();
  });

  const sent = () => fake.callsTo('send_message').map((c) => c.body);
  const envelope = { receiver: olena.id, min_api_version: 1, sender: { name: VIBER_BOT_NAME }, type: 'text' };

  it('greets with the keyboard, answers a pressed button, and falls silent once a manager takes over', async () => {
    expect((await postViber(gw, textCallback(olena, 'Доброго дня! Підкажіть, будь ласка'))).status).toBe(200);
    await fake.waitForCalls('send_message', 1);
    expect(sent()[0]).toEqual({ ...envelope, text: defaultFlows.greeting.inHours, keyboard: menuKeyboard });

    const press = textCallback(olena, menuKeyboard.Buttons[0]?.ActionBody ?? '', { token: nextMessageToken() });
    expect((await postViber(gw, press)).status).toBe(200);
    expect((await postViber(gw, press)).status).toBe(200);
    await fake.waitForCalls('send_message', 2);
    await sleep(600);
    expect(sent().slice(1)).toEqual([{ ...envelope, text: defaultFlows.answers[0]?.text, keyboard: menuKeyboard }]);

    const conversation = await eventually(() => inbox.conversationOf({ channel: 'viber', externalId: olena.id }));
    expect(conversation).toMatchObject({ status: 'pending', heldByBot: true });
    expect((await inbox.messagesOf(conversation.id)).filter((m) => m.direction === 'in').map((m) => m.text)).toEqual([
      'Доброго дня! Підкажіть, будь ласка',
      'Ціни / Prices',
    ]);

    const manager = await gw.manager('supervisor', 'Марко Старший');
    const taken = await gw.request('POST', `/api/conversations/${conversation.id}/takeover`, { token: manager.token });
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({ status: 'open', assigneeId: manager.agent.id });
    expect(taken.body.heldByBot).toBeUndefined();

    await postViber(gw, textCallback(olena, menuKeyboard.Buttons[1]?.ActionBody ?? ''));
    await postViber(gw, textCallback(olena, 'А доставка скільки коштує?'));
    await eventually(async () => (await inbox.messagesOf(conversation.id)).filter((m) => m.direction === 'in').length === 4);
    await sleep(800);
    expect(sent()).toHaveLength(2);
    expect((await inbox.messagesOf(conversation.id)).filter((m) => m.sender.type === 'bot')).toHaveLength(2);
  });
});
