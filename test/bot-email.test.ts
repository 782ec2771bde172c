import { simpleParser } from 'mailparser';
import { defaultFlows } from '../bot/flows';
import { eventually, sleep, type TestGateway } from './support/gateway';
import { inboxOf } from './support/inbox-reader';
import { relayTo, SUPPORT } from './support/mail';
import { startMailGateway } from './support/mail-gateway';
import type { SmtpSink } from './support/smtp-sink';

const olena = { name: 'Олена Коваль', address: 'olena.koval@example.com' };

/** Mail has no buttons: the menu goes as numbered lines under the bot's words. */
const withMenu = (text: string | undefined) =>
  `${text}\n\n1. Ціни / Prices\n2. Доставка / Delivery\n3. Замовити / Order\n4. Менеджер / Manager\n\nНадішліть номер варіанта у відповідь.`;

describe('the chatbot by email with its menu as numbered lines', () => {
  let sink: SmtpSink;
  let gw: TestGateway;
  let port: number;

  beforeAll(async () => {
    ({ gw, sink, port } = await startMailGateway());
    const admin = await gw.manager('admin', 'Ірина Адміністраторка');
    expect((await gw.request('PATCH', '/api/bot', { token: admin.token, json: { enabled: true } })).status).toBe(200);
  });
  afterAll(async () => {
    await gw.close();
    await sink.stop();
  });

  it('mails the greeting with the numbered menu and answers a reply of "2" above the quoted mail with the second item, once however often it is delivered', async () => {
    const relay = relayTo(port);
    await relay.sendMail({
      from: olena,
      to: SUPPORT,
      subject: 'Питання щодо замовлення',
      text: 'Добрий день! Хочу замовити крісло, маю кілька питань.',
      messageId: '<armchair-1.olena@example.com>',
    });
    await eventually(async () => sink.mails.length === 1);
    const greeting = await simpleParser(sink.mails[0]?.raw ?? '');
    expect(greeting.to && 'value' in greeting.to ? greeting.to.value[0]?.address : undefined).toBe(olena.address);
    expect(greeting.subject).toBe('Re: Питання щодо замовлення');
    expect(greeting.text?.trim()).toBe(withMenu(defaultFlows.greeting.inHours));

    // Her mail client quotes our mail under her answer, as Gmail in Ukrainian does.
    const quoted = (greeting.text ?? '')
      .trim()
      .split('\n')
      .map((line) => `> ${line}`)
      .join('\n');
    const reply = {
      from: olena,
      to: SUPPORT,
      subject: `Re: ${greeting.subject}`,
      text: `2\n\nвт, 1 груд. 2026 р. о 12:00 Магазин «Квітка» <${SUPPORT}> пише:\n${quoted}\n`,
      inReplyTo: greeting.messageId,
      references: [greeting.messageId ?? '', '<armchair-1.olena@example.com>'],
      messageId: '<armchair-2.olena@example.com>',
    };
    await relay.sendMail(reply);
    // Her server delivers it again, as one does when it missed our 250.
    await relay.sendMail(reply);
    await eventually(async () => sink.mails.length === 2);
    const answer = await simpleParser(sink.mails[1]?.raw ?? '');
    expect(answer.text?.trim()).toBe(withMenu(defaultFlows.answers[1]?.text));
    expect(answer.inReplyTo).toBe('<armchair-2.olena@example.com>');

    const pick = await inboxOf(gw).messageByExternalId('armchair-2.olena@example.com');
    expect(pick?.text).toBe('2');
    const conversation = await inboxOf(gw).conversation(String(pick?.conversationId));
    expect(conversation).toMatchObject({ status: 'pending', heldByBot: true, assigneeId: null });
    await sleep(600);
    expect(sink.mails).toHaveLength(2);
  });
});
