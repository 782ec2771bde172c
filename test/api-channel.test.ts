import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_KEY, TestGateway } from './support/gateway';
import { InboxReader } from './support/inbox-reader';

const lead = {
  externalMessageId: 'form-2026-11-25-0001',
  contact: { externalId: 'visitor-8f3a', name: 'Марія Шевченко', email: 'maria@example.com', phone: '+380671112233' },
  text: 'Хочу записатися на консультацію до стоматолога у четвер після 17:00',
  source: 'site-form',
};

describe('the API channel takes site-form leads and answers through a signed callback', () => {
  let gw: TestGateway;
  let callback: Server;
  let inbox: InboxReader;
  const received: { body: string; signature: string | undefined }[] = [];

  beforeAll(async () => {
    callback = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: req.headers['x-signature-256'] as string | undefined });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/inbox-replies`;
    gw = await TestGateway.start({ env: { API_CHANNEL_CALLBACK_URL: url } });
    inbox = new InboxReader(gw);
  });
  afterAll(async () => {
    await gw.close();
    await new Promise((resolve) => callback.close(resolve));
  });

  it('stores a lead once, shows it live, and delivers the reply to the callback, signed', async () => {
    const agent = await gw.manager('agent', 'Адміністраторка клініки');
    const socket = await gw.connect(agent.token);
    const first = await gw.postApi(lead);
    const again = await gw.postApi(lead);
    expect([first.status, again.status]).toEqual([200, 200]);
    const live = await socket.waitFor('message:new');
    expect(live.message).toMatchObject({ channel: 'api', text: lead.text, externalId: lead.externalMessageId });
    expect(live.conversation.contact.name).toBe('Марія Шевченко');
    expect((await inbox.messages()).filter((m) => m.channel === 'api')).toHaveLength(1);
    const contact = await inbox.contactOf(live.conversation.id);
    expect(contact).toMatchObject({ externalId: 'visitor-8f3a', email: 'maria@example.com', phone: '+380671112233' });

    const reply = await gw.request('POST', `/api/conversations/${live.conversation.id}/messages`, {
      token: agent.token,
      json: { text: 'Марія, записали вас на четвер о 17:30.' },
    });
    await socket.waitFor('message:updated', (p) => p.message.id === reply.body.id && p.message.status === 'sent');
    expect(received).toHaveLength(1);
    const [delivered] = received;
    expect(JSON.parse(delivered?.body ?? '{}')).toEqual({
      messageId: reply.body.id,
      contactExternalId: 'visitor-8f3a',
      text: 'Марія, записали вас на четвер о 17:30.',
    });
    expect(delivered?.signature).toBe(
      `sha256=${createHmac('sha256', API_KEY)
        .update(delivered?.body ?? '')
        .digest('hex')}`,
    );
  });

  it('refuses a wrong key with 401 and stores nothing', async () => {
    const res = await gw.postApi({ ...lead, externalMessageId: 'form-forged' }, 'wrong-key-wrong-key');
    expect(res.status).toBe(401);
    expect(await inbox.messageByExternalId('form-forged')).toBeUndefined();
  });

  it('refuses a body without the required fields with 400 naming every one of them', async () => {
    const res = await gw.postApi({ externalMessageId: 'form-bad', contact: { externalId: 'v-1', email: 'not-an-email' } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^not an API channel message: /);
    for (const field of ['contact.name:', 'contact.email:', 'text:']) expect(res.body.error.message).toContain(field);
    expect(await inbox.messageByExternalId('form-bad')).toBeUndefined();
  });
});

describe('the API channel without a callback URL', () => {
  it('refuses replies up front instead of queueing what cannot be delivered', async () => {
    const gw = await TestGateway.start();
    try {
      const agent = await gw.manager('agent', 'Agent');
      const socket = await gw.connect(agent.token);
      await gw.postApi({ ...lead, externalMessageId: 'form-no-callback' });
      const live = await socket.waitFor('message:new');
      const reply = await gw.request('POST', `/api/conversations/${live.conversation.id}/messages`, {
        token: agent.token,
        json: { text: 'Hi' },
      });
      expect(reply.status).toBe(409);
      expect(reply.body.error).toEqual({
        code: 'CHANNEL.UNAVAILABLE',
        message:
          'the api channel only receives: replies go to API_CHANNEL_CALLBACK_URL, which is not set, so this conversation cannot be answered from the inbox',
      });
      expect((await new InboxReader(gw).messages()).filter((m) => m.direction === 'out')).toEqual([]);
    } finally {
      await gw.close();
    }
  });
});
