import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import viberBot from 'viber-bot';
import { ViberClient, viberJson } from '../channels/viber/client';
import { decodeViberCallback } from '../channels/viber/decode';
import {
  messageCallback,
  olena,
  postViber,
  sharedContact,
  sign,
  textCallback,
  VIBER_BOT_NAME,
  VIBER_TOKEN,
  viberEnv,
} from './fixtures/viber';
import { FakeViber } from './support/fake-viber';
import { eventually, TestGateway } from './support/gateway';

/**
 * Why the Viber channel owns its webhook, parser and client instead of using viber-bot 1.0.18 (CHANNELS.md
 * findings 1–3, §2.3). Each test runs the library as it is published and shows the defect next to our behaviour;
 * if a future viber-bot fixes one, its test fails and says so.
 */
describe('viber-bot’s defects, and ours', () => {
  let fake: FakeViber;
  let gw: TestGateway;
  let bot: InstanceType<typeof viberBot.Bot>;
  let botServer: Server;
  let botUrl: string;
  const received: { type: string; token: unknown }[] = [];

  beforeAll(async () => {
    fake = await new FakeViber(VIBER_TOKEN).start();
    gw = await TestGateway.start({ env: viberEnv(fake.apiUrl) });
    bot = new viberBot.Bot({ authToken: VIBER_TOKEN, name: VIBER_BOT_NAME, avatar: undefined });
    bot.on(viberBot.Events.MESSAGE_RECEIVED ?? 'message', (message: { constructor: { name: string }; token?: unknown }) => {
      received.push({ type: message.constructor.name, token: message.token });
    });
    botServer = createServer(bot.middleware());
    await new Promise<void>((resolve) => botServer.listen(0, '127.0.0.1', resolve));
    botUrl = `http://127.0.0.1:${(botServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    botServer.closeAllConnections();
    await new Promise<void>((resolve) => botServer.close(() => resolve()));
    await gw.close();
    await fake.stop();
  });

  /** POSTs to viber-bot's own middleware; undefined when it never answered within the time limit. */
  async function postToViberBot(body: string, headers: Record<string, string>, query = ''): Promise<number | undefined> {
    try {
      const res = await fetch(`${botUrl}/${query}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(1500) });
      await res.text();
      return res.status;
    } catch (e) {
      if ((e as Error).name === 'TimeoutError') return undefined;
      throw e;
    }
  }

  it('viber-bot’s middleware never reads the signature header and leaves the request hanging; ours answers it', async () => {
    const body = textCallback(olena, 'Добрий день! Є кросівки 39 розміру?');
    const headers = { 'content-type': 'application/json', 'x-viber-content-signature': sign(body) };

    // It looks for `headers.X_Viber_Content_Signature`, a name Node never produces, then returns without a reply.
    const theirs = await postToViberBot(body, headers);
    const theirsForged = await postToViberBot(body, { ...headers, 'x-viber-content-signature': '00'.repeat(32) });
    // Only the ?sig= parameter gets through to it.
    const theirsWithQuery = await postToViberBot(body, { 'content-type': 'application/json' }, `?sig=${sign(body)}`);

    const ours = await postViber(gw, body);
    const oursForged = await postViber(gw, body, { signature: '00'.repeat(32) });

    expect({ theirs, theirsForged, theirsWithQuery }).toEqual({ theirs: undefined, theirsForged: undefined, theirsWithQuery: 200 });
    expect([ours.status, oursForged.status, oursForged.body.error.code]).toEqual([200, 401, 'WEBHOOK.BAD_SIGNATURE']);
  });

  it('viber-bot’s contact message loses its token (shifted constructor arguments); our decoder keeps it', async () => {
    const text = textCallback(olena, 'Ось мій номер');
    const body = messageCallback(olena, sharedContact, { token: 5741311803571721999n });
    await postToViberBot(text, { 'content-type': 'application/json' }, `?sig=${sign(text)}`);
    const status = await postToViberBot(body, { 'content-type': 'application/json' }, `?sig=${sign(body)}`);
    await eventually(async () => received.some((m) => m.type === 'ContactMessage'));

    const decoded = decodeViberCallback(viberJson.parse(body), body);
    const ours = decoded.kind === 'events' ? decoded.events.find((e) => e.kind === 'message') : undefined;

    expect(status).toBe(200);
    // Text messages arrive with their token (viber-bot parses callbacks with json-bigint too) …
    expect(received.find((m) => m.type === 'TextMessage')?.token).toEqual(expect.stringMatching(/^\d{19}$/));
    // … but ContactMessage.fromJson passes its arguments one place off, so the de-duplication key is gone.
    expect(received.find((m) => m.type === 'ContactMessage')?.token).toBeUndefined();
    expect(ours).toMatchObject({ externalId: '5741311803571721999', attachments: [{ kind: 'contact', phone: '+380501234567' }] });
  });

  it('viber-bot’s client rounds the 64-bit message_token a send returns; ours keeps it exact', async () => {
    // Its base URL cannot be configured; only overwriting a private field points it at the fake.
    bot._client._url = fake.apiUrl;
    const theirTokens = await bot.sendMessage({ id: olena.id }, new viberBot.Message.Text('Вітаю! Так, є.'));
    const ourToken = await new ViberClient(fake.apiUrl, VIBER_TOKEN).sendText({
      receiver: olena.id,
      senderName: VIBER_BOT_NAME,
      text: 'Вітаю! Так, є.',
    });

    const [theirIssued, ourIssued] = fake.issuedTokens.slice(-2);
    expect(String(theirTokens[0])).not.toBe(theirIssued);
    expect(theirTokens[0]).toBe(Number(theirIssued));
    expect(ourToken).toBe(ourIssued);
    // A receipt for their message would carry `theirIssued` (json-bigint, exact) and never match what was stored.
    expect(String(theirTokens[0]).slice(-3)).toBe('000');
  });

  it('viber-bot’s API URL is a constant; our client and the channel use VIBER_API_URL', async () => {
    const configured = new viberBot.Bot({ authToken: VIBER_TOKEN, name: VIBER_BOT_NAME, avatar: undefined, apiUrl: fake.apiUrl });
    const before = fake.callsTo('send_message').length;
    await new ViberClient(fake.apiUrl, VIBER_TOKEN).sendText({
      receiver: olena.id,
      senderName: VIBER_BOT_NAME,
      text: 'Hello from the configured API',
    });

    expect(configured._client._url).toBe('https://chatapi.viber.com/pa');
    expect(
      fake
        .callsTo('send_message')
        .slice(before)
        .map((c) => c.body.text),
    ).toEqual(['Hello from the configured API']);
    // Ours keeps the token out of the body: it travels only in X-Viber-Auth-Token (viber-bot sends it in both).
    expect(fake.calls.at(-1)?.rawBody).not.toContain(VIBER_TOKEN);
    expect(fake.calls.at(-1)?.authToken).toBe(VIBER_TOKEN);
  });
});
