import {
  callback,
  idOf,
  messagesValue,
  nowSeconds,
  olena,
  sheena,
  statusesValue,
  taras,
  text,
  textCallback,
  wamid,
} from './fixtures/whatsapp';
import { type SocketRecorder, sleep, type TestManager } from './support/gateway';
import { hubSignature, MetaGateway, WHATSAPP } from './support/meta';

describe('WhatsApp Cloud API webhook', () => {
  let meta: MetaGateway;
  let supervisor: TestManager;
  let live: SocketRecorder;

  beforeAll(async () => {
    meta = await MetaGateway.start();
    supervisor = await meta.gw.manager('supervisor', 'Supervisor Sam');
    live = await meta.gw.connect(supervisor.token);
  });
  afterAll(async () => {
    await meta.close();
  });

  it('answers the subscription handshake with the challenge, and refuses a wrong token', async () => {
    const good = await meta.handshake('whatsapp', {
      'hub.mode': 'subscribe',
      'hub.challenge': '1158201444',
      'hub.verify_token': WHATSAPP.verifyToken,
    });
    const wrongToken = await meta.handshake('whatsapp', {
      'hub.mode': 'subscribe',
      'hub.challenge': '1158201444',
      'hub.verify_token': 'guess',
    });
    const wrongMode = await meta.handshake('whatsapp', {
      'hub.mode': 'unsubscribe',
      'hub.challenge': '1',
      'hub.verify_token': WHATSAPP.verifyToken,
    });
    const noToken = await meta.handshake('whatsapp', { 'hub.mode': 'subscribe', 'hub.challenge': '1' });

    expect(good.status).toBe(200);
    expect(good.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(good.body).toBe(1158201444); // the test client parses the plain-text answer as JSON where it can
    for (const refused of [wrongToken, wrongMode, noToken]) {
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('WEBHOOK.VERIFICATION_FAILED');
    }
  });

  it('stores a signed text message once and shows it live, with the contact from the profile', async () => {
    const payload = textCallback(olena, 'Добрий день! Чи можна замовити доставку до Львова на суботу?');
    const id = idOf(payload);

    const res = await meta.post('whatsapp', payload);
    expect(res.status).toBe(200);

    const event = await live.waitFor('message:new', (p) => p.message.externalId === id);
    expect(event.message).toMatchObject({
      channel: 'whatsapp',
      direction: 'in',
      text: 'Добрий день! Чи можна замовити доставку до Львова на суботу?',
      status: 'received',
      sender: { type: 'contact', name: 'Олена Коваленко' },
      attachments: [],
    });
    expect(event.conversation).toMatchObject({ channel: 'whatsapp', status: 'open', contact: { name: 'Олена Коваленко' } });

    const contact = await meta.inbox.contactOf(event.conversation.id);
    expect(contact).toMatchObject({
      channel: 'whatsapp',
      externalId: olena.waId,
      name: 'Олена Коваленко',
      phone: '+380671234567',
      reachable: true,
    });
    expect(await meta.inbox.messagesWith([id])).toHaveLength(1);
    // The dedupe key and the platform's body, kept for replay and audit, are no part of the managers' API.
    const stored = await (await meta.collection('messages')).find({ externalId: id }).toArray();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.dedupeKey).toBe(`whatsapp:${id}`);
    expect(JSON.parse(stored[0]?.raw).message.id).toBe(id);
  });

  it('refuses forged, missing or re-serialized signatures with 401 and stores nothing', async () => {
    const payload = textCallback(sheena, 'Does it come in another color?');
    const id = idOf(payload);
    const body = JSON.stringify(payload);

    const forged = await meta.post('whatsapp', payload, { secret: 'not-the-app-secret' });
    const missing = await meta.post('whatsapp', payload, { signature: null });
    const garbage = await meta.post('whatsapp', payload, { signature: 'sha256=zz' });
    const sha1Only = await meta.post('whatsapp', payload, { signature: 'sha1=0f3c8b1a2d4e6f8091a2b3c4d5e6f708192a3b4c' });
    // Signed over compact JSON but sent pretty-printed: the bytes differ, so the signature does not hold.
    const reserialized = await meta.post('whatsapp', payload, {
      body: JSON.stringify(payload, null, 2),
      signature: hubSignature(body, WHATSAPP.appSecret),
    });

    for (const res of [forged, missing, garbage, sha1Only, reserialized]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('WEBHOOK.BAD_SIGNATURE');
    }
    expect(await meta.inbox.messagesWith([id])).toEqual([]);
    expect(await meta.inbox.contactsWith([sheena.waId])).toEqual([]);
  });

  it('answers 400 to a well-signed body that is not JSON, storing nothing', async () => {
    const before = (await meta.inbox.messages()).length;
    const res = await meta.post('whatsapp', undefined, { body: '{"object":"whatsapp_business_account","entry":[' });
    const notObject = await meta.post('whatsapp', ['whatsapp_business_account']);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INBOX.BAD_INPUT');
    expect(notObject.status).toBe(400);
    expect(await meta.inbox.messages()).toHaveLength(before);
  });

  it('keeps one message however often, and however concurrently, Meta redelivers it', async () => {
    const payload = textCallback(taras, 'Підкажіть, будь ласка, статус замовлення №48213');
    const id = idOf(payload);

    const first = await meta.post('whatsapp', payload);
    const again = await Promise.all(Array.from({ length: 6 }, () => meta.post('whatsapp', payload)));
    await live.waitFor('message:new', (p) => p.message.externalId === id);
    await sleep(300);

    expect([first, ...again].map((r) => r.status)).toEqual(Array(7).fill(200));
    expect(await meta.inbox.messagesWith([id])).toHaveLength(1);
    expect(live.of('message:new').filter((p) => p.message.externalId === id)).toHaveLength(1);
    expect(await meta.inbox.conversationsOf('Тарас Шевчук')).toHaveLength(1);
  });

  it('keeps every item of a batched callback, with media as references', async () => {
    const ids = {
      image: wamid(),
      document: wamid(),
      voice: wamid(),
      video: wamid(),
      location: wamid(),
      contacts: wamid(),
      buttonReply: wamid(sheena.waId),
      listReply: wamid(sheena.waId),
      button: wamid(sheena.waId),
    };
    const ts = String(Math.floor(Date.now() / 1000));
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              field: 'messages',
              value: messagesValue(olena, [
                {
                  id: ids.image,
                  timestamp: ts,
                  type: 'image',
                  image: {
                    caption: 'Ось фото пошкодженої коробки',
                    mime_type: 'image/jpeg',
                    sha256: 'HgPZKf3hUBGnHgKyJ0tcnOp2pXC0WFKaF4vN/ELzGWI=',
                    id: '1003383421387256',
                  },
                },
                {
                  id: ids.document,
                  timestamp: ts,
                  type: 'document',
                  document: {
                    filename: 'рахунок-1042.pdf',
                    mime_type: 'application/pdf',
                    sha256: 'f5lmKXRYyNHt3lI26hYBbH4i3RBfKbsSYWYAWBu+1Tw=',
                    id: '1190217278773522',
                  },
                },
                {
                  id: ids.voice,
                  timestamp: ts,
                  type: 'audio',
                  audio: {
                    mime_type: 'audio/ogg; codecs=opus',
                    sha256: 'dZ4/1jv8T2mSfB2Gc7+8cmUbC5M7Zoq5sYk8QbPlfO4=',
                    id: '947286133970412',
                    voice: true,
                  },
                },
              ]),
            },
          ],
        },
        {
          id: '102290129340398',
          changes: [
            {
              field: 'messages',
              value: messagesValue(olena, [
                {
                  id: ids.video,
                  timestamp: ts,
                  type: 'video',
                  video: { mime_type: 'video/mp4', sha256: 'qG0c0yBfv+3pEbbN9RL0dC1zN7F3T4wP7rDzGZ5Qy3k=', id: '1234567890123456' },
                },
                {
                  id: ids.location,
                  timestamp: ts,
                  type: 'location',
                  location: { latitude: 49.8397, longitude: 24.0297, name: 'Нова пошта №12', address: 'вул. Городоцька, 120, Львів' },
                },
                {
                  id: ids.contacts,
                  timestamp: ts,
                  type: 'contacts',
                  contacts: [
                    {
                      name: { first_name: 'Ірина', last_name: 'Бондар', formatted_name: 'Ірина Бондар' },
                      phones: [{ phone: '+380 50 123 4567', wa_id: '380501234567', type: 'CELL' }],
                    },
                  ],
                },
              ]),
            },
            {
              field: 'messages',
              value: messagesValue(sheena, [
                {
                  id: ids.buttonReply,
                  timestamp: ts,
                  type: 'interactive',
                  context: { from: '15550783881', id: wamid(sheena.waId) },
                  interactive: { type: 'button_reply', button_reply: { id: 'confirm-order', title: 'Yes, confirm' } },
                },
                {
                  id: ids.listReply,
                  timestamp: ts,
                  type: 'interactive',
                  interactive: { type: 'list_reply', list_reply: { id: 'size-39', title: 'Size 39', description: 'In stock: 3 pairs' } },
                },
                { id: ids.button, timestamp: ts, type: 'button', button: { payload: 'TRACK_ORDER', text: 'Track my order' } },
              ]),
            },
          ],
        },
      ],
    };

    const res = await meta.post('whatsapp', payload);
    expect(res.status).toBe(200);

    const stored = await meta.inbox.messagesWith(Object.values(ids));
    const byId = async (id: string) => stored.find((m) => m.externalId === id);
    expect(await byId(ids.image)).toMatchObject({
      text: 'Ось фото пошкодженої коробки',
      attachments: [{ kind: 'image', platformId: '1003383421387256', mimeType: 'image/jpeg' }],
    });
    expect(await byId(ids.document)).toMatchObject({
      text: '',
      attachments: [{ kind: 'file', platformId: '1190217278773522', mimeType: 'application/pdf', name: 'рахунок-1042.pdf' }],
    });
    expect((await byId(ids.voice))?.attachments).toEqual([
      { kind: 'voice', platformId: '947286133970412', mimeType: 'audio/ogg; codecs=opus' },
    ]);
    expect((await byId(ids.video))?.attachments).toEqual([{ kind: 'video', platformId: '1234567890123456', mimeType: 'video/mp4' }]);
    expect((await byId(ids.location))?.attachments).toEqual([
      { kind: 'location', latitude: 49.8397, longitude: 24.0297, name: 'Нова пошта №12, вул. Городоцька, 120, Львів' },
    ]);
    expect((await byId(ids.contacts))?.attachments).toEqual([{ kind: 'contact', name: 'Ірина Бондар', phone: '+380 50 123 4567' }]);
    expect((await byId(ids.buttonReply))?.text).toBe('Yes, confirm');
    expect((await byId(ids.listReply))?.text).toBe('Size 39');
    expect((await byId(ids.button))?.text).toBe('Track my order');
    expect(stored).toHaveLength(9);

    // Live previews of attachment-only messages name the attachment.
    const conversation = await meta.inbox.conversationOf('Sheena Nelson');
    expect(conversation?.lastMessagePreview).toBe('Track my order');
  });

  it('acknowledges well-signed callbacks it does not keep with 200, storing nothing', async () => {
    const before = (await meta.inbox.messages()).length;
    const reaction = textCallback(olena, '', { type: 'reaction', text: undefined, reaction: { message_id: wamid(), emoji: '👍' } });
    const templateStatus = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          time: Math.floor(Date.now() / 1000),
          changes: [
            {
              field: 'message_template_status_update',
              value: {
                event: 'APPROVED',
                message_template_id: 594425479261596,
                message_template_name: 'order_update',
                message_template_language: 'uk',
                reason: 'NONE',
              },
            },
          ],
        },
      ],
    };
    const otherNumber = callback(messagesValue(sheena, [text('Hello, other line')], '999999999999999'));
    const pageObject = { object: 'page', entry: [{ id: '1', time: 1, messaging: [] }] };
    const unknownStatus = callback(
      statusesValue([{ id: wamid(), status: 'deleted', recipient: olena.waId, timestamp: String(Math.floor(Date.now() / 1000)) }]),
    );
    const replies = [];
    for (const payload of [reaction, templateStatus, otherNumber, pageObject, unknownStatus]) {
      replies.push(await meta.post('whatsapp', payload));
    }
    expect(replies.map((r) => r.status)).toEqual(Array(5).fill(200));
    await sleep(200);
    const after = await meta.inbox.messages();
    expect(after).toHaveLength(before);
    expect(after.filter((m) => m.text === 'Hello, other line')).toEqual([]);
  });

  it('refuses with 400 a signed body that cannot be a Cloud API callback, storing nothing of it', async () => {
    const before = (await meta.inbox.messages()).length;
    const good = wamid(sheena.waId);
    const withMalformedItem = callback({
      ...messagesValue(sheena, [{ id: good, ...text('Is the blue one available in size M?') }]),
      messages: [
        { from: sheena.waId, type: 'text' },
        { from: sheena.waId, id: good, timestamp: String(Math.floor(Date.now() / 1000)), ...text('Is the blue one available in size M?') },
      ],
    });
    const textWithoutBody = callback({
      messaging_product: 'whatsapp',
      metadata: { phone_number_id: WHATSAPP.phoneNumberId },
      messages: [{ from: olena.waId, id: wamid(), timestamp: nowSeconds(), type: 'text' }],
    });
    const senderAnObject = callback(messagesValue(olena, [{ ...text('Привіт'), from: { id: olena.waId } }]));
    const replies = [];
    for (const payload of [{}, { object: 'whatsapp_business_account' }, withMalformedItem, textWithoutBody, senderAnObject]) {
      replies.push(await meta.post('whatsapp', payload));
    }
    expect(replies.map((r) => r.status)).toEqual(Array(5).fill(400));
    expect(replies.map((r) => r.body.error.code)).toEqual(Array(5).fill('INBOX.BAD_INPUT'));
    expect(replies[2]?.body.error.message).toBe(
      'not a WhatsApp Cloud API callback: entry.0.changes.0.value.messages.0.id: Invalid input: expected string, received undefined; entry.0.changes.0.value.messages.0.timestamp: Invalid input',
    );
    await sleep(200);
    expect(await meta.inbox.messages()).toHaveLength(before);
    expect(await meta.inbox.messagesWith([good])).toEqual([]);
  });
});
