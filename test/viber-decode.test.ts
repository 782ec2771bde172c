import { viberJson } from '../channels/viber/client';
import { decodeViberCallback } from '../channels/viber/decode';
import { hasValidSignature, viberSignature } from '../channels/viber/signature';
import { AppError, ErrorCode } from '../shared/errors';
import {
  conversationStartedCallback,
  file,
  john,
  link,
  location,
  messageCallback,
  olena,
  picture,
  receiptCallback,
  sharedContact,
  sticker,
  subscribedCallback,
  textCallback,
  unsubscribedCallback,
  video,
  webhookCallback,
} from './fixtures/viber';

const decode = (text: string) => decodeViberCallback(viberJson.parse(text), text);

function decodeMessage(text: string) {
  const decoded = decode(text);
  if (decoded.kind !== 'events') throw new Error(`expected events, got ${decoded.kind}`);
  const message = decoded.events.find((e) => e.kind === 'message');
  if (!message) throw new Error('no message event');
  return { events: decoded.events, message };
}

function badInput(text: string): AppError {
  try {
    decode(text);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected BadInput');
}

describe('Viber callback signature', () => {
  it('matches the test vector of viber-bot’s own suite', () => {
    const key = '44dafb7e0f40021e-61a47a1e6778d187-f2c5a676a07050b3';
    const body = '{"event":"webhook","timestamp":4977069964384421269,"message_token":1478683725125}';
    expect(viberSignature(key, body)).toBe('d21b343448c8aee33b8e93768ef6ceb64a6ba6163099973a2b8bd028fea510ef');
    expect(viberSignature(key, Buffer.from(body))).toBe('d21b343448c8aee33b8e93768ef6ceb64a6ba6163099973a2b8bd028fea510ef');
  });

  it('accepts the header or the sig parameter, and nothing forged, missing or over other bytes', () => {
    const key = '44dafb7e0f40021e-61a47a1e6778d187-f2c5a676a07050b3';
    const body = Buffer.from('{"event":"webhook","timestamp":4977069964384421269,"message_token":1478683725125}');
    const good = 'd21b343448c8aee33b8e93768ef6ceb64a6ba6163099973a2b8bd028fea510ef';
    const results = {
      header: hasValidSignature(key, body, [good, undefined]),
      query: hasValidSignature(key, body, [undefined, good]),
      forgedHeaderButGoodQuery: hasValidSignature(key, body, ['00'.repeat(32), good]),
      upperCase: hasValidSignature(key, body, [good.toUpperCase(), undefined]),
      missing: hasValidSignature(key, body, [undefined, undefined]),
      empty: hasValidSignature(key, body, ['', '']),
      forged: hasValidSignature(key, body, ['00'.repeat(32), undefined]),
      otherKey: hasValidSignature('another-token', body, [good, undefined]),
      // Re-serialized JSON is not the signed body: one space changes everything.
      reformatted: hasValidSignature(key, Buffer.from(body.toString().replace(',', ', ')), [good, undefined]),
    };
    expect(results).toEqual({
      header: true,
      query: true,
      forgedHeaderButGoodQuery: true,
      upperCase: true,
      missing: false,
      empty: false,
      forged: false,
      otherKey: false,
      reformatted: false,
    });
  });
});

describe('decoding Viber callbacks', () => {
  it('turns a Ukrainian text message into a message with the exact 64-bit token, after a reachable contact', () => {
    const text = textCallback(olena, 'Добрий день! Чи є кросівки 39 розміру?', {
      token: 5741311803571721087n,
      timestamp: 1_715_420_100_123,
    });
    const { events, message } = decodeMessage(text);
    expect(events.map((e) => e.kind)).toEqual(['contact', 'message']);
    expect(events[0]).toEqual({
      kind: 'contact',
      channel: 'viber',
      contact: { externalId: olena.id, name: 'Олена Коваленко', language: 'uk' },
      reachable: true,
      at: new Date(1_715_420_100_123),
    });
    expect(message).toEqual({
      kind: 'message',
      channel: 'viber',
      externalId: '5741311803571721087',
      contact: { externalId: olena.id, name: 'Олена Коваленко', language: 'uk' },
      text: 'Добрий день! Чи є кросівки 39 розміру?',
      attachments: [],
      sentAt: new Date(1_715_420_100_123),
      raw: text,
    });
    // The stored raw payload keeps the token digit for digit.
    expect(text).toContain('"message_token":5741311803571721087');
  });

  it('keeps a small token exact too (json-bigint leaves it a number)', () => {
    const { message } = decodeMessage(textCallback(john, 'Hi there', { token: 1478683725125n }));
    expect(message).toMatchObject({ externalId: '1478683725125', text: 'Hi there' });
  });

  it('decodes every media kind into attachment references', () => {
    const decoded = Object.fromEntries(
      Object.entries({ picture, video, file, sticker, location, sharedContact, link }).map(([name, m]) => {
        const { message } = decodeMessage(messageCallback(john, m));
        return [name, message.kind === 'message' ? { text: message.text, attachments: message.attachments } : undefined];
      }),
    );
    expect(decoded).toEqual({
      picture: {
        text: 'Ось фото пошкодженої коробки',
        attachments: [{ kind: 'image', url: picture.media, name: 'IMG_20240511_101500.jpg', mimeType: 'image/jpeg', size: 184320 }],
      },
      video: { text: '', attachments: [{ kind: 'video', url: video.media, size: 5242880 }] },
      file: {
        text: '',
        attachments: [{ kind: 'file', url: file.media, name: 'рахунок-1042.pdf', mimeType: 'application/pdf', size: 48213 }],
      },
      sticker: { text: '', attachments: [{ kind: 'sticker', platformId: '46105', url: sticker.media }] },
      location: { text: '', attachments: [{ kind: 'location', latitude: 50.4501, longitude: 30.5234 }] },
      sharedContact: { text: '', attachments: [{ kind: 'contact', name: 'Олена Коваленко', phone: '+380501234567' }] },
      link: { text: 'https://shop.example/uk/snikers-39', attachments: [{ kind: 'link', url: 'https://shop.example/uk/snikers-39' }] },
    });
  });

  it('reads a long latitude that json-bigint hands over as a string', () => {
    // More than 15 characters: json-bigint with storeAsString returns the digits as a string, not a number.
    const text = messageCallback(olena, { type: 'location', location: { lat: 0, lon: 0 } }).replace(
      '"location":{"lat":0,"lon":0}',
      '"location":{"lat":50.45012345678912,"lon":30.52341234567891}',
    );
    expect((viberJson.parse(text) as { message: { location: { lat: unknown } } }).message.location.lat).toBe('50.45012345678912');
    const { message } = decodeMessage(text);
    expect(message.kind === 'message' && message.attachments).toEqual([
      { kind: 'location', latitude: 50.45012345678912, longitude: 30.52341234567891 },
    ]);
  });

  it('names a contact without a name after their id', () => {
    const { message } = decodeMessage(textCallback({ ...john, name: '' }, 'hello'));
    expect(message.kind === 'message' && message.contact).toEqual({ externalId: john.id, name: 'Viber user 012345', language: 'en' });
  });

  it('maps delivered, seen and failed to receipts on the exact token', () => {
    const token = '5741311803571721087';
    const receipts = (['delivered', 'seen', 'failed'] as const).map((event) => {
      const decoded = decode(receiptCallback(event, token, olena.id, event === 'failed' ? 'Receiver is unsubscribed' : undefined));
      return decoded.kind === 'events' ? decoded.events[0] : decoded;
    });
    expect(receipts).toEqual([
      { kind: 'receipt', channel: 'viber', externalId: token, status: 'delivered', at: expect.any(Date) },
      { kind: 'receipt', channel: 'viber', externalId: token, status: 'read', at: expect.any(Date) },
      { kind: 'receipt', channel: 'viber', externalId: token, status: 'failed', at: expect.any(Date), error: 'Receiver is unsubscribed' },
    ]);
  });

  it('maps subscribed and unsubscribed to the contact’s reachability', () => {
    const subscribed = decode(subscribedCallback(olena));
    const unsubscribed = decode(unsubscribedCallback(olena.id));
    expect([subscribed, unsubscribed]).toEqual([
      {
        kind: 'events',
        events: [
          {
            kind: 'contact',
            channel: 'viber',
            contact: { externalId: olena.id, name: 'Олена Коваленко', language: 'uk' },
            reachable: true,
            at: expect.any(Date),
          },
        ],
      },
      {
        kind: 'events',
        events: [
          {
            kind: 'contact',
            channel: 'viber',
            contact: { externalId: olena.id, name: 'Viber user Kq5kNj' },
            reachable: false,
            at: expect.any(Date),
          },
        ],
      },
    ]);
  });

  it('recognizes conversation_started, the webhook check, and names what it does not handle', () => {
    const richMedia = decode(messageCallback(john, { type: 'rich_media', rich_media: { Type: 'rich_media', Buttons: [] } }));
    const results = [
      decode(conversationStartedCallback(john, false, 'promo-may')),
      decode(webhookCallback()),
      decode('{"event":"client_status","timestamp":1715420100123,"message_token":5741311803571721087}'),
      decode(messageCallback(john, { type: 'text', text: '' })),
    ];
    expect(results).toEqual([
      {
        kind: 'conversation_started',
        contact: { externalId: john.id, name: 'John McClane', language: 'en' },
        subscribed: false,
        context: 'promo-may',
      },
      { kind: 'webhook_check' },
      { kind: 'unsupported', reason: 'event client_status' },
      { kind: 'unsupported', reason: 'message with no text' },
    ]);
    // A type the inbox cannot show still reaches a manager, saying what it was.
    expect(richMedia.kind === 'events' && richMedia.events[1]).toMatchObject({
      kind: 'message',
      text: '',
      attachments: [{ kind: 'unsupported', name: 'unsupported message type: rich_media' }],
    });
  });

  it('refuses malformed callbacks as bad input', () => {
    const errors = [
      badInput('{"timestamp":1715420100123}'),
      badInput('[1,2,3]'),
      badInput('{"event":"message","timestamp":1715420100123,"message_token":1,"message":{"type":"text","text":"hi"}}'),
      badInput('{"event":"delivered","timestamp":1715420100123,"user_id":"x"}'),
      badInput(
        '{"event":"message","timestamp":1715420100123,"message_token":-5,"sender":{"id":"x"},"message":{"type":"text","text":"hi"}}',
      ),
    ];
    expect(errors.map((e) => e.code)).toEqual(Array(5).fill(ErrorCode.BadInput));
    expect(errors[2]?.message).toMatch(/message callback: sender/);
  });
});
