import { rm } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { olena, textUpdate } from './fixtures/telegram';
import { eventually, type SocketRecorder, type TestGateway, type TestManager } from './support/gateway';
import { inboxOf } from './support/inbox-reader';
import { relayTo, SUPPORT } from './support/mail';
import { startMailGateway } from './support/mail-gateway';
import type { SmtpSink } from './support/smtp-sink';

/** A small but real one-page PDF, as an invoice generator would write it. */
const invoicePdf = Buffer.from(
  [
    '%PDF-1.4',
    '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
    '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
    '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj',
    'trailer << /Root 1 0 R >>',
    '%%EOF',
    '',
  ].join('\n'),
  'latin1',
);

describe('a manager sends files with an email reply', () => {
  let sink: SmtpSink;
  let gw: TestGateway;
  let andriy: TestManager & { socket: SocketRecorder };
  let conversationId: string;

  const upload = async (token: string, conversation: string, name: string, content: Buffer, type = 'application/pdf') => {
    const res = await fetch(`${gw.url}/api/conversations/${conversation}/attachments?name=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      body: new Uint8Array(content),
    });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    const mailbox = await startMailGateway({ EMAIL_MAX_SIZE_MB: '1' });
    gw = mailbox.gw;
    sink = mailbox.sink;
    // Only Andriy is online, so the new conversation is his.
    andriy = await gw.online('agent', 'Андрій Мельник');
    await relayTo(mailbox.port).sendMail({
      from: { name: 'Олена Коваль', address: 'olena.koval@example.com' },
      to: SUPPORT,
      subject: 'Рахунок для бухгалтерії',
      text: 'Добрий день! Надішліть, будь ласка, рахунок на замовлення №2207 для нашої бухгалтерії.',
      messageId: '<invoice-2207.olena@example.com>',
    });
    conversationId = (await andriy.socket.waitFor('message:new', (e) => e.message.channel === 'email')).conversation.id;
  });
  afterAll(async () => {
    await gw.close();
    await sink.stop();
  });

  it('delivers the uploaded PDF as a MIME attachment with its name and bytes', async () => {
    const uploaded = await upload(andriy.token, conversationId, 'Рахунок №2207.pdf', invoicePdf);
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toEqual({
      id: expect.stringMatching(/^[a-f0-9]{64}$/),
      kind: 'file',
      name: 'Рахунок №2207.pdf',
      mimeType: 'application/pdf',
      size: invoicePdf.length,
      url: `/api/attachments/${uploaded.body.id}`,
    });

    const reply = await gw.request('POST', `/api/conversations/${conversationId}/messages`, {
      token: andriy.token,
      json: { text: 'Олено, рахунок у вкладенні.', attachments: [{ id: uploaded.body.id, name: uploaded.body.name }] },
    });
    expect(reply.status).toBe(201);
    expect(reply.body.attachments).toEqual([
      expect.objectContaining({ kind: 'file', name: 'Рахунок №2207.pdf', mimeType: 'application/pdf', size: invoicePdf.length }),
    ]);

    await eventually(async () => sink.mails.length === 1);
    const sent = await simpleParser(sink.mails[0]?.raw ?? '');
    expect(sent.text?.trim()).toBe('Олено, рахунок у вкладенні.');
    expect(sent.attachments).toHaveLength(1);
    const [file] = sent.attachments;
    expect(file?.filename).toBe('Рахунок №2207.pdf');
    expect(file?.contentType).toBe('application/pdf');
    expect(file?.contentDisposition).toBe('attachment');
    expect(Buffer.compare(file?.content ?? Buffer.alloc(0), invoicePdf)).toBe(0);
    await andriy.socket.waitFor('message:updated', (e) => e.message.id === reply.body.id && e.message.status === 'sent');

    // The manager sees the file in the history, served from the same route as the customers' files.
    const served = await fetch(`${gw.url}${uploaded.body.url}`, { headers: { authorization: `Bearer ${andriy.token}` } });
    expect(Buffer.from(await served.arrayBuffer()).equals(invoicePdf)).toBe(true);
  });

  it('refuses an upload by an agent who may not work on the conversation', async () => {
    const petro = await gw.manager('agent', 'Петро Бондар');
    const refused = await upload(petro.token, conversationId, 'chuzhyi.pdf', invoicePdf);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('AUTH.FORBIDDEN');
  });

  it('refuses a file above EMAIL_MAX_SIZE_MB with 413', async () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 0x41);
    const refused = await upload(andriy.token, conversationId, 'scan.tiff', big, 'image/tiff');
    expect(refused.status).toBe(413);
    expect(refused.body.error).toEqual({ code: 'HTTP.PAYLOAD_TOO_LARGE', message: expect.stringContaining('1 MB') });
  });

  it('refuses a reply whose files together weigh more than EMAIL_MAX_SIZE_MB, and stores nothing', async () => {
    const first = await upload(andriy.token, conversationId, 'фото-1.jpg', Buffer.alloc(600 * 1024, 1), 'image/jpeg');
    const second = await upload(andriy.token, conversationId, 'фото-2.jpg', Buffer.alloc(600 * 1024, 2), 'image/jpeg');
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.body.kind).toBe('image');
    const before = (await inboxOf(gw).messagesOf(conversationId)).length;
    const reply = await gw.request('POST', `/api/conversations/${conversationId}/messages`, {
      token: andriy.token,
      json: { text: 'Фото сукні з двох боків', attachments: [{ id: first.body.id }, { id: second.body.id }] },
    });
    expect(reply.status).toBe(413);
    expect(reply.body.error).toEqual({ code: 'HTTP.PAYLOAD_TOO_LARGE', message: expect.stringContaining('1.2 MB together') });
    expect(await inboxOf(gw).messagesOf(conversationId)).toHaveLength(before);
  });

  it('fails a reply whose file went missing from DATA_DIR, saying which, instead of sending it without', async () => {
    const uploaded = await upload(andriy.token, conversationId, 'договір.pdf', Buffer.from('%PDF-1.4\n% договір постачання\n%%EOF\n'));
    const id: string = uploaded.body.id;
    await rm(path.join(gw.dataDir, 'blobs', id.slice(0, 2), id));
    const mailsBefore = sink.mails.length;
    const reply = await gw.request('POST', `/api/conversations/${conversationId}/messages`, {
      token: andriy.token,
      json: { text: 'Договір у вкладенні', attachments: [{ id }] },
    });
    expect(reply.status).toBe(201);
    const failed = await andriy.socket.waitFor('message:updated', (e) => e.message.id === reply.body.id && e.message.status === 'failed');
    expect(failed.message.error).toContain('договір.pdf is no longer stored');
    expect(sink.mails).toHaveLength(mailsBefore);
  });

  it('refuses an upload without a name, and a reply naming a file that was never uploaded', async () => {
    const nameless = await fetch(`${gw.url}/api/conversations/${conversationId}/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${andriy.token}`, 'content-type': 'application/pdf' },
      body: new Uint8Array(invoicePdf),
    });
    expect(nameless.status).toBe(400);
    const unknown = await gw.request('POST', `/api/conversations/${conversationId}/messages`, {
      token: andriy.token,
      json: { text: 'Ось файл', attachments: [{ id: 'a'.repeat(64) }] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('no uploaded file');
  });

  it('refuses a reply with a file on Telegram up front, and stores nothing', async () => {
    await gw.postTelegram(textUpdate(olena, 'Можна фото сукні в синьому кольорі?'));
    const telegram = await andriy.socket.waitFor('message:new', (e) => e.message.channel === 'telegram');
    const onTelegram = telegram.conversation.id;
    const uploaded = await upload(andriy.token, conversationId, 'suknia.pdf', Buffer.from('%PDF-1.4\n%%EOF\n'));

    const reply = await gw.request('POST', `/api/conversations/${onTelegram}/messages`, {
      token: andriy.token,
      json: { text: 'Ось фото', attachments: [{ id: uploaded.body.id }] },
    });
    expect(reply.status).toBe(409);
    expect(reply.body.error).toEqual({ code: 'CHANNEL.ATTACHMENTS_UNSUPPORTED', message: expect.stringContaining('telegram') });
    const direct = await upload(andriy.token, onTelegram, 'suknia.pdf', invoicePdf);
    expect(direct.status).toBe(409);
    // Only Olena's question: no reply was stored, queued or failed.
    expect(await inboxOf(gw).messagesOf(onTelegram)).toHaveLength(1);
    expect(gw.telegram.callsTo('sendMessage')).toHaveLength(0);
  });

  it('tells the page which channels can send files', async () => {
    const channels = await gw.request('GET', '/api/channels', { token: andriy.token });
    expect(channels.status).toBe(200);
    expect(channels.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ channel: 'email', replies: true, sendsFiles: true, replyWindowMs: null }),
        expect.objectContaining({ channel: 'telegram', replies: true, sendsFiles: false, replyWindowMs: null }),
      ]),
    );
  });
});
