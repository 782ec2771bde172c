import { ann, textUpdate } from './fixtures/telegram';
import { TestGateway } from './support/gateway';
import { InboxReader } from './support/inbox-reader';

describe('the Telegram webhook refuses what it must not store', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await TestGateway.start({ env: { BODY_LIMIT: '64kb' } });
  });
  afterAll(async () => {
    await gw.close();
  });

  const storedMessages = async () => (await new InboxReader(gw).messages()).length;

  it('answers 401 to a forged secret token and stores nothing', async () => {
    const res = await gw.postTelegram(textUpdate(ann, 'Forged: I want a refund'), 'not-the-secret');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('WEBHOOK.BAD_SIGNATURE');
    expect(await storedMessages()).toBe(0);
  });

  it('answers 401 when the secret header is missing', async () => {
    const res = await gw.request('POST', '/webhooks/telegram', { json: textUpdate(ann, 'No header at all') });
    expect(res.status).toBe(401);
    expect(await storedMessages()).toBe(0);
  });

  it('answers 400 to malformed JSON and stores nothing', async () => {
    const res = await gw.request('POST', '/webhooks/telegram', {
      body: '{"update_id": 1, "message": {"text": "Привіт"',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'test-webhook-secret_42' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'INBOX.BAD_INPUT', message: 'body is not valid JSON' });
    expect(await storedMessages()).toBe(0);
  });

  it('answers 400 to JSON that is not a Telegram update', async () => {
    const res = await gw.postTelegram({ message: { text: 'no update_id' } });
    expect(res.status).toBe(400);
    expect(await storedMessages()).toBe(0);
  });

  it('answers 413 to a body over the limit', async () => {
    const res = await gw.postTelegram(textUpdate(ann, 'x'.repeat(70 * 1024)));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('HTTP.PAYLOAD_TOO_LARGE');
    expect(await storedMessages()).toBe(0);
  });

  it('acknowledges an update it does not keep (a button press, a group message) without storing it', async () => {
    const callback = await gw.postTelegram({
      update_id: 91,
      callback_query: { id: '4382bfdwdsb323b2d9', from: ann, chat_instance: '-1', data: 'order:42' },
    });
    const group = await gw.postTelegram({
      update_id: 92,
      message: {
        message_id: 7,
        from: ann,
        chat: { id: -100200300, title: 'Shop fans', type: 'supergroup' },
        date: 1_700_000_000,
        text: 'hi all',
      },
    });
    expect([callback.status, group.status]).toEqual([200, 200]);
    expect(await storedMessages()).toBe(0);
  });
});
