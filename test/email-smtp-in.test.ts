import { freePort } from './support/dovecot';
import { eventually, type SocketRecorder, TestGateway, type TestManager } from './support/gateway';
import { inboxOf } from './support/inbox-reader';
import { relayTo, SUPPORT } from './support/mail';
import { SHOP_SENDER, smtpListener } from './support/mail-gateway';

/** A small PDF and a PNG, as a customer attaches a receipt and a photo. */
const receiptPdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const photoPng = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe('mail routed straight to the gateway’s SMTP listener', () => {
  let gw: TestGateway;
  let port: number;
  let supervisor: TestManager & { socket: SocketRecorder };
  const relay = () => relayTo(port);

  beforeAll(async () => {
    port = await freePort();
    gw = await TestGateway.start({
      env: { ...smtpListener(port), EMAIL_FROM: SHOP_SENDER },
    });
    supervisor = await gw.online('supervisor', 'Ірина Супервізорка');
  });
  afterAll(async () => {
    await gw.close();
  });

  const stored = async (externalId: string) => (await inboxOf(gw).messageByExternalId(externalId)) ?? null;
  /** The record of the whole mail as it came, which the managers' API does not show. */
  const kept = async (externalId: string) => (await gw.collection('messages')).findOne({ channel: 'email', externalId });

  it('answers 250 only once the mail is stored, and a second delivery of it stores nothing new', async () => {
    const mail = {
      from: { name: 'Mark Evans', address: 'mark.evans@example.co.uk' },
      to: SUPPORT,
      subject: 'Invoice for order 5531',
      text: 'Hello, could you send me a VAT invoice for order 5531? Thanks, Mark',
      messageId: '<inv-5531.mark@example.co.uk>',
    };
    const info = await relay().sendMail(mail);
    expect(info.response).toMatch(/^250/);
    // No waiting: what the relay was told is stored is stored.
    expect((await stored('inv-5531.mark@example.co.uk'))?.text).toBe('Hello, could you send me a VAT invoice for order 5531? Thanks, Mark');
    await relay().sendMail(mail);
    expect((await inboxOf(gw).messagesWith(['inv-5531.mark@example.co.uk'])).filter((m) => m.channel === 'email')).toHaveLength(1);
    expect(supervisor.socket.of('message:new').filter((e) => e.message.externalId === 'inv-5531.mark@example.co.uk')).toHaveLength(1);
  });

  it('refuses mail for any other address with a clear SMTP error, storing nothing', async () => {
    const refused = relay().sendMail({
      from: 'spammer@example.net',
      to: 'ceo@shop.example',
      subject: 'Offer',
      text: 'Buy now',
      messageId: '<spam-1@example.net>',
    });
    await expect(refused).rejects.toMatchObject({ responseCode: 550 });
    await expect(refused).rejects.toThrow(/no such mailbox here, only <support@shop\.example>/);
    expect(await stored('spam-1@example.net')).toBeNull();
  });

  it('stores attachments as files managers can open when signed in, and nobody else', async () => {
    await relay().sendMail({
      from: { name: 'Олена Коваль', address: 'olena.koval@example.com' },
      to: SUPPORT,
      subject: 'Брак: фото і чек',
      text: 'Надсилаю фото дефекту і чек.',
      html: '<p>Надсилаю <b>фото</b> дефекту і чек.</p><img src="cid:defect@olena"><script>alert(1)</script>',
      messageId: '<defect-77.olena@example.com>',
      attachments: [
        { filename: 'чек-2207.pdf', content: receiptPdf, contentType: 'application/pdf' },
        { filename: 'дефект.png', content: photoPng, contentType: 'image/png', cid: 'defect@olena' },
      ],
    });
    const message = await stored('defect-77.olena@example.com');
    const files = message?.attachments.map((a) => [a.name, a.kind, a.size]);
    expect(files).toHaveLength(2);
    expect(files).toEqual(
      expect.arrayContaining([
        ['чек-2207.pdf', 'file', receiptPdf.length],
        ['дефект.png', 'image', photoPng.length],
      ]),
    );
    const record = JSON.parse((await kept('defect-77.olena@example.com'))?.raw ?? '{}');
    expect(record.html).toContain('<b>фото</b>');
    expect(record.html).not.toContain('<script>');
    expect(record.inlineImages).toEqual(['дефект.png']);
    const pdf = message?.attachments.find((a) => a.name === 'чек-2207.pdf');

    const anonymous = await fetch(`${gw.url}${pdf?.url}`);
    expect(anonymous.status).toBe(401);
    const opened = await fetch(`${gw.url}${pdf?.url}`, { headers: { authorization: `Bearer ${supervisor.token}` } });
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toBe('application/pdf');
    expect(opened.headers.get('content-disposition')).toBe(`inline; filename*=UTF-8''${encodeURIComponent('чек-2207.pdf')}`);
    expect(Buffer.from(await opened.arrayBuffer())).toEqual(receiptPdf);
    const original = await fetch(`${gw.url}/api/attachments/${record.original.id}`, {
      headers: { authorization: `Bearer ${supervisor.token}` },
    });
    expect((await original.text()).includes('Message-ID: <defect-77.olena@example.com>')).toBe(true);
  });

  it('refuses a 25 MB attachment over the 25 MB limit during DATA, with the limit in the answer', async () => {
    const big = Buffer.alloc(25 * 1024 * 1024, 7);
    const refused = relay().sendMail({
      from: 'designer@example.com',
      to: SUPPORT,
      subject: 'Макет банера',
      text: 'Макет у вкладенні.',
      messageId: '<banner-1.designer@example.com>',
      attachments: [{ filename: 'banner.psd', content: big }],
    });
    await expect(refused).rejects.toMatchObject({ responseCode: 552 });
    await expect(refused).rejects.toThrow(/larger than the 25 MB limit/);
    expect(await stored('banner-1.designer@example.com')).toBeNull();
  });

  it('marks auto-replies, bounces and list mail as such, and starts no wait for them', async () => {
    await relay().sendMail({
      from: { name: 'Іван Петренко', address: 'ivan.petrenko@example.com' },
      to: SUPPORT,
      subject: 'Автовідповідь: Знижки тижня',
      text: 'Я у відпустці до 10 грудня.',
      messageId: '<ooo-1.ivan@example.com>',
      headers: { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes' },
    });
    await relay().sendMail({
      from: { name: 'Mail Delivery System', address: 'MAILER-DAEMON@mx.example.net' },
      to: SUPPORT,
      subject: 'Undelivered Mail Returned to Sender',
      text: 'This is the mail system at host mx.example.net. I am sorry to have to inform you that your message could not be delivered.',
      messageId: '<bounce-1@mx.example.net>',
      headers: { 'X-Failed-Recipients': 'nobody@example.net' },
    });
    await relay().sendMail({
      from: 'news@shop-news.example',
      to: SUPPORT,
      subject: 'Знижки тижня',
      text: 'Тільки цього тижня: −30% на все.',
      messageId: '<digest-48@shop-news.example>',
      headers: { Precedence: 'bulk', 'List-Id': '<weekly.shop-news.example>' },
    });
    // Each is its sender's first mail: where the lead came from is what the machine that wrote it is.
    const sourceOf = async (id: string) => (await inboxOf(gw).contactOf(String((await stored(id))?.conversationId))).source;
    expect(await sourceOf('ooo-1.ivan@example.com')).toBe('email:auto-reply');
    expect(await sourceOf('bounce-1@mx.example.net')).toBe('email:bounce');
    expect(await sourceOf('digest-48@shop-news.example')).toBe('email:list');
    for (const id of ['ooo-1.ivan@example.com', 'bounce-1@mx.example.net', 'digest-48@shop-news.example']) {
      const message = await stored(id);
      expect(message?.automated).toBe(true);
      const conversation = await inboxOf(gw).conversation(String(message?.conversationId));
      expect(conversation.awaitingReplySince).toBeNull();
    }
  });

  it('stores a malformed MIME message with what can be read, and keeps taking mail', async () => {
    const broken = [
      'From: =?utf-8?B?0J/QtdGC0YDQvg==?= <petro@example.com>',
      `To: ${SUPPORT}`,
      'Subject: =?utf-8?B?0J/QuNGC0LDQvdC90Y8=?= про доставку',
      'Message-ID: <broken-1.petro@example.com>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="never-closed"',
      '',
      '--never-closed',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      '0KfQuCDQtNC+0YHRgtCw0LLQu9GP0ZTRgtC1INGDINGB0YPQsdC+0YLRgz8=!!not base64!!',
      '--never-closed',
      'Content-Type: application/octet-stream; name="x.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      'AAEC%%%',
      '',
    ].join('\r\n');
    const info = await relay().sendMail({ envelope: { from: 'petro@example.com', to: [SUPPORT] }, raw: broken });
    expect(info.response).toMatch(/^250/);
    const message = await stored('broken-1.petro@example.com');
    expect(message?.sender.name).toBe('Петро');
    expect(message?.subject).toBe('Питання про доставку');
    expect(message?.text).toContain('Чи доставляєте у суботу?');
    await relay().sendMail({
      from: 'petro@example.com',
      to: SUPPORT,
      subject: 'Ще одне',
      text: 'Дякую!',
      messageId: '<after-broken.petro@example.com>',
    });
    await eventually(async () => stored('after-broken.petro@example.com'));
  });
});
