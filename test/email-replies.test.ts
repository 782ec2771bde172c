import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Dovecot, freePort } from './support/dovecot';
import { eventually, type SocketRecorder, TestGateway, type TestManager } from './support/gateway';
import { inboxOf } from './support/inbox-reader';
import { composeMail, relayTo, SUPPORT } from './support/mail';
import { SHOP_SENDER, smtpListener, startMailGateway } from './support/mail-gateway';
import { SmtpSink } from './support/smtp-sink';

const olena = { name: 'Олена Коваль', address: 'olena.koval@example.com' };

/** An SMTP server that answers each message with the next of `answers` (then accepts), like a relay having a bad day. */
async function scriptedSmtp(answers: { code: number; text: string }[]) {
  const seen: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        seen.push(Buffer.concat(chunks).toString('utf8'));
        const answer = answers.shift();
        if (!answer) return callback();
        callback(Object.assign(new Error(answer.text), { responseCode: answer.code }));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('email replies go out by SMTP in the customer’s thread, and their answers come back to it', () => {
  let dovecot: Dovecot;
  let sink: SmtpSink;
  let gw: TestGateway;
  let agent: TestManager & { socket: SocketRecorder };

  beforeAll(async () => {
    dovecot = await new Dovecot().start();
    sink = await new SmtpSink().start();
    gw = await TestGateway.start({
      env: { IMAP_URL: dovecot.url(), SMTP_URL: sink.url, EMAIL_FROM: SHOP_SENDER },
      email: { reconnectMinMs: 100 },
    });
    agent = await gw.online('agent', 'Андрій Мельник');
  });
  afterAll(async () => {
    await gw.close();
    await sink.stop();
    await dovecot.destroy();
  });

  it('answers in the thread, and the customer’s reply (quote folded away) joins the same conversation', async () => {
    await dovecot.deliver(
      await composeMail({
        from: olena,
        to: SUPPORT,
        subject: 'Повернення товару',
        text: 'Добрий день! Хочу повернути сукню з замовлення №2207, не підійшов розмір.',
        messageId: '<return-2207.olena@example.com>',
      }),
    );
    const first = await agent.socket.waitFor('message:new', (e) => e.message.channel === 'email');
    const conversationId = first.conversation.id;

    const reply = await gw.request('POST', `/api/conversations/${conversationId}/messages`, {
      token: agent.token,
      json: { text: 'Олено, добрий день!\n\nНадішліть, будь ласка, сукню Новою поштою на відділення №5.' },
    });
    expect(reply.status).toBe(201);
    await eventually(async () => sink.mails.length === 1);
    const sent = await simpleParser(sink.mails[0]?.raw ?? '');
    expect(sent.to && !Array.isArray(sent.to) ? sent.to.value[0]?.address : undefined).toBe(olena.address);
    expect(sent.from?.value[0]).toEqual({ name: 'Андрій Мельник (Магазин «Квітка»)', address: SUPPORT });
    expect(sent.subject).toBe('Re: Повернення товару');
    expect(sent.inReplyTo).toBe('<return-2207.olena@example.com>');
    expect(sent.references).toBe('<return-2207.olena@example.com>');
    expect(sent.messageId).toMatch(new RegExp(`^<msg\\.${reply.body.id}\\.[a-z0-9]{16}@shop\\.example>$`));
    expect(sent.text?.trim()).toBe('Олено, добрий день!\n\nНадішліть, будь ласка, сукню Новою поштою на відділення №5.');
    expect(sent.html).toContain('<p>Надішліть, будь ласка, сукню Новою поштою на відділення №5.</p>');
    const delivered = await agent.socket.waitFor('message:updated', (e) => e.message.id === reply.body.id && e.message.status === 'sent');
    expect(delivered.message.externalId).toBe(sent.messageId?.slice(1, -1));

    // Olena answers from her phone: her client quotes our mail below the new part.
    await dovecot.deliver(
      await composeMail({
        from: olena,
        to: SUPPORT,
        subject: 'Re: Повернення товару',
        inReplyTo: sent.messageId,
        references: ['<return-2207.olena@example.com>', sent.messageId ?? ''],
        messageId: '<return-2207-2.olena@example.com>',
        text: `Дякую, відправлю завтра зранку.\n\nOn Tue, 1 Dec 2026 at 10:15, Магазин «Квітка» <${SUPPORT}> wrote:\n> Олено, добрий день!\n>\n> Надішліть, будь ласка, сукню Новою поштою на відділення №5.\n`,
      }),
    );
    const answer = await agent.socket.waitFor('message:new', (e) => e.message.externalId === 'return-2207-2.olena@example.com');
    expect(answer.conversation.id).toBe(conversationId);
    expect(answer.message.text).toBe('Дякую, відправлю завтра зранку.');
    expect(answer.message.subject).toBe('Re: Повернення товару');
    expect(answer.message.quoted).toContain('> Надішліть, будь ласка, сукню Новою поштою на відділення №5.');
    // The record of the whole mail as it came is no part of the managers' API.
    const stored = await (await gw.collection('messages')).findOne({ channel: 'email', externalId: 'return-2207-2.olena@example.com' });
    const record = JSON.parse(stored?.raw ?? '{}');
    expect(record.quoted).toContain('> Надішліть, будь ласка, сукню Новою поштою на відділення №5.');
    expect(record.fullText).toContain('Дякую, відправлю завтра зранку.');
    expect(record.subject).toBe('Re: Повернення товару');

    // Her husband answers our mail from his own address: it is the same matter, so the same conversation.
    await dovecot.deliver(
      await composeMail({
        from: { name: 'Taras Koval', address: 'taras.koval@example.org' },
        to: SUPPORT,
        subject: 'Re: Повернення товару',
        inReplyTo: sent.messageId,
        references: [sent.messageId ?? ''],
        messageId: '<aa61.taras@example.org>',
        text: 'Hello, I will bring the dress to the post office instead of my wife today.',
      }),
    );
    const husband = await agent.socket.waitFor('message:new', (e) => e.message.externalId === 'aa61.taras@example.org');
    expect(husband.conversation.id).toBe(conversationId);
    expect(husband.conversation.contact.name).toBe('Олена Коваль');
    expect(husband.message.sender.name).toBe('Taras Koval <taras.koval@example.org>');
    expect(husband.message.text).toBe('Hello, I will bring the dress to the post office instead of my wife today.');

    // The next reply continues the whole chain.
    const second = await gw.request('POST', `/api/conversations/${conversationId}/messages`, {
      token: agent.token,
      json: { text: 'Дякуємо!' },
    });
    expect(second.status).toBe(201);
    await eventually(async () => sink.mails.length === 2);
    const next = await simpleParser(sink.mails[1]?.raw ?? '');
    expect(next.inReplyTo).toBe('<aa61.taras@example.org>');
    expect(next.references).toEqual([
      '<return-2207.olena@example.com>',
      sent.messageId,
      '<return-2207-2.olena@example.com>',
      '<aa61.taras@example.org>',
    ]);
    expect(next.subject).toBe('Re: Повернення товару');
  });
});

describe('an SMTP server that refuses or defers a reply', () => {
  let smtp: Awaited<ReturnType<typeof scriptedSmtp>>;
  let gw: TestGateway;

  afterEach(async () => {
    await gw.close();
    await smtp.close();
  });

  const startWith = async (answers: { code: number; text: string }[]) => {
    smtp = await scriptedSmtp(answers);
    const port = await freePort();
    gw = await TestGateway.start({
      env: {
        SMTP_URL: smtp.url,
        EMAIL_FROM: SUPPORT,
        ...smtpListener(port),
        DELIVERY_RETRY_BASE: '200ms',
      },
    });
    const supervisor = await gw.online('supervisor', 'Ірина Супервізорка');
    const agent = await gw.online('agent', 'Андрій Мельник');
    // The customer's mail comes straight to the gateway's listener, as from an MX relay.
    await relayTo(port).sendMail({
      from: { name: 'Петро Бондар', address: 'petro@example.com' },
      to: SUPPORT,
      subject: 'Синя модель',
      text: 'Чи є ця модель у синьому кольорі?',
      messageId: '<q-301.petro@example.com>',
    });
    const { conversationId } = (await supervisor.socket.waitFor('message:new', (e) => e.message.externalId === 'q-301.petro@example.com'))
      .message;
    return { supervisor, agent, conversationId: conversationId ?? '' };
  };

  it('marks a permanently refused reply failed with the server’s words, and alerts', async () => {
    const { supervisor, agent, conversationId } = await startWith([{ code: 550, text: '5.1.1 <petro@example.com>: mailbox unavailable' }]);
    const reply = await gw.request('POST', `/api/conversations/${conversationId}/messages`, {
      token: agent.token,
      json: { text: 'Так, є. Надіслати посилання?' },
    });
    const failed = await supervisor.socket.waitFor(
      'message:updated',
      (e) => e.message.id === reply.body.id && e.message.status === 'failed',
    );
    expect(failed.message.error).toContain('5.1.1 <petro@example.com>: mailbox unavailable');
    const alert = await supervisor.socket.waitFor('alert', (e) => e.alert.type === 'delivery_failed');
    expect(alert.alert.conversationId).toBe(conversationId);
    expect(smtp.seen).toHaveLength(1);
  });

  it('tries a deferred reply again and delivers it', async () => {
    const { agent, conversationId } = await startWith([{ code: 451, text: '4.7.1 greylisted, try again later' }]);
    const reply = await gw.request('POST', `/api/conversations/${conversationId}/messages`, {
      token: agent.token,
      json: { text: 'Так, є.' },
    });
    await agent.socket.waitFor('message:updated', (e) => e.message.id === reply.body.id && e.message.status === 'sent');
    expect(smtp.seen).toHaveLength(2);
    // The same Message-ID both times: a client that got both shows one.
    const ids = smtp.seen.map((raw) => /^Message-ID: (.*)$/im.exec(raw)?.[1]);
    expect(ids[0]).toBe(ids[1]);
  });
});

describe('out of hours: one marked auto-reply, and no answer to the customer’s auto-responder', () => {
  let sink: SmtpSink;
  let gw: TestGateway;
  let port: number;

  beforeAll(async () => {
    // Open only on another weekday than today: now is out of hours.
    const tomorrow = DateTime.now().setZone('Europe/Kyiv').plus({ days: 1 }).setLocale('en').toFormat('ccc');
    ({ gw, sink, port } = await startMailGateway({ BUSINESS_HOURS: `${tomorrow} 09:00-18:00 Europe/Kyiv` }));
  });
  afterAll(async () => {
    await gw.close();
    await sink.stop();
  });

  it('answers the customer once with Auto-Submitted, and stores their out-of-office reply without a wait', async () => {
    const relay = relayTo(port);
    await relay.sendMail({
      from: olena,
      to: SUPPORT,
      subject: 'Чи працюєте у вихідні?',
      text: 'Чи можна забрати замовлення в суботу?',
      messageId: '<weekend-1.olena@example.com>',
    });
    await eventually(async () => sink.mails.length === 1);
    const autoReply = await simpleParser(sink.mails[0]?.raw ?? '');
    expect(autoReply.headers.get('auto-submitted')).toBe('auto-replied');
    expect(autoReply.from?.value[0]?.name).toBe('Магазин «Квітка»');
    expect(autoReply.text).toContain('Дякуємо за повідомлення!');

    // Her mail program answers our auto-reply with one of its own.
    await relay.sendMail({
      from: olena,
      to: SUPPORT,
      subject: `Автовідповідь: ${autoReply.subject}`,
      text: 'Я у відпустці до 10 грудня, відповім після повернення.',
      inReplyTo: autoReply.messageId,
      messageId: '<ooo-2.olena@example.com>',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    const inbox = inboxOf(gw);
    const ooo = await inbox.messageByExternalId('ooo-2.olena@example.com');
    expect(ooo?.automated).toBe(true);
    const conversation = await inbox.conversation(String(ooo?.conversationId));
    const first = await inbox.messageByExternalId('weekend-1.olena@example.com');
    // The wait is still the one her own question started.
    expect(conversation.awaitingReplySince).toBe(first?.createdAt);

    // A bounce is the first mail of its sender: shown, but nobody is assigned, no clock runs, nothing is sent back.
    await relay.sendMail({
      from: { name: 'Mail Delivery System', address: 'MAILER-DAEMON@mx.example.net' },
      to: SUPPORT,
      subject: 'Undelivered Mail Returned to Sender',
      text: 'I am sorry to have to inform you that your message could not be delivered to one or more recipients.',
      messageId: '<bounce-9@mx.example.net>',
    });
    const bounce = await inbox.messageByExternalId('bounce-9@mx.example.net');
    expect((await inbox.contactOf(String(bounce?.conversationId))).source).toBe('email:bounce');
    const bounced = await inbox.conversation(String(bounce?.conversationId));
    expect(bounced).toMatchObject({ awaitingReplySince: null, assigneeId: null, firstResponseDueAt: null, escalationDueAt: null });
    await new Promise((r) => setTimeout(r, 1500));
    expect(sink.mails).toHaveLength(1);
  });
});
