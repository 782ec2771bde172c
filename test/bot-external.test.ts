import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeCallback } from './support/fake-callback';
import { eventually, TestGateway, type TestManager } from './support/gateway';
import { InboxReader } from './support/inbox-reader';

const SECRET = 'external-bot-secret-0123456789';
const BOT_KEY = 'external-bot-api-key-0123456789';

describe('an external bot answers instead of the flows, and failing hands off to people', () => {
  let gw: TestGateway;
  let callback: FakeCallback;
  let externalBot: Server;
  let inbox: InboxReader;
  let admin: TestManager;
  const heard: { body: any; raw: string; signature: string | undefined }[] = [];
  /** How the external bot behaves for a customer's text. */
  const behaviour = (text: string): { delayMs?: number; status?: number; body?: string } => {
    if (text.includes('довго')) return { delayMs: 1500 };
    if (text.includes('зламано')) return { status: 500 };
    if (text.includes('пізніше')) return { status: 204 };
    return { body: JSON.stringify({ text: 'Привіт від нашого бота! Чим допомогти?', choices: [{ id: 'catalog', title: 'Каталог' }] }) };
  };

  beforeAll(async () => {
    externalBot = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const body = JSON.parse(raw);
        heard.push({ body, raw, signature: req.headers['x-bot-signature'] as string | undefined });
        const how = behaviour(body.text);
        setTimeout(() => {
          if (res.destroyed) return;
          res.writeHead(how.status ?? 200, { 'content-type': 'application/json' });
          res.end(how.body ?? '');
        }, how.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => externalBot.listen(0, '127.0.0.1', resolve));
    callback = await new FakeCallback().start();
    gw = await TestGateway.start({
      env: {
        API_CHANNEL_CALLBACK_URL: callback.url,
        BOT_WEBHOOK_URL: `http://127.0.0.1:${(externalBot.address() as AddressInfo).port}/hook`,
        BOT_WEBHOOK_SECRET: SECRET,
        BOT_WEBHOOK_TIMEOUT: '500ms',
        BOT_API_KEY: BOT_KEY,
      },
    });
    inbox = new InboxReader(gw);
    admin = await gw.manager('admin', 'Ірина Адміністраторка');
    expect((await gw.request('PATCH', '/api/bot', { token: admin.token, json: { enabled: true } })).status).toBe(200);
  });
  afterAll(async () => {
    await gw.close();
    await callback.stop();
    await new Promise((resolve) => externalBot.close(resolve));
  });

  const write = async (customer: string, text: string, id: string) => {
    expect((await gw.postApi({ externalMessageId: id, contact: { externalId: customer, name: 'Покупець' }, text })).status).toBe(200);
    return eventually(() => inbox.conversationOf({ channel: 'api', externalId: customer }));
  };
  const repliesTo = (customer: string) => callback.received.filter((r) => r.body.contactExternalId === customer).map((r) => r.body.text);

  it('posts the customer’s message signed, and says what the bot answers in its response', async () => {
    const conversation = await write('buyer-1', 'Добрий день', 'ext-1');
    await eventually(async () => repliesTo('buyer-1').length === 1);
    // Its choices go as the API channel sends them: numbered lines under the text, and as data.
    expect(repliesTo('buyer-1')).toEqual(['Привіт від нашого бота! Чим допомогти?\n\n1. Каталог\n\nНадішліть номер варіанта у відповідь.']);
    const answered = callback.received.find((r) => r.body.contactExternalId === 'buyer-1')?.body as { choices?: unknown[] } | undefined;
    expect(answered?.choices).toEqual([{ id: 'catalog', title: 'Каталог' }]);
    const call = heard.find((h) => h.body.conversationId === conversation.id);
    expect(call?.body).toMatchObject({ text: 'Добрий день', channel: 'api' });
    expect(call?.signature).toBe(
      `sha256=${createHmac('sha256', SECRET)
        .update(call?.raw ?? '')
        .digest('hex')}`,
    );
    expect((await inbox.conversation(conversation.id)).heldByBot).toBe(true);
  });

  it('takes later answers through POST /api/bot/messages with its key, and hands off when asked', async () => {
    const conversation = await write('buyer-2', 'Відповім пізніше', 'ext-2');
    await eventually(async () => heard.some((h) => h.body.conversationId === conversation.id));
    const forged = await gw.request('POST', '/api/bot/messages', {
      json: { conversationId: conversation.id, text: 'Ні' },
      headers: { authorization: 'Bearer wrong-key-wrong-key-000' },
    });
    expect(forged.status).toBe(401);
    const later = await gw.request('POST', '/api/bot/messages', {
      json: { conversationId: conversation.id, text: 'Передаю вас менеджеру.', handOff: { reason: 'складне питання' } },
      headers: { authorization: `Bearer ${BOT_KEY}` },
    });
    expect(later.status).toBe(202);
    await eventually(async () => repliesTo('buyer-2').length === 1);
    const open = await eventually(async () => {
      const c = await inbox.conversation(conversation.id);
      return c.status === 'open' ? c : undefined;
    });
    expect(open.awaitingReplySince).not.toBeNull();
    const bad = await gw.request('POST', '/api/bot/messages', {
      json: { conversationId: conversation.id, text: 'Ще одне' },
      headers: { authorization: `Bearer ${BOT_KEY}` },
    });
    expect(bad.status).toBe(409);
  });

  it('hands off to people when the external bot times out, or answers with an error, with the reason kept', async () => {
    const slow = await write('buyer-3', 'Думаю довго', 'ext-3');
    const broken = await write('buyer-4', 'Тут зламано', 'ext-4');
    for (const c of [slow, broken]) {
      await eventually(async () => {
        const now = await inbox.conversation(c.id);
        return now.status === 'open' && now.awaitingReplySince ? now : undefined;
      });
    }
    const notes = await Promise.all([slow, broken].map(async (c) => (await inbox.messagesOf(c.id)).find((m) => m.note)?.text));
    expect(notes[0]).toContain('no answer within 500 ms');
    expect(notes[1]).toContain('answered 500');
    const figures = await gw.request(
      'GET',
      `/api/metrics/bot?from=${new Date(Date.now() - 3600_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`,
      {
        token: admin.token,
      },
    );
    expect(figures.status).toBe(200);
    expect(figures.body).toMatchObject({ conversations: 4, handedOff: 3 });
    expect(figures.body.reasons.map((r: { reason: string }) => r.reason)).toEqual(
      expect.arrayContaining(['external: складне питання', 'external-failure: no answer within 500 ms', 'external-failure: answered 500']),
    );
  });
});
