import { defaultFlows } from '../bot/flows';
import { callback, fromCustomer, mid, sofia, textMessage } from './fixtures/instagram';
import { eventually, sleep } from './support/gateway';
import { MetaGateway } from './support/meta';

const chip = (title: string, payload: string) => ({ content_type: 'text', title, payload });

/** The default menu as quick replies under the bot's text. */
const menuChips = [
  chip('Ціни / Prices', 'prices'),
  chip('Доставка / Delivery', 'delivery'),
  chip('Замовити / Order', 'order'),
  chip('Менеджер / Manager', 'manager'),
];

describe('the chatbot on Instagram Direct with its menu as quick replies', () => {
  let meta: MetaGateway;

  beforeAll(async () => {
    meta = await MetaGateway.start();
    meta.graph.profiles.set(sofia.igsid, { name: sofia.name, username: sofia.username });
    const admin = await meta.gw.manager('admin', 'Ірина Адміністраторка');
    expect((await meta.gw.request('PATCH', '/api/bot', { token: admin.token, json: { enabled: true } })).status).toBe(200);
  });
  afterAll(async () => {
    await meta.close();
  });

  const sent = () => meta.graph.sends().map((c) => c.body as { recipient: { id: string }; message: unknown });

  it('greets with quick replies and answers the one tapped, once when Meta redelivers the tap', async () => {
    expect((await meta.post('instagram', callback([textMessage(sofia, 'Привіт! Є питання')]))).status).toBe(200);
    await meta.graph.waitForSends(1);
    expect(sent()[0]).toMatchObject({ recipient: { id: sofia.igsid } });
    expect(sent()[0]?.message).toEqual({ text: defaultFlows.greeting.inHours, quick_replies: menuChips });

    const tap = callback([
      fromCustomer(sofia, { message: { mid: mid(), text: 'Доставка / Delivery', quick_reply: { payload: 'delivery' } } }),
    ]);
    expect((await meta.post('instagram', tap)).status).toBe(200);
    expect((await meta.post('instagram', tap)).status).toBe(200);
    await meta.graph.waitForSends(2);
    await sleep(600);
    expect(sent().map((b) => b.message)).toEqual([
      { text: defaultFlows.greeting.inHours, quick_replies: menuChips },
      { text: defaultFlows.answers[1]?.text, quick_replies: menuChips },
    ]);
    const conversation = await eventually(() => meta.inbox.conversationOf({ channel: 'instagram', externalId: sofia.igsid }));
    expect(conversation).toMatchObject({ status: 'pending', heldByBot: true, assigneeId: null });
  });
});
