import { ann, olena, textUpdate } from './fixtures/telegram';
import { sleep, TestGateway } from './support/gateway';
import { InboxReader } from './support/inbox-reader';

describe('redelivered and concurrent webhooks', () => {
  let gw: TestGateway;
  let inbox: InboxReader;
  beforeAll(async () => {
    gw = await TestGateway.start();
    inbox = new InboxReader(gw);
  });
  afterAll(async () => {
    await gw.close();
  });

  it('stores one message when the same update arrives 100 times at once', async () => {
    const update = textUpdate(ann, 'Hello, is my order #1042 shipped yet?');
    const replies = await Promise.all(Array.from({ length: 100 }, () => gw.postTelegram(update)));
    expect(replies.map((r) => r.status)).toEqual(Array(100).fill(200));
    expect((await inbox.messages()).filter((m) => m.text === 'Hello, is my order #1042 shipped yet?')).toHaveLength(1);
    const conversation = await inbox.conversationOf('Ann');
    // The message's effects were applied once, not once per delivery.
    expect(conversation?.unreadCount).toBe(1);
  });

  it('opens one conversation when a new customer sends several first messages at once', async () => {
    const updates = ['Добрий день', 'Хочу замовити торт', 'На суботу', 'Шоколадний', 'Дякую!'].map((text) => textUpdate(olena, text));
    const replies = await Promise.all(updates.map((u) => gw.postTelegram(u)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const withOlena = await inbox.conversationsOf({ channel: 'telegram', externalId: String(olena.id) });
    expect(new Set(withOlena.map((c) => c.contact.id)).size).toBe(1);
    expect(withOlena).toHaveLength(1);
    const [conversation] = withOlena;
    expect(await inbox.messagesOf(String(conversation?.id))).toHaveLength(5);
    expect(conversation?.unreadCount).toBe(5);
  });

  it('applies and announces every first message when many new customers each send several at once', async () => {
    const supervisor = await gw.manager('supervisor', 'Supervisor Sam');
    const live = await gw.connect(supervisor.token);
    const customers = Array.from({ length: 20 }, (_, i) => ({ ...olena, id: 380_500_000_100 + i, first_name: `Клієнтка ${i + 1}` }));
    const texts = ['Добрий день', 'Чи є доставка до Львова?', 'Can I pay by card?', 'Дякую!'];
    const updates = customers.flatMap((from) => texts.map((text) => textUpdate(from, `${text} (${from.first_name})`)));
    const replies = await Promise.all(updates.map((u) => gw.postTelegram(u)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const names = new Set(customers.map((c) => `${c.first_name} ${c.last_name}`));
    const stored = (await inbox.conversations()).filter((c) => names.has(c.contact.name));
    expect(stored.map((c) => c.unreadCount)).toEqual(Array(customers.length).fill(texts.length));
    // Every one is announced live; give the last events a moment to arrive, then name any that did not.
    for (let waited = 0; live.of('message:new').length < updates.length && waited < 5_000; waited += 50) await sleep(50);
    const announced = new Set(live.of('message:new').map((p) => p.message.text));
    expect(updates.filter((u) => !announced.has(u.message?.text))).toEqual([]);
  });
});
