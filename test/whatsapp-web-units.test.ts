import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer';
import wwebjs from 'whatsapp-web.js';
import { chatIdFor, chatKindOf, decodeAck, decodeMessage, parseVCard } from '../channels/whatsapp-web/decode';
import { toDeliveryError } from '../channels/whatsapp-web/send';
import { chromiumArgs, createWhatsAppWebJsClient } from '../channels/whatsapp-web/whatsapp-web-js';
import { ConfigError, loadConfig } from '../gateway/config';
import { incoming, olena, outgoingModel } from './fixtures/whatsapp-web';
import { CHROMIUM, libraryMessage } from './support/stand-in-whatsapp-web';

function configOutcome(env: Record<string, string>): string {
  try {
    const config = loadConfig({ NODE_ENV: 'test', ...env });
    return `accepted: ${config.chromiumPath}`;
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
}

describe('WhatsApp Web settings', () => {
  it('refuses to start web mode with a browser path that does not exist, naming CHROMIUM_PATH', () => {
    expect(configOutcome({ WHATSAPP_MODE: 'web', CHROMIUM_PATH: '/opt/no-such/chromium' })).toBe(
      'invalid setting CHROMIUM_PATH: no browser at /opt/no-such/chromium (Debian: apt-get install chromium)',
    );
    expect(configOutcome({ WHATSAPP_MODE: 'web', CHROMIUM_PATH: CHROMIUM })).toBe(`accepted: ${CHROMIUM}`);
    // Other modes do not look for a browser.
    expect(configOutcome({ CHROMIUM_PATH: '/opt/no-such/chromium' })).toBe('accepted: /opt/no-such/chromium');
  });
});

describe('whatsapp-web.js events decoded', () => {
  const client = {};

  it('maps acks on our messages to receipts, and keeps no others', () => {
    const ours = libraryMessage(client, outgoingModel(olena.wid, `true_${olena.wid}_3EB0A1B2C3D4E5F60718`, 'Дякуємо!', 2));
    const at = new Date('2026-03-02T10:00:00Z');
    const outcome = (ack: number) => {
      const r = decodeAck(ours, ack, at);
      return typeof r === 'string' ? r : `${r.status}${r.error ? ` (${r.error})` : ''}`;
    };
    expect([-1, 0, 1, 2, 3, 4, 7].map(outcome)).toEqual([
      'failed (WhatsApp could not send the message (ack error))',
      'pending ack',
      'server ack (the message is already marked sent)',
      'delivered',
      'read',
      'read',
      'unknown ack 7',
    ]);
    const theirs = libraryMessage(client, incoming(olena, { type: 'chat', body: 'Привіт' }));
    expect(decodeAck(theirs, 3, at)).toBe('ack 3 on a message we did not send');
    expect(decodeAck(ours, 3, at)).toMatchObject({
      kind: 'receipt',
      channel: 'whatsapp',
      externalId: `true_${olena.wid}_3EB0A1B2C3D4E5F60718`,
      at,
    });
  });

  it('names what it does not keep', () => {
    const decode = (fields: Record<string, unknown>) => decodeMessage(libraryMessage(client, incoming(olena, fields)), olena.wid);
    expect(decode({ type: 'revoked', body: '' })).toBe('message of type revoked');
    expect(decode({ type: 'e2e_notification', subtype: 'encrypt' })).toBe('message of type e2e_notification');
    expect(decode({ type: 'chat', body: '' })).toBe('chat message without text');
    expect(decode({ type: 'location', lat: undefined, lng: undefined })).toBe('location message without coordinates');
    expect(decode({ type: 'list_response', body: 'Доставка кур’єром' })).toMatchObject({ text: 'Доставка кур’єром', attachments: [] });
  });

  it('keeps a poll or an order the customer sent as a placeholder saying what it was', () => {
    const decode = (fields: Record<string, unknown>) => decodeMessage(libraryMessage(client, incoming(olena, fields)), olena.wid);
    // whatsapp-web.js gives the poll's question as its body.
    expect(decode({ type: 'poll_creation', body: '', pollName: 'Який колір?' })).toMatchObject({
      kind: 'message',
      text: 'Який колір?',
      attachments: [{ kind: 'unsupported', name: 'unsupported message type: poll' }],
    });
    expect(decode({ type: 'order', body: '2 items' })).toMatchObject({
      text: '2 items',
      attachments: [{ kind: 'unsupported', name: 'unsupported message type: order' }],
    });
  });

  it('names a contact without a profile name by their number, and one known only by a LID by that id', () => {
    const nameless = decodeMessage(libraryMessage(client, incoming({ wid: olena.wid }, { type: 'chat', body: 'Так' })), olena.wid);
    expect(nameless).toMatchObject({ contact: { externalId: olena.wid, name: '+380501234567', phone: '+380501234567' } });
    const lid = '203981234567890@lid';
    const byLid = decodeMessage(libraryMessage(client, incoming({ wid: lid }, { type: 'chat', body: 'Так' })), lid);
    expect(byLid).toMatchObject({ contact: { externalId: lid, name: 'WhatsApp 203981234567890' } });
    expect(typeof byLid === 'string' ? byLid : byLid.contact.phone).toBeUndefined();
  });

  it('reads names and numbers from the vCards WhatsApp shares', () => {
    expect(
      parseVCard('BEGIN:VCARD\nVERSION:3.0\nN:Evans;Mark;;;\nFN:Mark Evans\nTEL;type=CELL;waid=447700900123:+44 7700 900123\nEND:VCARD'),
    ).toEqual({
      name: 'Mark Evans',
      phone: '+447700900123',
    });
    // Folded lines, an item-grouped TEL without waid, only N.
    expect(
      parseVCard(
        'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Коваль;Тарас;;;\r\nitem1.TEL:+380 (67) 111-22-\r\n 33\r\nitem1.X-ABLabel:Mobile\r\nEND:VCARD',
      ),
    ).toEqual({ name: 'Тарас Коваль', phone: '+380671112233' });
    expect(parseVCard('BEGIN:VCARD\nVERSION:3.0\nFN:Служба доставки\\, Київ\nEND:VCARD')).toEqual({ name: 'Служба доставки, Київ' });
  });

  it('knows people’s chats from groups, statuses, broadcasts and channels, and where replies go', () => {
    expect(
      [
        '380501234567@c.us',
        '203981234567890@lid',
        '120363041234567890@g.us',
        'status@broadcast',
        '1722334455@broadcast',
        '120363198765432109@newsletter',
      ].map(chatKindOf),
    ).toEqual(['person', 'person', 'group', 'status', 'broadcast', 'newsletter']);
    expect(chatIdFor('380501234567@c.us')).toBe('380501234567@c.us');
    expect(chatIdFor('203981234567890@lid')).toBe('203981234567890@lid');
    expect(chatIdFor('380501234567')).toBe('380501234567@c.us');
  });

  it('retries send failures of the browser, not those of the recipient', () => {
    expect(toDeliveryError(new Error('Protocol error (Runtime.callFunctionOn): Session closed.'))).toMatchObject({ retryable: true });
    expect(toDeliveryError(new Error('Navigation timeout of 30000 ms exceeded'))).toMatchObject({ retryable: true });
    expect(toDeliveryError(new Error('Evaluation failed: Error: invalid wid'))).toMatchObject({ retryable: false });
  });
});

describe('the production client', () => {
  it('is whatsapp-web.js’s own Client with Debian’s chromium and the session kept under DATA_DIR, launched by nothing but initialize()', async () => {
    const sessionDir = path.join(mkdtempSync(path.join(tmpdir(), 'wweb-')), 'whatsapp-web');
    const client = await createWhatsAppWebJsClient({ chromiumPath: CHROMIUM, sessionDir });

    expect(client).toBeInstanceOf(wwebjs.Client);
    const options = (client as unknown as { options: { puppeteer: Record<string, unknown>; webVersionCache: unknown } }).options;
    expect(options.puppeteer).toMatchObject({ executablePath: CHROMIUM, headless: true });
    expect(options.puppeteer.args).toEqual(chromiumArgs);
    expect(chromiumArgs).toEqual(expect.arrayContaining(['--no-sandbox', '--disable-setuid-sandbox']));
    expect(options.webVersionCache).toEqual({ type: 'local', path: path.join(sessionDir, 'web-cache') });
    const auth = (client as unknown as { authStrategy: { dataPath: string } }).authStrategy;
    expect(auth).toBeInstanceOf(wwebjs.LocalAuth);
    expect(auth.dataPath).toBe(sessionDir);
    // Building it launched nothing and wrote nothing.
    expect(client.pupBrowser).toBeNull();
    expect(existsSync(sessionDir)).toBe(false);
  });

  it('launches Debian’s chromium with those options and the session profile, against a local page only', async () => {
    const sessionDir = path.join(mkdtempSync(path.join(tmpdir(), 'wweb-')), 'whatsapp-web');
    const client = await createWhatsAppWebJsClient({ chromiumPath: CHROMIUM, sessionDir });
    // What initialize() does before it would open WhatsApp Web: LocalAuth points the profile into the session dir,
    // then the browser starts with the client's options (the library adds the flag below).
    const auth = (client as unknown as { authStrategy: { beforeBrowserInitialized(): Promise<void> } }).authStrategy;
    await auth.beforeBrowserInitialized();
    const launchOptions = (client as unknown as { options: { puppeteer: { args: string[]; userDataDir?: string } } }).options.puppeteer;
    expect(launchOptions.userDataDir).toBe(path.join(sessionDir, 'session'));

    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<title>Локальна сторінка</title><p>ok</p>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const browser = await puppeteer.launch({
      ...launchOptions,
      args: [...launchOptions.args, '--disable-blink-features=AutomationControlled'],
    });
    try {
      const page = (await browser.pages())[0] ?? (await browser.newPage());
      await page.goto(url, { waitUntil: 'load' });
      expect(await page.title()).toBe('Локальна сторінка');
      expect(await browser.version()).toMatch(/Chrom/);
    } finally {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    // The profile, which is the linked device once paired, is on disk for the next start.
    expect(readdirSync(path.join(sessionDir, 'session'))).toEqual(expect.arrayContaining(['Default']));
  });
});
