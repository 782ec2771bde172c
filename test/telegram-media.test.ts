import {
  ann,
  documentMedia,
  editedUpdate,
  location,
  mediaUpdate,
  olena,
  photo,
  sharedContact,
  sticker,
  textUpdate,
  voice,
} from './fixtures/telegram';
import { TestGateway } from './support/gateway';
import { InboxReader } from './support/inbox-reader';

describe('Telegram message kinds become one normalized message each', () => {
  let gw: TestGateway;
  let token: string;
  beforeAll(async () => {
    gw = await TestGateway.start();
    token = (await gw.manager('supervisor', 'Supervisor')).token;
  });
  afterAll(async () => {
    await gw.close();
  });

  async function lastMessage() {
    const list = await gw.request('GET', '/api/conversations', { token });
    const conversation = list.body.items[0];
    const history = await gw.request('GET', `/api/conversations/${conversation.id}/messages?limit=200`, { token });
    return history.body.items.at(-1);
  }

  it('keeps the largest photo size as a reference, with the caption as text', async () => {
    expect((await gw.postTelegram(mediaUpdate(olena, photo))).status).toBe(200);
    const message = await lastMessage();
    expect(message.text).toBe('Ось фото пошкодженої коробки');
    expect(message.attachments).toEqual([{ kind: 'image', platformId: 'AgACAgIAAxkBAAIC', mimeType: 'image/jpeg', size: 98000 }]);
  });

  it('keeps a document with its name, type and size', async () => {
    await gw.postTelegram(mediaUpdate(olena, documentMedia));
    expect((await lastMessage()).attachments).toEqual([
      { kind: 'file', platformId: 'BQACAgIAAxkBAAID', mimeType: 'application/pdf', name: 'рахунок-1042.pdf', size: 48213 },
    ]);
  });

  it('keeps a voice note', async () => {
    await gw.postTelegram(mediaUpdate(olena, voice));
    expect((await lastMessage()).attachments).toEqual([
      { kind: 'voice', platformId: 'AwACAgIAAxkBAAIE', mimeType: 'audio/ogg', size: 23011 },
    ]);
  });

  it('keeps a sticker with its emoji', async () => {
    await gw.postTelegram(mediaUpdate(olena, sticker));
    expect((await lastMessage()).attachments).toEqual([{ kind: 'sticker', platformId: 'CAACAgIAAxkBAAIF', name: '👍' }]);
  });

  it('keeps a location as coordinates', async () => {
    await gw.postTelegram(mediaUpdate(olena, location));
    expect((await lastMessage()).attachments).toEqual([{ kind: 'location', latitude: 50.4501, longitude: 30.5234 }]);
  });

  it('keeps a shared contact card', async () => {
    await gw.postTelegram(mediaUpdate(olena, sharedContact));
    expect((await lastMessage()).attachments).toEqual([{ kind: 'contact', phone: '+380501234567', name: 'Олена Коваленко' }]);
  });

  it('records where a lead came from when they start the bot from a deep link', async () => {
    // A deep link starts a lead's first conversation: a new customer, not Olena, who has written before.
    await gw.postTelegram(textUpdate(ann, '/start promo_black_friday'));
    const inbox = new InboxReader(gw);
    const conversation = await inbox.conversationOf({ channel: 'telegram', externalId: String(ann.id) });
    expect((await inbox.contactOf(String(conversation?.id))).source).toBe('promo_black_friday');
  });

  it('applies an edit to the message already stored, live', async () => {
    const socket = await gw.connect(token);
    const original = textUpdate(olena, 'Мені потрібен розмір 38');
    await gw.postTelegram(original);
    await gw.postTelegram(editedUpdate(original, 'Мені потрібен розмір 39'));
    const updated = await socket.waitFor('message:updated', (p) => p.message.text === 'Мені потрібен розмір 39');
    expect(updated.message.editedAt).not.toBeNull();
    const history = await new InboxReader(gw).messagesOf(updated.message.conversationId);
    const copies = history.filter((m) => m.externalId === updated.message.externalId);
    expect(copies.map((m) => m.text)).toEqual(['Мені потрібен розмір 39']);
  });
});
