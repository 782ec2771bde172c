import {
  bohdan,
  documentModel,
  groupModel,
  imageModel,
  iryna,
  lidCustomer,
  locationModel,
  mark,
  messageKey,
  olena,
  outgoingModel,
  statusModel,
  textModel,
  vcardModel,
  voiceModel,
} from './fixtures/whatsapp-web';
import { eventually, type SocketRecorder, sleep, type TestGateway, type TestManager } from './support/gateway';
import { inboxOf } from './support/inbox-reader';
import { libraryMessage, type StandInWhatsAppWeb, startPairedWebInbox } from './support/stand-in-whatsapp-web';

describe('WhatsApp Web customers reach the inbox through the session', () => {
  let gw: TestGateway;
  let client: StandInWhatsAppWeb;
  let agent: TestManager;
  let supervisorLive: SocketRecorder;
  let agentLive: SocketRecorder;

  beforeAll(async () => {
    ({ gw, client, agent, agentLive, supervisorLive } = await startPairedWebInbox());
  });
  afterAll(async () => {
    await gw.close();
  });

  const messages = () => inboxOf(gw).messages();
  const messagesWith = (externalId: string) => inboxOf(gw).messagesWith([externalId]);
  /** What the library handed over, and when WhatsApp says it was sent: kept in the store, not shown by the API. */
  const kept = async (externalId: string) => (await gw.collection('messages')).findOne({ externalId });

  it('stores a text message once, shows it live, and files the customer under their WhatsApp id', async () => {
    const model = textModel(olena, 'Добрий день! Чи є кросівки 39 розміру?');
    const externalId = model.id._serialized;
    client.receive(model);

    const live = await agentLive.waitFor('message:new', (p) => p.message.externalId === externalId);
    const seenBySupervisor = await supervisorLive.waitFor('message:new', (p) => p.message.externalId === externalId);
    expect(externalId).toMatch(/^false_380501234567@c\.us_3EB0[0-9A-F]{16}$/);
    expect(live.message).toMatchObject({
      channel: 'whatsapp',
      direction: 'in',
      text: 'Добрий день! Чи є кросівки 39 розміру?',
      attachments: [],
      status: 'received',
      sender: { type: 'contact', name: 'Олена Коваленко' },
      externalId,
    });
    expect(live.conversation).toMatchObject({
      channel: 'whatsapp',
      status: 'open',
      contact: { name: 'Олена Коваленко' },
      assigneeId: agent.agent.id,
    });
    expect(seenBySupervisor.message.id).toBe(live.message.id);

    const contact = await inboxOf(gw).contactOf(live.conversation.id);
    expect(contact).toMatchObject({ channel: 'whatsapp', externalId: olena.wid, name: 'Олена Коваленко', phone: '+380501234567' });
    const stored = await kept(externalId);
    expect(stored?.platformAt).toEqual(new Date((model.t as number) * 1000));
    expect(JSON.parse(stored?.raw)).toMatchObject({ id: externalId, from: olena.wid, type: 'chat', notifyName: 'Олена Коваленко' });

    // No webhook redelivery here, but the same message can come twice (a live event and the catch-up after a
    // reconnect, or the library emitting it again): it is stored and shown once.
    client.receive(model);
    client.receive(textModel(olena, 'Або 40-го?'));
    await agentLive.waitFor('message:new', (p) => p.message.text === 'Або 40-го?');
    expect(await messagesWith(externalId)).toHaveLength(1);
    expect(agentLive.of('message:new').filter((p) => p.message.externalId === externalId)).toHaveLength(1);
    const history = await gw.request('GET', `/api/conversations/${live.conversation.id}/messages`, { token: agent.token });
    expect(history.body.items.map((m: { text: string }) => m.text)).toEqual(['Добрий день! Чи є кросівки 39 розміру?', 'Або 40-го?']);
  });

  it('keeps photos, voice notes and documents as references, without downloading them', async () => {
    const image = imageModel(mark, 'Is this jacket available in M?');
    const voice = voiceModel(mark);
    const pdf = documentModel(mark, 'invoice-48213.pdf', 'The invoice you asked for');
    for (const model of [image, voice, pdf]) client.receive(model);

    const last = await supervisorLive.waitFor('message:new', (p) => p.message.externalId === pdf.id._serialized);
    const byId = (id: string) => supervisorLive.of('message:new').find((p) => p.message.externalId === id)?.message;
    expect(byId(image.id._serialized)).toMatchObject({
      text: 'Is this jacket available in M?',
      attachments: [{ kind: 'image', platformId: image.id._serialized, mimeType: 'image/jpeg', size: 84213 }],
    });
    expect(byId(voice.id._serialized)).toMatchObject({
      text: '',
      attachments: [{ kind: 'voice', platformId: voice.id._serialized, mimeType: 'audio/ogg; codecs=opus', size: 11872 }],
    });
    expect(last.message).toMatchObject({
      text: 'The invoice you asked for',
      attachments: [{ kind: 'file', platformId: pdf.id._serialized, mimeType: 'application/pdf', name: 'invoice-48213.pdf', size: 245760 }],
    });
    expect(last.conversation.contact.name).toBe('Mark Evans');
    // The media stayed on WhatsApp: nothing reached for the browser page downloadMedia() would use.
    expect(client.pageAccesses).toBe(0);
    // The JPEG thumbnail WhatsApp Web keeps in the model's body is not stored.
    const stored = await kept(image.id._serialized);
    expect(stored?.raw).not.toContain('/9j/4AAQ');
    expect(JSON.parse(stored?.raw)).toMatchObject({ type: 'image', caption: 'Is this jacket available in M?', mimetype: 'image/jpeg' });
  });

  it('turns a shared location and a contact card into attachments', async () => {
    const location = locationModel(iryna);
    const card = vcardModel(iryna);
    client.receive(location);
    client.receive(card);

    const cardEvent = await supervisorLive.waitFor('message:new', (p) => p.message.externalId === card.id._serialized);
    const locationEvent = supervisorLive.of('message:new').find((p) => p.message.externalId === location.id._serialized);
    expect(locationEvent?.message).toMatchObject({
      text: '',
      attachments: [{ kind: 'location', latitude: 50.4501, longitude: 30.5234, name: 'Магазин на Хрещатику, вул. Хрещатик, 22, Київ' }],
    });
    expect(cardEvent.message).toMatchObject({
      text: '',
      attachments: [{ kind: 'contact', name: 'Андрій Мельник', phone: '+380931234567' }],
    });
  });

  it('leaves groups, status updates and the account’s own messages out of the inbox', async () => {
    const before = (await messages()).length;
    const group = groupModel(bohdan, 'Всім привіт у групі!');
    const status = statusModel(bohdan);
    const own = outgoingModel(bohdan.wid, `true_${bohdan.wid}_${messageKey()}`, 'Написано з телефону', 1);
    client.receive(group);
    client.receive(status);
    client.receive(own);
    const sentinel = textModel(bohdan, 'А це вже особисто: коли відкриваєтесь?');
    client.receive(sentinel);

    await supervisorLive.waitFor('message:new', (p) => p.message.externalId === sentinel.id._serialized);
    await sleep(200);
    const after = await messages();
    expect(after.length - before).toBe(1);
    expect(after.map((m) => m.externalId)).not.toEqual(
      expect.arrayContaining([group.id._serialized, status.id._serialized, own.id._serialized]),
    );
    expect(await inboxOf(gw).contactsWith(['120363041234567890@g.us'])).toEqual([]);
  });

  it('keeps a customer WhatsApp names by a LID the same contact as their phone number', async () => {
    client.lids.set(lidCustomer.lid, lidCustomer.wid);
    const first = textModel({ wid: lidCustomer.wid, name: lidCustomer.name }, 'Доброго вечора, я щодо замовлення 48213');
    client.receive(first);
    const byPhone = await supervisorLive.waitFor('message:new', (p) => p.message.externalId === first.id._serialized);

    const second = textModel({ wid: lidCustomer.lid, name: lidCustomer.name }, 'Можна змінити адресу доставки?');
    client.receive(second);
    const byLid = await supervisorLive.waitFor('message:new', (p) => p.message.externalId === second.id._serialized);

    expect(byLid.conversation.id).toBe(byPhone.conversation.id);
    const contacts = (await inboxOf(gw).contacts()).filter((c) => c.name === lidCustomer.name);
    expect(contacts.map((c) => [c.externalId, c.phone])).toEqual([[lidCustomer.wid, '+380965554433']]);
  });

  it('applies a customer’s edit to the stored message, live', async () => {
    const model = textModel(olena, 'Мені потрібен розмір 38');
    client.receive(model);
    const created = await agentLive.waitFor('message:new', (p) => p.message.externalId === model.id._serialized);

    // The library also reports a body filled in after decryption as a change; without an edit time it is none.
    client.emit('message_edit', libraryMessage(client, model), model.body, undefined);
    client.edit(model, 'Мені потрібен розмір 39, перепрошую');
    const updated = await agentLive.waitFor('message:updated', (p) => p.message.id === created.message.id);
    expect(updated.message.text).toBe('Мені потрібен розмір 39, перепрошую');
    await sleep(200);
    expect(agentLive.of('message:updated').filter((p) => p.message.id === created.message.id)).toHaveLength(1);
    await eventually(async () => (await messagesWith(model.id._serialized))[0]?.text === 'Мені потрібен розмір 39, перепрошую');
  });
});
