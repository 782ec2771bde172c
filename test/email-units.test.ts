import { classifyNoise, decodeEmail, splitReply } from '../channels/email/decode';
import { baseSubject, isSupportRecipient, ourMessageId, tokenOfAddress, tokenOfMessageId } from '../channels/email/thread';
import { composeMail, SUPPORT } from './support/mail';

describe('the new part of a reply, without quote and signature', () => {
  it('drops a Ukrainian Gmail quote header and the quoted lines', () => {
    const { reply, quoted } = splitReply(
      'Так, п’ятниця підходить.\n\nвт, 1 груд. 2026 р. о 10:15 Магазин «Квітка» <support@shop.example> пише:\n> Чи підходить вам п’ятниця?\n',
    );
    expect(reply).toBe('Так, п’ятниця підходить.');
    expect(quoted).toContain('пише:');
    expect(quoted).toContain('> Чи підходить вам п’ятниця?');
  });

  it('drops an English signature and quote', () => {
    const { reply } = splitReply(
      'Yes, Friday works.\n\n-- \nMark Evans\nHead of Procurement\n\nOn Tue, Dec 1, 2026 at 10:15 AM Shop <support@shop.example> wrote:\n> Does Friday suit you?\n',
    );
    expect(reply).toBe('Yes, Friday works.');
  });

  it('drops a phone’s “sent from” line', () => {
    expect(splitReply('Дякую, отримала.\n\nНадіслано з iPhone\n').reply).toBe('Дякую, отримала.');
  });

  it('keeps a message that is nothing but text', () => {
    expect(splitReply('Чи є доставка до Львова?').reply).toBe('Чи є доставка до Львова?');
  });
});

describe('reading a mail', () => {
  const at = new Date('2026-12-01T10:00:00Z');

  it('converts an HTML-only mail to text and keeps its sanitized HTML', async () => {
    const source = await composeMail({
      from: 'olena.koval@example.com',
      to: SUPPORT,
      subject: 'Питання',
      html: '<div>Доброго дня!<br>Чи можна <b>змінити</b> адресу доставки?</div><script>steal()</script><img src="x" onerror="steal()"><a href="data:text/html,<h1>login</h1>">увійти</a>',
      messageId: '<html-1@example.com>',
    });
    const mail = await decodeEmail(source, at, SUPPORT);
    expect(mail.reply).toMatch(/^Доброго дня!\nЧи можна змінити адресу доставки\?/);
    expect(mail.subject).toBe('Питання');
    expect(mail.html).toContain('<b>змінити</b>');
    expect(mail.html).not.toMatch(/script|onerror|data:text/);
  });

  it('keys a mail without a Message-ID by a hash of its bytes, the same on every read', async () => {
    const source = Buffer.from(`From: petro@example.com\r\nTo: ${SUPPORT}\r\nSubject: Hi\r\n\r\nБез Message-ID.\r\n`);
    const [a, b] = await Promise.all([decodeEmail(source, at, SUPPORT), decodeEmail(source, at, SUPPORT)]);
    expect(a.messageId).toBeUndefined();
    expect(a.dedupeKey).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(b.dedupeKey).toBe(a.dedupeKey);
  });

  it('takes a date in the future for the time it arrived', async () => {
    const source = await composeMail({
      from: 'a@example.com',
      to: SUPPORT,
      subject: 'x',
      text: 'y',
      date: new Date('2030-01-01T00:00:00Z'),
    });
    expect((await decodeEmail(source, at, SUPPORT)).sentAt).toEqual(at);
  });
});

describe('machine-written mail', () => {
  it.each([
    [{ 'auto-submitted': 'auto-replied' }, 'x@example.com', '', 'auto-reply'],
    [{ 'auto-submitted': 'no' }, 'x@example.com', '', undefined],
    [{ 'x-autoreply': 'yes' }, 'x@example.com', '', 'auto-reply'],
    [{}, 'mailer-daemon@mx.example.net', '', 'bounce'],
    [{}, 'x@example.com', 'multipart/report; report-type=delivery-status', 'bounce'],
    [{ precedence: 'bulk' }, 'news@example.com', '', 'list'],
    [{ 'list-id': '<weekly.example.com>' }, 'news@example.com', '', 'list'],
    [{}, SUPPORT, '', 'own'],
    [{}, 'olena.koval@example.com', 'text/plain', undefined],
  ])('%j from %s (%s) is %s', (headers, from, contentType, noise) => {
    expect(classifyNoise(headers as Record<string, string>, from, contentType, SUPPORT)).toBe(noise);
  });
});

describe('thread tokens', () => {
  const token = 'k3j9x0q2m5n8p1r4';

  it('finds the token in our own Message-ID, and only on our domain', () => {
    const id = ourMessageId('6b0ede2c553594be29cde044', token, 'shop.example');
    expect(id).toBe(`<msg.6b0ede2c553594be29cde044.${token}@shop.example>`);
    expect(tokenOfMessageId(id, 'shop.example')).toBe(token);
    expect(tokenOfMessageId(`<msg.1.${token}@evil.example>`, 'shop.example')).toBeUndefined();
    expect(tokenOfMessageId('<order-1041.olena@example.com>', 'shop.example')).toBeUndefined();
  });

  it('finds the token in a plus address of the support mailbox', () => {
    expect(tokenOfAddress(`Support+${token.toUpperCase()}@Shop.Example`, SUPPORT)).toBe(token);
    expect(tokenOfAddress(`support+${token}@other.example`, SUPPORT)).toBeUndefined();
    expect(isSupportRecipient(`support+${token}@shop.example`, SUPPORT)).toBe(true);
    expect(isSupportRecipient('sales@shop.example', SUPPORT)).toBe(false);
  });

  it('strips reply prefixes in several languages', () => {
    expect(baseSubject('Re: RE: Відп: Повернення товару')).toBe('Повернення товару');
    expect(baseSubject('AW: Fwd: Invoice 5531')).toBe('Invoice 5531');
  });
});
