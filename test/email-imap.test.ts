import { Dovecot } from './support/dovecot';
import { eventually, type SocketRecorder, storeUri, TestGateway } from './support/gateway';
import { inboxOf } from './support/inbox-reader';
import { composeMail, SUPPORT } from './support/mail';
import { SHOP_SENDER } from './support/mail-gateway';
import { WireTap } from './support/wire-tap';

const fast = { reconnectMinMs: 100, reconnectMaxMs: 1000 };

const customerMail = (n: number, extra: Record<string, unknown> = {}) =>
  composeMail({
    from: { name: 'Олена Коваль', address: 'olena.koval@example.com' },
    to: SUPPORT,
    subject: `Замовлення №${1040 + n}: де моя посилка?`,
    text: `Добрий день! Замовлення №${1040 + n} досі не прийшло. Підкажіть, будь ласка, номер ТТН.\n\nЗ повагою,\nОлена`,
    messageId: `<order-${1040 + n}.olena@example.com>`,
    ...extra,
  });

async function emailMessages(gw: TestGateway) {
  const messages = (await inboxOf(gw).messages()).filter((m) => m.channel === 'email');
  return messages.sort((a, b) => String(a.externalId).localeCompare(String(b.externalId)));
}

describe('the support mailbox over IMAP: watched with IDLE from a stored UID cursor', () => {
  let dovecot: Dovecot;
  let gw: TestGateway | undefined;
  let supervisor: SocketRecorder;

  const start = async (database?: string) => {
    gw = await TestGateway.start({
      database,
      env: { IMAP_URL: dovecot.url(), EMAIL_FROM: SHOP_SENDER },
      email: fast,
    });
    supervisor = (await gw.online('supervisor', 'Ірина Супервізорка')).socket;
    return gw;
  };

  beforeEach(async () => {
    dovecot = await new Dovecot().start();
  });
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
    await dovecot.destroy();
  });

  it('shows a new mail in the live inbox moments after it lands, and leaves it unread on the server', async () => {
    await start();
    // The watcher is IDLE in the mailbox before the mail arrives.
    await new Promise((r) => setTimeout(r, 1500));
    const deliveredAt = Date.now();
    const uid = await dovecot.deliver(await customerMail(1));
    const event = await supervisor.waitFor('message:new', (e) => e.message.channel === 'email');
    const latency = Date.now() - deliveredAt;
    process.stdout.write(`email IMAP IDLE: delivery to live inbox in ${latency} ms\n`);

    expect(event.conversation.contact.name).toBe('Олена Коваль');
    expect(event.message.subject).toBe('Замовлення №1041: де моя посилка?');
    expect(event.message.text).toBe(
      'Добрий день! Замовлення №1041 досі не прийшло. Підкажіть, будь ласка, номер ТТН.\n\nЗ повагою,\nОлена',
    );
    expect(event.message.externalId).toBe('order-1041.olena@example.com');
    const client = await dovecot.client();
    await client.mailboxOpen('INBOX', { readOnly: true });
    const flags = await client.fetchOne(String(uid), { flags: true }, { uid: true });
    await client.logout();
    expect(flags && [...(flags.flags ?? [])]).not.toContain('\\Seen');
  });

  it('takes mail another mail client already read, and a restart neither misses nor doubles any', async () => {
    let g = await start();
    await dovecot.deliver(await customerMail(1), 'INBOX', ['\\Seen']);
    await dovecot.deliver(await customerMail(2));
    await eventually(async () => (await emailMessages(g)).length === 2);
    const database = g.database;
    await g.stop();
    // While the gateway is down: two more, one of them read on a phone meanwhile.
    await dovecot.deliver(await customerMail(3));
    await dovecot.deliver(await customerMail(4), 'INBOX', ['\\Seen', '\\Flagged']);
    g = await start(database);
    await eventually(async () => (await emailMessages(g)).length >= 4);
    await dovecot.deliver(await customerMail(5));
    await eventually(async () => (await emailMessages(g)).length >= 5);
    await new Promise((r) => setTimeout(r, 500));
    const ids = (await emailMessages(g)).map((m) => m.externalId);
    expect(ids).toEqual([1, 2, 3, 4, 5].map((n) => `order-${1040 + n}.olena@example.com`));
  });

  it('on its first start takes only recent mail, not the archive', async () => {
    const monthAgo = new Date(Date.now() - 30 * 24 * 60 * 60_000);
    const client = await dovecot.client();
    await client.append('INBOX', await customerMail(1, { date: monthAgo }), [], monthAgo);
    await client.append('INBOX', await customerMail(2, { date: monthAgo }), [], monthAgo);
    await client.logout();
    await dovecot.deliver(await customerMail(3));
    const g = await start();
    await eventually(async () => (await emailMessages(g)).length >= 1);
    await dovecot.deliver(await customerMail(4));
    await eventually(async () => (await emailMessages(g)).length >= 2);
    expect((await emailMessages(g)).map((m) => m.externalId)).toEqual(['order-1043.olena@example.com', 'order-1044.olena@example.com']);
  });

  it('after the mailbox was renumbered (new UIDVALIDITY) takes only the mail it had not seen', async () => {
    const admin = await dovecot.client();
    await admin.mailboxCreate('Support');
    await admin.logout();
    await dovecot.deliver(await customerMail(1), 'Support');
    await dovecot.deliver(await customerMail(2), 'Support');
    let g = await TestGateway.start({ env: { IMAP_URL: dovecot.url('Support'), EMAIL_FROM: SUPPORT }, email: fast });
    gw = g;
    await eventually(async () => (await emailMessages(g)).length === 2);
    const database = g.database;
    await g.stop();
    // The mailbox is recreated (a server migration does the same): every UID starts over.
    const again = await dovecot.client();
    await again.mailboxDelete('Support');
    await again.mailboxCreate('Support');
    await again.logout();
    for (const n of [1, 2, 3]) await dovecot.deliver(await customerMail(n), 'Support');
    g = await TestGateway.start({ database, env: { IMAP_URL: dovecot.url('Support'), EMAIL_FROM: SUPPORT }, email: fast });
    gw = g;
    await eventually(async () => (await emailMessages(g)).length >= 3);
    await new Promise((r) => setTimeout(r, 500));
    expect((await emailMessages(g)).map((m) => m.externalId)).toEqual([1, 2, 3].map((n) => `order-${1040 + n}.olena@example.com`));
  });

  it('keeps the text and headers of a mail over the size limit, without its attachments', async () => {
    gw = await TestGateway.start({ env: { IMAP_URL: dovecot.url(), EMAIL_FROM: SUPPORT, EMAIL_MAX_SIZE_MB: '1' }, email: fast });
    const g = gw;
    await dovecot.deliver(
      await customerMail(7, {
        attachments: [{ filename: 'відео-дефекту.mp4', content: Buffer.alloc(3 * 1024 * 1024, 1), contentType: 'video/mp4' }],
      }),
    );
    await dovecot.deliver(await customerMail(8));
    await eventually(async () => (await emailMessages(g)).length === 2);
    const [big, next] = await emailMessages(g);
    expect(big?.text).toContain('Замовлення №1047 досі не прийшло');
    expect(big?.attachments).toEqual([]);
    // That the mail was cut is kept in the record of what came in, which the managers' API does not show.
    const kept = await (await g.collection('messages')).findOne({ channel: 'email', externalId: big?.externalId });
    expect(JSON.parse(kept?.raw ?? '{}').origin.truncated).toBe(true);
    expect(next?.externalId).toBe('order-1048.olena@example.com');
  });

  it('reconnects after the mail server went away and takes what arrived meanwhile, and admins see it happen', async () => {
    const g = await start();
    const admin = await g.online('admin', 'Олександр Адмін');
    await dovecot.deliver(await customerMail(1));
    await eventually(async () => (await emailMessages(g)).length === 1);
    const watching = await g.request('GET', '/api/channels/email/session', { token: admin.token });
    expect(watching.body).toMatchObject({ channel: 'email', state: 'ready', account: `${SUPPORT} · INBOX` });
    await dovecot.stop();
    // The watcher hears of it when the server's processes have exited and closed its connection: seconds on a busy
    // machine (once more than ten on a CI run).
    const lost = await admin.socket.waitFor('channel:session', (v) => v.channel === 'email' && v.state === 'disconnected', 30_000);
    expect(lost.reconnectAt).not.toBeNull();
    await new Promise((r) => setTimeout(r, 300));
    await dovecot.start();
    await dovecot.deliver(await customerMail(2));
    await eventually(async () => (await emailMessages(g)).length === 2, 15_000);
    expect((await emailMessages(g)).map((m) => m.externalId)).toEqual([1, 2].map((n) => `order-${1040 + n}.olena@example.com`));
    await admin.socket.waitFor('channel:session', (v) => v.channel === 'email' && v.state === 'ready' && v.updatedAt > lost.updatedAt);
  }, 90_000);

  it('shows admins a refused login as such, with the server’s words', async () => {
    gw = await TestGateway.start({
      env: { IMAP_URL: dovecot.url().replace(encodeURIComponent(dovecot.password), 'wrong-app-password'), EMAIL_FROM: SUPPORT },
      email: fast,
    });
    const admin = await gw.manager('admin', 'Олександр Адмін');
    const g = gw;
    const refused = await eventually(async () => {
      const view = await g.request('GET', '/api/channels/email/session', { token: admin.token });
      return view.body.state === 'auth_failure' && view.body;
    });
    expect(refused.reason).toMatch(/^login refused: /);
  });
});

