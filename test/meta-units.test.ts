import { toDeliveryError as instagramError, requestBody, splitText } from '../channels/instagram/send';
import { GraphApiError, GraphUnreachableError } from '../channels/meta/graph';
import { isValidHubSignature } from '../channels/meta/signature';
import { templateBody, toDeliveryError as whatsappError } from '../channels/whatsapp/send';
import { ConfigError, loadConfig } from '../gateway/config';

const cloud = {
  NODE_ENV: 'test',
  WHATSAPP_MODE: 'cloud',
  WHATSAPP_TOKEN: 'EAAJtoken',
  WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
  WHATSAPP_APP_SECRET: 'secret',
  WHATSAPP_VERIFY_TOKEN: 'verify',
};
const instagram = {
  NODE_ENV: 'test',
  INSTAGRAM_ACCESS_TOKEN: 'IGAAtoken',
  INSTAGRAM_ACCOUNT_ID: '17841405822304914',
  INSTAGRAM_APP_SECRET: 'secret',
  INSTAGRAM_VERIFY_TOKEN: 'verify',
};

function settingRefused(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return `${e.setting}: ${e.message}`;
    throw e;
  }
  return 'accepted';
}

describe('WhatsApp Cloud and Instagram settings', () => {
  it('names the missing Cloud API setting when WHATSAPP_MODE=cloud', () => {
    for (const name of ['WHATSAPP_TOKEN', 'WHATSAPP_PHONE_NUMBER_ID', 'WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN'] as const) {
      expect(settingRefused({ ...cloud, [name]: '' })).toBe(`${name}: invalid setting ${name}: is required when WHATSAPP_MODE=cloud`);
    }
    expect(settingRefused(cloud)).toBe('accepted');
    // The whatsapp-web.js mode needs none of them.
    expect(settingRefused({ NODE_ENV: 'test', WHATSAPP_MODE: 'web' })).toBe('accepted');
  });

  it('names the missing Instagram setting once the access token is set', () => {
    for (const name of ['INSTAGRAM_ACCOUNT_ID', 'INSTAGRAM_APP_SECRET', 'INSTAGRAM_VERIFY_TOKEN'] as const) {
      expect(settingRefused({ ...instagram, [name]: undefined })).toBe(
        `${name}: invalid setting ${name}: is required when INSTAGRAM_ACCESS_TOKEN is set`,
      );
    }
    expect(settingRefused({ NODE_ENV: 'test', INSTAGRAM_APP_SECRET: 'secret' })).toBe('accepted');
  });

  it('refuses a phone number where the phone number id belongs', () => {
    expect(settingRefused({ ...cloud, WHATSAPP_PHONE_NUMBER_ID: '+1 555 078 3881' })).toMatch(
      /^WHATSAPP_PHONE_NUMBER_ID: .*numeric phone number id/,
    );
    expect(settingRefused({ ...instagram, INSTAGRAM_GRAPH_URL: 'graph.instagram.com' })).toMatch(/^INSTAGRAM_GRAPH_URL: /);
  });
});

describe('Meta webhook signatures', () => {
  it('matches the known test vector and nothing else', () => {
    const body = Buffer.from('{"a":1}');
    const good = 'sha256=d42927434049e0b8c73ce887062238cc1c6bb6644bfe66e66d8dd0f30b85679e';
    expect(isValidHubSignature(body, good, 's3cr3t')).toBe(true);
    expect(isValidHubSignature(body, good.toUpperCase().replace('SHA256', 'sha256'), 's3cr3t')).toBe(true);
    expect(isValidHubSignature(body, good, 'other')).toBe(false);
    expect(isValidHubSignature(Buffer.from('{"a": 1}'), good, 's3cr3t')).toBe(false);
    expect(isValidHubSignature(body, good.slice(0, -2), 's3cr3t')).toBe(false);
    expect(isValidHubSignature(body, undefined, 's3cr3t')).toBe(false);
  });
});

const graphError = (code: number | undefined, status = 400, subcode?: number, transient = false, retryAfterMs?: number) =>
  new GraphApiError(`${code}: test`, status, code, subcode, transient, retryAfterMs);

describe('Cloud API errors as delivery decisions', () => {
  it.each([
    [131056, true, 6000],
    [130429, true, undefined],
    [80007, true, undefined],
    [131000, true, undefined],
    [131047, false, undefined],
    [131026, false, undefined],
    [100, false, undefined],
    [190, false, undefined],
    [132001, false, undefined],
  ])('code %i → retryable %s', (code, retryable, retryAfterMs) => {
    const error = whatsappError(graphError(code));
    expect(error.retryable).toBe(retryable);
    expect(error.retryAfterMs).toBe(retryAfterMs);
  });

  it('retries 5xx, transient errors and unreachable servers, and honours Retry-After', () => {
    expect(whatsappError(graphError(undefined, 502)).retryable).toBe(true);
    expect(whatsappError(graphError(99999, 400, undefined, true)).retryable).toBe(true);
    expect(whatsappError(new GraphUnreachableError('ECONNREFUSED')).retryable).toBe(true);
    expect(whatsappError(graphError(130429, 400, undefined, false, 30_000)).retryAfterMs).toBe(30_000);
    expect(whatsappError(graphError(99999, 400)).retryable).toBe(false);
  });

  it('builds a template without components when it has no parameters', () => {
    expect(templateBody('380671234567', { name: 'hello_world', language: 'en_US', params: [] })).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '380671234567',
      type: 'template',
      template: { name: 'hello_world', language: { policy: 'deterministic', code: 'en_US' } },
    });
  });
});

describe('Instagram Send API', () => {
  it.each([
    [10, 2018278, false],
    [551, undefined, false],
    [190, undefined, false],
    [613, undefined, true],
    [80002, undefined, true],
    [4, undefined, true],
    [2, undefined, true],
  ])('code %i/%s → retryable %s', (code, subcode, retryable) => {
    expect(instagramError(graphError(code, 400, subcode)).retryable).toBe(retryable);
  });

  it('tags replies after 24 hours only', () => {
    const hour = 3600_000;
    expect(requestBody('1', 'hi', null)).toEqual({ recipient: { id: '1' }, message: { text: 'hi' } });
    expect(requestBody('1', 'hi', 23 * hour)).toEqual({ recipient: { id: '1' }, message: { text: 'hi' } });
    expect(requestBody('1', 'hi', 25 * hour)).toEqual({
      recipient: { id: '1' },
      message: { text: 'hi' },
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
    });
  });

  it('splits long text within the byte limit without breaking characters', () => {
    expect(splitText('Привіт!')).toEqual(['Привіт!']);
    expect(splitText('')).toEqual(['']);
    const noSpaces = 'ї'.repeat(700);
    const parts = splitText(noSpaces);
    expect(parts.map((p) => Buffer.byteLength(p))).toEqual([1000, 400]);
    expect(parts.join('')).toBe(noSpaces);
    const emoji = '🙂'.repeat(300);
    const emojiParts = splitText(emoji);
    expect(emojiParts.join('')).toBe(emoji);
    for (const part of emojiParts) expect(part).not.toMatch(/[\uD800-\uDBFF]$/);
  });
});
