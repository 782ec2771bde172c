import { ApiCallbackSender } from '../channels/api/send';
import type { OutboundText } from '../shared/messages';
import { hmacSha256Hex } from '../shared/secrets';
import { deliveryFailure as failure } from './support/delivery-failure';
import { FakeCallback } from './support/fake-callback';

const KEY = 'site-api-channel-key-0123456789';

const reply = (text: string): OutboundText => ({
  channel: 'api',
  to: 'visitor-42',
  text,
  messageId: `m-${Math.random().toString(36).slice(2)}`,
  lastInboundAt: null,
});

describe('the API channel sender against a site callback', () => {
  let callback: FakeCallback;
  beforeEach(async () => {
    callback = await new FakeCallback().start();
  });
  afterEach(async () => {
    await callback.stop();
  });

  it('posts the reply signed over its exact body, with the message id as idempotency key', async () => {
    const message = reply('Вітаємо! Оберіть, будь ласка, розмір.');
    const sent = await new ApiCallbackSender(callback.url, KEY).send({ ...message, choices: [{ id: 'm', title: 'M' }] });

    const [received] = callback.received;
    expect(sent).toEqual({ externalId: message.messageId });
    expect(received?.body).toEqual({
      messageId: message.messageId,
      contactExternalId: 'visitor-42',
      text: 'Вітаємо! Оберіть, будь ласка, розмір.\n\n1. M\n\nНадішліть номер варіанта у відповідь.',
      choices: [{ id: 'm', title: 'M' }],
    });
    expect(received?.signature).toBe(`sha256=${hmacSha256Hex(KEY, received?.rawBody ?? '')}`);
    expect(received?.headers['idempotency-key']).toBe(message.messageId);
    expect(received?.headers['content-type']).toBe('application/json');
  });

  it('tries again after a busy callback, as long as its Retry-After says', async () => {
    callback.answer = (res) => res.writeHead(503, { 'retry-after': '7' }).end('busy');
    const e = await failure(new ApiCallbackSender(callback.url, KEY).send(reply('Your order has shipped')));
    expect({ retryable: e.retryable, retryAfterMs: e.retryAfterMs, maybeDelivered: e.maybeDelivered }).toEqual({
      retryable: true,
      retryAfterMs: 7000,
      maybeDelivered: false,
    });
  });

  it('gives up on a reply the callback refuses', async () => {
    callback.answer = (res) => res.writeHead(422, { 'content-type': 'application/json' }).end('{"error":"unknown contact"}');
    const e = await failure(new ApiCallbackSender(callback.url, KEY).send(reply('Дякуємо за замовлення!')));
    expect([e.retryable, e.message]).toEqual([false, 'callback refused the reply with 422']);
  });

  it('counts a callback that does not answer in time as maybe delivered', async () => {
    callback.answer = () => undefined;
    const e = await failure(new ApiCallbackSender(callback.url, KEY, 200).send(reply('Ви тут?')));
    expect({ retryable: e.retryable, maybeDelivered: e.maybeDelivered }).toEqual({ retryable: true, maybeDelivered: true });
    expect(e.message).toMatch(/callback unreachable: no answer within 200 ms/);
  });

  it('counts a callback nobody listens on as not delivered, worth another try', async () => {
    const url = callback.url;
    await callback.stop();
    const e = await failure(new ApiCallbackSender(url, KEY).send(reply('Hello?')));
    expect({ retryable: e.retryable, maybeDelivered: e.maybeDelivered }).toEqual({ retryable: true, maybeDelivered: false });
  });

  it('sends one reply after another over a kept connection', async () => {
    const sender = new ApiCallbackSender(callback.url, KEY);
    for (const text of ['Перше', 'Друге', 'Третє']) await sender.send(reply(text));
    expect(callback.received.map((r) => r.body.text)).toEqual(['Перше', 'Друге', 'Третє']);
  });
});
