import fc from 'fast-check';
import { apiMessageSchema } from '../channels/api/decode';
import { decodeInstagramCallback } from '../channels/instagram/decode';
import { decodeTelegramUpdate } from '../channels/telegram/decode';
import { viberJson } from '../channels/viber/client';
import { decodeViberCallback } from '../channels/viber/decode';
import { decodeWhatsAppCallback } from '../channels/whatsapp/decode';
import { ErrorCode, isAppError } from '../shared/errors';
import {
  type InboundEvent,
  inboundContactStateSchema,
  inboundEditSchema,
  inboundMessageSchema,
  inboundReceiptSchema,
} from '../shared/messages';
import { formMessage, marta } from './fixtures/site-form';
import { impossibleIds, malformedBody } from './support/malformed';
import { realPayloads } from './support/real-payloads';

const RUNS = 1_500;

const schemaOf = {
  message: inboundMessageSchema,
  edit: inboundEditSchema,
  receipt: inboundReceiptSchema,
  contact: inboundContactStateSchema,
} as const;

/** Every event a decoder gives is one the inbox can take as it is: of its schema, with real ids. */
function expectWellFormed(events: readonly InboundEvent[]): void {
  for (const event of events) {
    expect(schemaOf[event.kind].safeParse(event).error).toBeUndefined();
    if ('externalId' in event) expect(event.externalId).not.toMatch(impossibleIds);
    if ('contact' in event) expect(event.contact.externalId).not.toMatch(impossibleIds);
    if (event.kind === 'message') expect(Number.isNaN(event.sentAt.getTime())).toBe(false);
  }
}

/** A decoder either gives well-formed events or refuses the body as bad input; it never throws anything else. */
function decodesOrRefuses(text: string, decode: (body: unknown, text: string) => readonly InboundEvent[]): void {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return; // the webhook answers 400 before a decoder sees it
  }
  try {
    expectWellFormed(decode(body, text));
  } catch (e) {
    if (!isAppError(e)) throw e;
    expect(e.code).toBe(ErrorCode.BadInput);
    expect(e.message.length).toBeGreaterThan(0);
  }
}

const bodiesOf = (channel: Parameters<typeof realPayloads>[0]) => realPayloads(channel).map((p) => JSON.parse(p.body) as unknown);

describe('decoders, given nearly-real and random bodies', () => {
  it('Telegram: well-formed events or bad input, never a throw of another kind', () => {
    fc.assert(
      fc.property(malformedBody(bodiesOf('telegram')), (text) =>
        decodesOrRefuses(text, (body, raw) => decodeTelegramUpdate(body, raw).events),
      ),
      { numRuns: RUNS },
    );
  });

  it('Viber: well-formed events or bad input, never a throw of another kind', () => {
    fc.assert(
      fc.property(malformedBody(bodiesOf('viber')), (text) =>
        decodesOrRefuses(text, (_body, raw) => {
          const decoded = decodeViberCallback(viberJson.parse(raw), raw);
          return decoded.kind === 'events' ? decoded.events : [];
        }),
      ),
      { numRuns: RUNS },
    );
  });

  it('WhatsApp Cloud: well-formed events or bad input, never a throw of another kind', () => {
    const numbers = ['1234567890', '1122334455667', '106540352242922'];
    fc.assert(
      fc.property(malformedBody(bodiesOf('whatsapp')), fc.constantFrom(...numbers), (text, phoneNumberId) =>
        decodesOrRefuses(text, (body) => decodeWhatsAppCallback(body, { phoneNumberId }).events),
      ),
      { numRuns: RUNS },
    );
  });

  it('Instagram: well-formed events or bad input, never a throw of another kind', () => {
    fc.assert(
      fc.property(malformedBody(bodiesOf('instagram')), (text) => decodesOrRefuses(text, (body) => decodeInstagramCallback(body).events)),
      { numRuns: RUNS },
    );
  });

  it('the API channel: its schema takes or refuses any body without throwing', () => {
    const form = formMessage(marta, 'Добрий день! Хочу замовити доставку. / Hello, I would like a delivery.');
    fc.assert(
      fc.property(malformedBody([form]), (text) => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return;
        }
        const parsed = apiMessageSchema.safeParse(body);
        if (!parsed.success) return;
        expect(parsed.data.contact.externalId.length).toBeGreaterThan(0);
        expect(parsed.data.contact.externalId).not.toMatch(/^(undefined|null|NaN|\[object Object\])$/);
        expect(parsed.data.externalMessageId).not.toMatch(/^(undefined|null|NaN|\[object Object\])$/);
      }),
      { numRuns: RUNS },
    );
  });
});
