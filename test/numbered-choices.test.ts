import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { createTransport } from 'nodemailer';
import { ApiCallbackSender } from '../channels/api/send';
import { shorten, textForButtons, withNumberedChoices } from '../channels/choices';
import { EmailSender } from '../channels/email/send';
import { Threads } from '../channels/email/threads';
import { channelStateStore } from '../inbox/store/mongo/channel-state';
import type { OutboundText } from '../shared/messages';
import { hmacSha256Hex } from '../shared/secrets';
import { choices, menuLines } from './fixtures/choices';
import { marta } from './fixtures/site-form';
import { FakeCallback } from './support/fake-callback';
import { API_KEY, storeUri, TestGateway } from './support/gateway';
import { InboxReader } from './support/inbox-reader';
import { SmtpSink } from './support/smtp-sink';

const numbered = [
  'Чим можу допомогти?',
  '',
  '1. Доставка — Нова пошта, Укрпошта, кур’єр по Києву',
  '2. Оплата',
  '3. Обмін і повернення товару протягом 14 днів',
  '',
  'Надішліть номер варіанта у відповідь.',
].join('\n');

const outbound = (channel: OutboundText['channel'], to: string, n: number): OutboundText => ({
  channel,
  to,
  text: 'Чим можу допомогти?',
  messageId: `m-${randomUUID()}`,
  lastInboundAt: new Date(),
  sender: { type: 'bot' },
  choices: choices(n),
});

describe('choices where a channel has no buttons', () => {
  it('are numbered lines under the text with a hint in its language; a text without choices is left alone', () => {
    expect(withNumberedChoices('Чим можу допомогти?', choices(3))).toBe(numbered);
    expect(withNumberedChoices('How can I help?', [{ id: 'a', title: 'Delivery' }])).toBe(
      'How can I help?\n\n1. Delivery\n\nReply with the number of your choice.',
    );
    expect(withNumberedChoices('Добрий день!', undefined)).toBe('Добрий день!');
    expect(withNumberedChoices('Добрий день!', [])).toBe('Добрий день!');
  });

  it('give buttons sent without words of their own a prompt in the titles’ language', () => {
    expect(textForButtons('', choices(2))).toBe('Оберіть варіант:');
    expect(textForButtons('  ', [{ id: 'yes', title: 'Yes' }])).toBe('Choose an option:');
    expect(textForButtons('Чим можу допомогти?', choices(2))).toBe('Чим можу допомогти?');
  });

  it('shortens a title at a word boundary with an ellipsis, mid-word only when the first word is too long', () => {
    expect(shorten('Обмін і повернення товару протягом 14 днів', 20)).toBe('Обмін і повернення…');
    expect(shorten('Доставка', 20)).toBe('Доставка');
    expect(shorten('Exactly twenty chars', 20)).toBe('Exactly twenty chars');
    expect(shorten('Delivery, returns and exchanges', 20)).toBe('Delivery, returns…');
    expect(shorten('Найвідповідальніший-консультант', 12)).toBe('Найвідповід…');
  });

  it('go to the email customer as numbered lines, in the plain and the HTML part', async () => {
    const sink = await new SmtpSink().start();
    const database = `t_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const connection = await mongoose.createConnection(storeUri(database)).asPromise();
    try {
      const sender = new EmailSender(
        createTransport({ url: sink.url, ignoreTLS: true } as never),
        { address: 'support@kvitka.example', name: 'Магазин «Квітка»' },
        new Threads(channelStateStore(connection, 'email')),
        false,
      );
      await sender.send(outbound('email', 'olena.koval@example.com', 3));
      const [mail] = sink.mails;
      expect(mail?.to).toEqual(['olena.koval@example.com']);
      const plain = mail?.raw ?? '';
      expect(plain).toContain('Content-Type: text/plain');
      expect(plain).toContain('Content-Type: text/html');
      const { simpleParser } = await import('mailparser');
      const parsed = await simpleParser(plain);
      expect(parsed.text?.trim()).toBe(numbered);
      expect(parsed.html).toContain(
        '<p>1. Доставка — Нова пошта, Укрпошта, кур’єр по Києву<br>2. Оплата<br>3. Обмін і повернення товару протягом 14 днів</p>',
      );
    } finally {
      await connection.dropDatabase();
      await connection.close();
      await sink.stop();
    }
  });

  it('go to the API channel’s callback as numbered text and as choices data, signed', async () => {
    const callback = await new FakeCallback().start();
    try {
      const sender = new ApiCallbackSender(callback.url, API_KEY);
      for (const n of [2, 3, 5, 12]) await sender.send({ ...outbound('api', marta.externalId, n), messageId: `reply-${n}` });
      expect(callback.received.map((r) => [r.body.text, (r.body as { choices?: unknown[] }).choices?.length])).toEqual(
        [2, 3, 5, 12].map((n) => [
          ['Чим можу допомогти?', '', ...menuLines.slice(0, n), '', 'Надішліть номер варіанта у відповідь.'].join('\n'),
          n,
        ]),
      );
      const received = callback.received[1];
      expect(received?.body).toEqual({
        messageId: 'reply-3',
        contactExternalId: marta.externalId,
        text: numbered,
        choices: [
          { id: 'delivery', title: 'Доставка', description: 'Нова пошта, Укрпошта, кур’єр по Києву' },
          { id: 'payment', title: 'Оплата' },
          { id: 'returns', title: 'Обмін і повернення товару протягом 14 днів' },
        ],
      });
      expect(received?.signature).toBe(`sha256=${hmacSha256Hex(API_KEY, JSON.stringify(received?.body))}`);
    } finally {
      await callback.stop();
    }
  });

  it('pressed on an integration’s own buttons, come back through the API channel as the customer’s message', async () => {
    const gw = await TestGateway.start();
    try {
      const press = { externalMessageId: 'chat-widget-7731', contact: marta, text: 'Доставка', choice: 'delivery' };
      expect((await gw.postApi(press)).status).toBe(200);
      expect((await gw.postApi(press)).status).toBe(200);
      const refused = await gw.postApi({ ...press, externalMessageId: 'chat-widget-7732', choice: 'доставка' });
      expect(refused.status).toBe(400);
      const stored = await new InboxReader(gw).messages();
      expect(stored.map((m) => [m.channel, m.externalId, m.text])).toEqual([['api', 'chat-widget-7731', 'Доставка']]);
    } finally {
      await gw.close();
    }
  });
});
