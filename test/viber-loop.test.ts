import { createServer } from 'node:net';
import {
  conversationStartedCallback,
  file,
  john,
  location,
  messageCallback,
  nextMessageToken,
  olena,
  picture,
  postViber,
  receiptCallback,
  sign,
  subscribedCallback,
  textCallback,
  unsubscribedCallback,
  VIBER_BOT_NAME,
  VIBER_TOKEN,
  type ViberUser,
  viberEnv,
  webhookCallback,
} from './fixtures/viber';
import { FakeViber } from './support/fake-viber';
import { eventually, type SocketRecorder, TestGateway, type TestManager } from './support/gateway';
import { InboxReader } from './support/inbox-reader';

const WELCOME = 'Вітаємо у взуттєвій крамниці! Напишіть, що шукаєте, і менеджер відповість. / Welcome! Tell us what you need.';

/** A customer of their own for each test, so conversations never mix. */
let userCount = 0;
const customer = (base: ViberUser, name: string): ViberUser => ({ ...base, id: `${base.id.slice(0, 8)}${++userCount}u==`, name });

describe('a Viber customer and a manager, end to end', () => {
  let gw: TestGateway;
  let fake: FakeViber;
  let agent: TestManager;
  let supervisor: TestManager;
  let agentSocket: SocketRecorder;
  let supervisorSocket: SocketRecorder;
  let inbox: InboxReader;

  beforeAll(async () => {
    fake = await new FakeViber(VIBER_TOKEN).start();
    gw = await TestGateway.start({ env: viberEnv(fake.apiUrl, { VIBER_WELCOME_TEXT: WELCOME }) });
    agent = await gw.manager('agent', 'Ірина');
    supervisor = await gw.manager('supervisor', 'Supervisor Sam');
    agentSocket = await gw.connect(agent.token);
    supervisorSocket = await gw.connect(supervisor.token);
    inbox = new InboxReader(gw);
  });
  afterAll(async () => {
    await gw.close();
    await fake.stop();
  });

  const messagesWith = (ids: string[]) => inbox.messagesWith(ids);
  const contactsWith = (ids: string[]) => inbox.contactsWith(ids);

  /** Posts a customer's message and returns the conversation it landed in. */
  async function customerWrites(user: ViberUser, text: string): Promise<{ conversationId: string; token: bigint }> {
    const token = nextMessageToken();
    const res = await postViber(gw, textCallback(user, text, { token }));
    expect(res.status).toBe(200);
    const live = await supervisorSocket.waitFor('message:new', (p) => p.message.externalId === token.toString());
    return { conversationId: live.conversation.id, token };
  }

  async function reply(conversationId: string, text: string) {
    return gw.request('POST', `/api/conversations/${conversationId}/messages`, { token: agent.token, json: { text } });
  }

  it('stores a signed message once and shows it live, with the exact 64-bit token', async () => {
    const user = customer(olena, 'Олена Коваленко');
    const token = 4912661846655238145n + 1000n;
    const body = textCallback(user, 'Добрий день! Чи є в наявності кросівки 39 розміру?', { token });

    const webhook = await postViber(gw, body);
    const live = await agentSocket.waitFor('message:new', (p) => p.message.externalId === token.toString());
    // The platform's body, kept for replay and audit, is no part of the managers' API.
    const stored = await (await gw.collection('messages')).find({ dedupeKey: `viber:${token}` }).toArray();

    expect(webhook.status).toBe(200);
    expect(live.message).toMatchObject({
      channel: 'viber',
      direction: 'in',
      text: 'Добрий день! Чи є в наявності кросівки 39 розміру?',
      status: 'received',
      sender: { type: 'contact', name: 'Олена Коваленко' },
      externalId: '4912661846655239145',
      attachments: [],
    });
    expect(live.conversation).toMatchObject({ channel: 'viber', status: 'open', contact: { name: 'Олена Коваленко', reachable: true } });
    expect(stored).toHaveLength(1);
    expect(stored[0]?.raw).toBe(body);
    expect(stored[0]?.raw).toContain('"message_token":4912661846655239145');
  });

  it('accepts Viber’s ?sig= parameter as the signature too', async () => {
    const user = customer(john, 'John Smith');
    const body = textCallback(user, 'Hello, do you ship to Lviv?');
    const res = await postViber(gw, body, { signature: null, sig: sign(body) });
    expect(res.status).toBe(200);
    expect((await contactsWith([user.id])).filter((c) => c.channel === 'viber')).toHaveLength(1);
  });

  it('refuses forged, missing and foreign signatures with 401, storing nothing', async () => {
    const user = customer(john, 'Mallory');
    const body = textCallback(user, 'Transfer the refund to my card 4111 1111 1111 1111');
    const answers = await Promise.all([
      postViber(gw, body, { signature: '00'.repeat(32) }),
      postViber(gw, body, { signature: null }),
      postViber(gw, body, { signature: sign(body, 'another-bot-token') }),
      postViber(gw, body, { signature: null, sig: sign(body, 'another-bot-token') }),
      // Signed, then altered: the signature covers the exact bytes.
      postViber(gw, body.replace('4111', '5555'), { signature: sign(body) }),
    ]);
    expect(answers.map((a) => [a.status, a.body.error?.code])).toEqual(Array(5).fill([401, 'WEBHOOK.BAD_SIGNATURE']));
    expect(await contactsWith([user.id])).toEqual([]);
    expect((await inbox.messages()).filter((m) => m.text.includes('refund'))).toEqual([]);
  });

  it('answers malformed JSON and malformed callbacks with 400, storing nothing', async () => {
    const broken = '{"event":"message","timestamp":1715420100123,"message_token":4912661846655239999,"sender":{"id":"x"';
    const noSender =
      '{"event":"message","timestamp":1715420100123,"message_token":4912661846655239998,"message":{"type":"text","text":"hi"}}';
    const answers = [await postViber(gw, broken), await postViber(gw, noSender)];
    expect(answers.map((a) => [a.status, a.body.error?.code])).toEqual([
      [400, 'INBOX.BAD_INPUT'],
      [400, 'INBOX.BAD_INPUT'],
    ]);
    expect(await messagesWith(['4912661846655239999', '4912661846655239998'])).toEqual([]);
  });

  it('never duplicates a redelivered message, even when the copies arrive together', async () => {
    const user = customer(olena, 'Марія Шевченко');
    const token = nextMessageToken();
    const body = textCallback(user, 'Хочу повернути товар', { token });

    const first = await postViber(gw, body);
    const again = await postViber(gw, body);
    const together = await Promise.all(Array.from({ length: 5 }, () => postViber(gw, body)));
    await eventually(async () => supervisorSocket.of('message:new').some((p) => p.message.externalId === token.toString()));

    expect([first, again, ...together].map((r) => r.status)).toEqual(Array(7).fill(200));
    expect(await messagesWith([token.toString()])).toHaveLength(1);
    expect(supervisorSocket.of('message:new').filter((p) => p.message.externalId === token.toString())).toHaveLength(1);
  });

  it('also keeps concurrent first copies of a new customer’s message to one message and one conversation', async () => {
    const user = customer(john, 'Concurrent Carl');
    const token = nextMessageToken();
    const body = textCallback(user, 'Is the sale still on?', { token });
    const answers = await Promise.all(Array.from({ length: 6 }, () => postViber(gw, body)));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    expect(await messagesWith([token.toString()])).toHaveLength(1);
    expect(await contactsWith([user.id])).toHaveLength(1);
    expect(await inbox.conversationsOf('Concurrent Carl')).toHaveLength(1);
  });

  it('delivers a reply exactly as the Viber API expects, then follows delivered and seen receipts', async () => {
    const user = customer(olena, 'Олена Коваленко');
    const { conversationId } = await customerWrites(user, 'Чи є кросівки 39 розміру?');
    const before = fake.callsTo('send_message').length;

    const sent = await reply(conversationId, 'Вітаю, Олено! Так, 39 розмір є. Оформити замовлення?');
    const [call] = (await fake.waitForCalls('send_message', before + 1)).slice(before);
    const sentLive = await agentSocket.waitFor('message:updated', (p) => p.message.id === sent.body.id && p.message.status === 'sent');
    const token = sentLive.message.externalId as string;

    const delivered = await postViber(gw, receiptCallback('delivered', token, user.id));
    await supervisorSocket.waitFor('message:updated', (p) => p.message.id === sent.body.id && p.message.status === 'delivered');
    const seen = await postViber(gw, receiptCallback('seen', token, user.id));
    await supervisorSocket.waitFor('message:updated', (p) => p.message.id === sent.body.id && p.message.status === 'read');
    // A late `delivered` after `seen` never moves the message back.
    const late = await postViber(gw, receiptCallback('delivered', token, user.id));
    const history = await gw.request('GET', `/api/conversations/${conversationId}/messages`, { token: agent.token });

    expect(sent.status).toBe(201);
    expect(call?.authToken).toBe(VIBER_TOKEN);
    expect(call?.body).toEqual({
      receiver: user.id,
      min_api_version: 1,
      sender: { name: VIBER_BOT_NAME },
      type: 'text',
      text: 'Вітаю, Олено! Так, 39 розмір є. Оформити замовлення?',
    });
    // The token Viber returned, exactly: the receipts below match it.
    expect(token).toBe(fake.issuedTokens.at(-1));
    expect(token.length).toBe(19);
    expect([delivered.status, seen.status, late.status]).toEqual([200, 200, 200]);
    expect(history.body.items.map((m: { direction: string; status: string }) => [m.direction, m.status])).toEqual([
      ['in', 'received'],
      ['out', 'read'],
    ]);
  });

  it('marks a reply failed with Viber’s reason on a failed callback', async () => {
    const user = customer(john, 'Failing Fred');
    const { conversationId } = await customerWrites(user, 'Where is my parcel?');
    const sent = await reply(conversationId, 'It left our warehouse this morning.');
    const sentLive = await agentSocket.waitFor('message:updated', (p) => p.message.id === sent.body.id && p.message.status === 'sent');

    const res = await postViber(gw, receiptCallback('failed', sentLive.message.externalId, user.id, 'Receiver has no suitable device'));
    const failed = await supervisorSocket.waitFor('message:updated', (p) => p.message.id === sent.body.id && p.message.status === 'failed');

    expect(res.status).toBe(200);
    expect(failed.message.error).toBe('Receiver has no suitable device');
  });

  it('refuses replies to an unsubscribed customer, and allows them again once they subscribe or write', async () => {
    const user = customer(olena, 'Оксана Бондар');
    const { conversationId } = await customerWrites(user, 'Дякую, все отримала');
    const sendsBefore = fake.callsTo('send_message').length;

    const unsubscribed = await postViber(gw, unsubscribedCallback(user.id));
    const offLive = await supervisorSocket.waitFor(
      'conversation:updated',
      (p) => p.conversation.id === conversationId && !p.conversation.contact.reachable,
    );
    const whileOff = await gw.request('GET', `/api/conversations/${conversationId}`, { token: agent.token });
    const refused = await reply(conversationId, 'Оксано, маємо для вас знижку!');

    const subscribed = await postViber(gw, subscribedCallback(user));
    await supervisorSocket.waitFor('conversation:updated', (p) => p.conversation.id === conversationId && p.conversation.contact.reachable);
    const accepted = await reply(conversationId, 'Оксано, раді, що ви знову з нами!');
    await fake.waitForCalls('send_message', sendsBefore + 1);

    // Unsubscribed again, then she writes: writing subscribes her again (no `subscribed` callback comes).
    await postViber(gw, unsubscribedCallback(user.id));
    await eventually(async () => {
      const c = await gw.request('GET', `/api/conversations/${conversationId}`, { token: agent.token });
      return c.body.contact.reachable === false;
    });
    await customerWrites(user, 'Підкажіть, будь ласка, розмір');
    const afterWriting = await gw.request('GET', `/api/conversations/${conversationId}`, { token: agent.token });
    const contact = await inbox.contactOf(conversationId);

    expect(unsubscribed.status).toBe(200);
    expect(offLive.conversation.contact).toMatchObject({ reachable: false, name: 'Оксана Бондар' });
    expect(whileOff.body.contact.reachable).toBe(false);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'INBOX.CONTACT_UNREACHABLE']);
    expect(subscribed.status).toBe(200);
    expect(accepted.status).toBe(201);
    expect(
      fake
        .callsTo('send_message')
        .slice(sendsBefore)
        .map((c) => c.body.text),
    ).toEqual(['Оксано, раді, що ви знову з нами!']);
    expect(afterWriting.body.contact.reachable).toBe(true);
    // The unsubscribe callback carries no name: the real one stays.
    expect(contact?.name).toBe('Оксана Бондар');
  });

  it('marks the customer unreachable when Viber says they are not subscribed', async () => {
    const user = customer(john, 'Gone Gary');
    const { conversationId } = await customerWrites(user, 'Thanks, bye');
    fake.respond((call) =>
      call.endpoint === 'send_message' && call.body.receiver === user.id
        ? { body: { status: 6, status_message: 'notSubscribed' } }
        : undefined,
    );

    const sent = await reply(conversationId, 'One more thing: your coupon code is SPRING10');
    const failed = await supervisorSocket.waitFor('message:updated', (p) => p.message.id === sent.body.id && p.message.status === 'failed');
    const unreachable = await supervisorSocket.waitFor(
      'conversation:updated',
      (p) => p.conversation.id === conversationId && !p.conversation.contact.reachable,
    );
    const next = await reply(conversationId, 'Hello?');

    expect(failed.message.error).toMatch(/Viber refused \(6\)/);
    expect(unreachable.conversation.contact.reachable).toBe(false);
    expect(next.status).toBe(409);
  });

  it('keeps pictures, files and locations as references', async () => {
    const user = customer(olena, 'Наталія Ткаченко');
    const tokens = [nextMessageToken(), nextMessageToken(), nextMessageToken()];
    const answers = [
      await postViber(gw, messageCallback(user, picture, { token: tokens[0] })),
      await postViber(gw, messageCallback(user, file, { token: tokens[1] })),
      await postViber(gw, messageCallback(user, location, { token: tokens[2] })),
    ];
    const live = await supervisorSocket.waitFor('message:new', (p) => p.message.externalId === tokens[2]?.toString());
    const history = await gw.request('GET', `/api/conversations/${live.conversation.id}/messages`, { token: supervisor.token });

    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(history.body.items.map((m: { text: string; attachments: unknown[] }) => ({ text: m.text, attachments: m.attachments }))).toEqual(
      [
        {
          text: 'Ось фото пошкодженої коробки',
          attachments: [{ kind: 'image', url: picture.media, name: 'IMG_20240511_101500.jpg', mimeType: 'image/jpeg', size: 184320 }],
        },
        { text: '', attachments: [{ kind: 'file', url: file.media, name: 'рахунок-1042.pdf', mimeType: 'application/pdf', size: 48213 }] },
        { text: '', attachments: [{ kind: 'location', latitude: 50.4501, longitude: 30.5234 }] },
      ],
    );
    expect(live.conversation.lastMessagePreview).toBe('[location]');
  });

  it('greets a user who opens the chat, once, and stores nothing for it', async () => {
    const newcomer = customer(john, 'New Nick');
    const regular = customer(olena, 'Постійна Поліна');
    const greeted = await postViber(gw, conversationStartedCallback(newcomer, false, 'instagram-bio'));
    const returning = await postViber(gw, conversationStartedCallback(regular, true));

    expect(greeted.status).toBe(200);
    expect(greeted.body).toEqual({ sender: { name: VIBER_BOT_NAME }, min_api_version: 1, type: 'text', text: WELCOME });
    expect([returning.status, returning.body]).toEqual([200, { ok: true }]);
    expect(await contactsWith([newcomer.id, regular.id])).toEqual([]);
  });

  it('acknowledges the webhook check and events it does not handle, storing nothing', async () => {
    const counts = async () => [(await inbox.messages()).length, (await inbox.contacts()).length];
    const before = await counts();
    const answers = [
      await postViber(gw, webhookCallback()),
      await postViber(gw, '{"event":"client_status","timestamp":1715420100123,"message_token":5741311803571721087,"user_id":"x"}'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(await counts()).toEqual(before);
  });

  it('keeps a message of a type it cannot show as a placeholder, so a manager sees the customer wrote', async () => {
    const rick = customer(john, 'Rich Rick');
    const token = nextMessageToken();
    const res = await postViber(
      gw,
      messageCallback(rick, { type: 'rich_media', rich_media: { Type: 'rich_media', Buttons: [] } }, { token }),
    );
    expect(res.status).toBe(200);
    const live = await supervisorSocket.waitFor('message:new', (p) => p.message.externalId === token.toString());
    expect(live.message).toMatchObject({ text: '', attachments: [{ kind: 'unsupported', name: 'unsupported message type: rich_media' }] });
    expect(live.conversation.awaitingReplySince).not.toBeNull();
  });

  it('takes callbacks only by POST', async () => {
    const res = await gw.request('GET', '/webhooks/viber');
    expect(res.status).toBe(404);
  });
});

describe('registering the Viber webhook at start', () => {
  it('calls set_webhook on the configured API and passes Viber’s signed check', async () => {
    const fake = await new FakeViber(VIBER_TOKEN).start();
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const gw = await TestGateway.start({ env: { ...viberEnv(fake.apiUrl), PORT: String(port), PUBLIC_URL: publicUrl } });
    try {
      // Viber checks the URL before it answers set_webhook; the gateway answers once it listens.
      await eventually(async () => fake.webhookChecks.some((c) => c.status === 200), 15_000);
      const calls = fake.callsTo('set_webhook');
      expect(calls.at(-1)?.authToken).toBe(VIBER_TOKEN);
      expect(calls.at(-1)?.body).toEqual({
        url: `${publicUrl}/webhooks/viber`,
        event_types: ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'],
        send_name: true,
        send_photo: false,
      });
      expect(fake.webhookChecks.at(-1)).toEqual({ url: `${publicUrl}/webhooks/viber`, status: 200 });
      // Registered once it worked: no more attempts.
      const attempts = calls.length;
      await new Promise((r) => setTimeout(r, 1500));
      expect(fake.callsTo('set_webhook')).toHaveLength(attempts);
    } finally {
      await gw.close();
      await fake.stop();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