describe('a mail server without IDLE', () => {
  it('is asked for news with NOOP, and new mail still arrives within seconds', async () => {
    const dovecot = await new Dovecot({ idle: false }).start();
    const gw = await TestGateway.start({ env: { IMAP_URL: dovecot.url(), EMAIL_FROM: SUPPORT }, email: { ...fast, noIdlePollMs: 500 } });
    try {
      const check = await dovecot.client();
      expect(check.capabilities.has('IDLE')).toBe(false);
      await check.logout();
      await new Promise((r) => setTimeout(r, 1000));
      await dovecot.deliver(await customerMail(1));
      await eventually(async () => (await emailMessages(gw)).length === 1, 5000);
    } finally {
      await gw.close();
      await dovecot.destroy();
    }
  });
});

describe('the IMAP watcher while the store stops answering', () => {
  it('takes a mail that arrived during the outage once the store answers again, once', async () => {
    const dovecot = await new Dovecot().start();
    const database = `mail_outage_${Date.now().toString(36)}`;
    const tap = await WireTap.start(storeUri(database));
    const gw = await TestGateway.start({
      database,
      env: { MONGODB_URI: tap.uri(database), IMAP_URL: dovecot.url(), EMAIL_FROM: SUPPORT },
      email: fast,
    });
    try {
      await dovecot.deliver(await customerMail(1));
      await eventually(async () => (await emailMessages(gw)).length === 1);
      tap.blackhole(true);
      await dovecot.deliver(await customerMail(2));
      await new Promise((r) => setTimeout(r, 4000));
      tap.blackhole(false);
      await dovecot.deliver(await customerMail(3));
      await eventually(async () => (await emailMessages(gw)).length === 3, 30_000);
      await new Promise((r) => setTimeout(r, 500));
      expect((await emailMessages(gw)).map((m) => m.externalId)).toEqual([1, 2, 3].map((n) => `order-${1040 + n}.olena@example.com`));
    } finally {
      tap.blackhole(false);
      await gw.close();
      await tap.close();
      await dovecot.destroy();
    }
  }, 60_000);
});
