import { classifyNoise, decodeEmail, splitReply } from '../channels/email/decode';
import { deliveryErrorOf } from '../channels/email/send';
import { emailSettingsSchema } from '../channels/email/settings';
import { baseSubject, isSupportRecipient, ourMessageId, tokenOfAddress, tokenOfMessageId } from '../channels/email/thread';
import { ConfigError, loadConfig } from '../gateway/config';
import { DeliveryError } from '../shared/messages';
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

describe('email settings', () => {
  const base = { NODE_ENV: 'test', JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789' };
  function configError(env: Record<string, string>): string {
    try {
      loadConfig({ ...base, ...env });
    } catch (e) {
      if (e instanceof ConfigError) return e.message;
      throw e;
    }
    throw new Error('expected a ConfigError');
  }

  it('needs the support address once mail can come in', () => {
    expect(configError({ IMAP_URL: 'imaps://support%40shop.example:secret@imap.gmail.com:993/INBOX' })).toBe(
      'invalid setting EMAIL_FROM: is required when IMAP_URL is set',
    );
    expect(configError({ INBOUND_SMTP_PORT: '2525' })).toBe('invalid setting EMAIL_FROM: is required when INBOUND_SMTP_PORT is set');
  });

  it('refuses an IMAP URL without credentials and a support address that is not one', () => {
    expect(configError({ IMAP_URL: 'imaps://imap.gmail.com', EMAIL_FROM: SUPPORT })).toBe(
      'invalid setting IMAP_URL: must name the user and password: imaps://user:pass@host:993/INBOX',
    );
    expect(configError({ INBOUND_SMTP_PORT: '2525', EMAIL_FROM: 'Support' })).toBe(
      'invalid setting EMAIL_FROM: must be an address such as "Support <help@shop.example>"',
    );
  });

  it('reads the mailbox, port and credentials out of IMAP_URL', () => {
    const settings = emailSettingsSchema.parse({
      from: 'Магазин «Квітка» <Support@Shop.Example>',
      imap: 'imaps://support%40shop.example:p%40ss%2Fword@imap.gmail.com/Support%2FUkraine',
    });
    expect(settings.from).toEqual({ name: 'Магазин «Квітка»', address: SUPPORT });
    expect(settings.imap).toEqual({
      host: 'imap.gmail.com',
      port: 993,
      secure: true,
      user: SUPPORT,
      pass: 'p@ss/word',
      mailbox: 'Support/Ukraine',
    });
    expect(settings.maxMessageBytes).toBe(25 * 1024 * 1024);
  });
});

describe('SMTP answers to a reply', () => {
  it.each<[{ responseCode?: number; response?: string; code?: string; message?: string }, boolean, boolean]>([
    [{ responseCode: 550, response: '550 5.1.1 <petro@example.com>: Recipient address rejected' }, false, false],
    [{ responseCode: 552, response: '552 5.3.4 Message size exceeds fixed limit' }, false, false],
    [{ responseCode: 451, response: '451 4.7.1 Greylisted, try again later' }, true, false],
    [{ code: 'ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:465' }, true, false],
    [{ code: 'ETIMEDOUT', message: 'Timeout' }, true, true],
  ])('%j → retry %s (maybe delivered %s)', (failure, retryable, maybeDelivered) => {
    const error = deliveryErrorOf(failure);
    expect(error).toBeInstanceOf(DeliveryError);
    expect([error.retryable, error.maybeDelivered]).toEqual([retryable, maybeDelivered]);
    expect(error.message).toContain(failure.response ?? failure.message ?? '');
  });
});
