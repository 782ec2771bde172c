import { callback, cdn, echo, fromCustomer, mark, mid, oksana, sofia, textMessage } from './fixtures/instagram';
import { type SocketRecorder, sleep, type TestManager } from './support/gateway';
import { INSTAGRAM, MetaGateway, WHATSAPP } from './support/meta';

describe('Instagram messaging webhook', () => {
  let meta: MetaGateway;
  let supervisor: TestManager;
  let live: SocketRecorder;

  beforeAll(async () => {
    meta = await MetaGateway.start();
    for (const who of [sofia, mark]) meta.graph.profiles.set(who.igsid, { name: who.name, username: who.username });
    supervisor = await meta.gw.manager('supervisor', 'Supervisor Sam');
    live = await meta.gw.connect(supervisor.token);
  });
  afterAll(async () => {
    await meta.close();
  });

  it('answers the subscription handshake with its own verify token only', async () => {
    const good = await meta.handshake('instagram', {
      'hub.mode': 'subscribe',
      'hub.challenge': '842301957',
      'hub.verify_token': INSTAGRAM.verifyToken,
    });
    const whatsappToken = await meta.handshake('instagram', {
      'hub.mode': 'subscribe',
      'hub.challenge': '842301957',
      'hub.verify_token': WHATSAPP.verifyToken,
    });
    expect(good.status).toBe(200);
    expect(good.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(String(good.body)).toBe('842301957');
    expect(whatsappToken.status).toBe(403);
    expect(whatsappToken.body.error.code).toBe('WEBHOOK.VERIFICATION_FAILED');
  });

  it('stores a signed direct message once, live, under the name Instagram gives for the sender', async () => {
    const id = mid();
    const res = await meta.post('instagram', callback([textMessage(sofia, 'Привіт! Ця сукня ще є в розмірі S?', id)]));
    expect(res.status).toBe(200);

    const event = await live.waitFor('message:new', (p) => p.message.externalId === id);
    expect(event.message).toMatchObject({
      channel: 'instagram',
      direction: 'in',
      text: 'Привіт! Ця сукня ще є в розмірі S?',
      status: 'received',
      sender: { type: 'contact', name: 'Софія Гребенюк' },
    });
    expect(event.conversation).toMatchObject({ channel: 'instagram', contact: { name: 'Софія Гребенюк' } });
    const contact = await meta.inbox.contactOf(event.conversation.id);
    expect(contact).toMatchObject({ channel: 'instagram', externalId: sofia.igsid, name: 'Софія Гребенюк', username: 'sofia.hrebeniuk' });

    const lookups = meta.graph.calls.filter((c) => c.method === 'GET' && c.path === `/v21.0/${sofia.igsid}`);
    expect(lookups).toHaveLength(1);
    expect(lookups[0]).toMatchObject({ query: { fields: 'name,username' }, authorization: `Bearer ${INSTAGRAM.accessToken}` });
  });

  it('refuses a forged signature, or one made with the WhatsApp app secret, storing nothing', async () => {
    const id = mid();
    const payload = callback([textMessage(mark, 'Hi! Do you ship to Berlin?', id)]);
    const forged = await meta.post('instagram', payload, { secret: 'someone-else' });
    const otherApp = await meta.post('instagram', payload, { secret: WHATSAPP.appSecret });
    const missing = await meta.post('instagram', payload, { signature: null });
    for (const res of [forged, otherApp, missing]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('WEBHOOK.BAD_SIGNATURE');
    }
    expect(await meta.inbox.messagesWith([id])).toEqual([]);
    expect(await meta.inbox.contactsWith([mark.igsid])).toEqual([]);
  });

  it('keeps one message when Meta redelivers it, also concurrently', async () => {
    const id = mid();
    const payload = callback([textMessage(mark, 'Is the linen shirt available in navy?', id)]);
    const replies = await Promise.all(Array.from({ length: 6 }, () => meta.post('instagram', payload)));
    expect(replies.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect((await meta.post('instagram', payload)).status).toBe(200);
    await live.waitFor('message:new', (p) => p.message.externalId === id);
    await sleep(300);
    expect(await meta.inbox.messagesWith([id])).toHaveLength(1);
    expect(live.of('message:new').filter((p) => p.message.externalId === id)).toHaveLength(1);
  });

  it('keeps media, shares, story mentions and story replies as references, from every batched entry', async () => {
    const ids = { media: mid(), share: mid(), story: mid(), mention: mid(), reel: mid(), post: mid() };
    const payload = {
      object: 'instagram',
      entry: [
        {
          id: INSTAGRAM.accountId,
          time: Date.now(),
          messaging: [
            fromCustomer(sofia, {
              message: {
                mid: ids.media,
                text: 'Ось фото і відео з примірки',
                attachments: [
                  { type: 'image', payload: { url: cdn('image-1') } },
                  { type: 'video', payload: { url: cdn('video-1') } },
                  { type: 'audio', payload: { url: cdn('audio-1') } },
                  { type: 'file', payload: { url: cdn('file-1') } },
                ],
              },
            }),
            fromCustomer(sofia, { message: { mid: ids.share, attachments: [{ type: 'share', payload: { url: cdn('share-1') } }] } }),
          ],
        },
        {
          id: INSTAGRAM.accountId,
          time: Date.now(),
          messaging: [
            fromCustomer(mark, {
              message: {
                mid: ids.story,
                text: 'Love this jacket! Price?',
                reply_to: { story: { url: cdn('story-1'), id: '18034567890123456' } },
              },
            }),
            fromCustomer(mark, {
              message: { mid: ids.mention, attachments: [{ type: 'story_mention', payload: { url: cdn('story-2') } }] },
            }),
            fromCustomer(mark, {
              message: {
                mid: ids.reel,
                attachments: [
                  { type: 'ig_reel', payload: { reel_video_id: '18012345678901234', title: 'Spring drop 🌸', url: cdn('reel-1') } },
                ],
              },
            }),
            fromCustomer(mark, {
              message: {
                mid: ids.post,
                attachments: [
                  { type: 'ig_post', payload: { ig_post_media_id: '17987654321098765', title: 'New arrivals', url: cdn('post-1') } },
                ],
              },
            }),
          ],
        },
      ],
    };
    expect((await meta.post('instagram', payload)).status).toBe(200);

    const stored = await meta.inbox.messagesWith(Object.values(ids));
    const byId = async (id: string) => stored.find((m) => m.externalId === id);
    expect(await byId(ids.media)).toMatchObject({
      text: 'Ось фото і відео з примірки',
      attachments: [
        { kind: 'image', url: cdn('image-1') },
        { kind: 'video', url: cdn('video-1') },
        { kind: 'audio', url: cdn('audio-1') },
        { kind: 'file', url: cdn('file-1') },
      ],
    });
    expect((await byId(ids.share))?.attachments).toEqual([{ kind: 'link', name: 'shared post', url: cdn('share-1') }]);
    expect(await byId(ids.story)).toMatchObject({
      text: 'Love this jacket! Price?',
      attachments: [{ kind: 'link', name: 'reply to story', url: cdn('story-1'), platformId: '18034567890123456' }],
    });
    expect((await byId(ids.mention))?.attachments).toEqual([{ kind: 'link', name: 'story mention', url: cdn('story-2') }]);
    expect((await byId(ids.reel))?.attachments).toEqual([
      { kind: 'link', name: 'reel: Spring drop 🌸', url: cdn('reel-1'), platformId: '18012345678901234' },
    ]);
    expect((await byId(ids.post))?.attachments).toEqual([
      { kind: 'link', name: 'post: New arrivals', url: cdn('post-1'), platformId: '17987654321098765' },
    ]);
    expect(stored).toHaveLength(6);
  });

  it('never turns our own echoed messages, reactions, unsent messages or dashboard tests into customer messages', async () => {
    const before = (await meta.inbox.messages()).length;
    const newEvents = live.of('message:new').length;
    const echoed = callback([echo(sofia, 'Так, розмір S є в наявності 🙂')]);
    const reaction = callback([fromCustomer(sofia, { reaction: { mid: mid(), action: 'react', reaction: 'love', emoji: '❤️' } })]);
    const unreact = callback([fromCustomer(sofia, { reaction: { mid: mid(), action: 'unreact' } })]);
    const unsent = callback([fromCustomer(mark, { message: { mid: mid(), is_deleted: true } })]);
    // The App Dashboard's "Test" button: a `changes`-style payload with made-up ids.
    const dashboardTest = {
      object: 'instagram',
      entry: [
        {
          id: '0',
          time: Math.floor(Date.now() / 1000),
          changes: [
            {
              field: 'messages',
              value: {
                sender: { id: '12334' },
                recipient: { id: '23245' },
                timestamp: '1527459824',
                message: { mid: 'random_mid', text: 'random_text' },
              },
            },
          ],
        },
      ],
    };
    const comment = {
      object: 'instagram',
      entry: [
        {
          id: INSTAGRAM.accountId,
          time: Math.floor(Date.now() / 1000),
          changes: [
            {
              field: 'comments',
              value: {
                id: '17865799348089039',
                from: { id: '1784140581', username: 'oksana_d' },
                text: 'Скільки коштує?',
                media: { id: '123', media_product_type: 'FEED' },
              },
            },
          ],
        },
      ],
    };
    const referral = callback([fromCustomer(oksana, { referral: { ref: 'spring-sale', source: 'IGME', type: 'OPEN_THREAD' } })]);

    const replies = [];
    for (const payload of [echoed, reaction, unreact, unsent, dashboardTest, comment, referral]) {
      replies.push(await meta.post('instagram', payload));
    }
    expect(replies.map((r) => r.status)).toEqual(Array(7).fill(200));
    await sleep(300);
    expect(await meta.inbox.messages()).toHaveLength(before);
    expect(live.of('message:new')).toHaveLength(newEvents);
    expect(await meta.inbox.contactsWith(['12334', oksana.igsid])).toEqual([]);
  });

  it('stores the message under a placeholder name when the profile cannot be looked up', async () => {
    const id = mid();
    expect((await meta.post('instagram', callback([textMessage(oksana, 'Добрий вечір! Є знижки на сумки?', id)]))).status).toBe(200);
    const event = await live.waitFor('message:new', (p) => p.message.externalId === id);
    expect(event.conversation.contact.name).toBe(`Instagram user ${oksana.igsid}`);
  });

  it('keeps a tapped ice breaker as what the customer said', async () => {
    const id = mid();
    const postback = callback([
      fromCustomer(mark, { postback: { mid: id, title: 'What are your opening hours?', payload: 'ICEBREAKER_HOURS' } }),
    ]);
    expect((await meta.post('instagram', postback)).status).toBe(200);
    const event = await live.waitFor('message:new', (p) => p.message.externalId === id);
    expect(event.message.text).toBe('What are your opening hours?');
  });
});
