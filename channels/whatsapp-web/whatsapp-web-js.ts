import path from 'node:path';
import type WAWebJS from 'whatsapp-web.js';
import type { ClientOptions, WhatsAppWebClient } from './client';

/**
 * Chromium flags for a server: no setuid sandbox (containers and root cannot use it), /tmp instead of a small
 * /dev/shm, no GPU. whatsapp-web.js adds its user agent and `--disable-blink-features=AutomationControlled`.
 */
export const chromiumArgs = ['--no-sandbox', '--disable-setuid-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run'];

/**
 * The options the real `Client` is built with. The session is a Chromium profile kept by `LocalAuth` under
 * `<sessionDir>/session`, so a restart finds the linked device and needs no new QR; the WhatsApp Web build last used
 * is cached beside it (`<sessionDir>/web-cache`) rather than in the working directory.
 */
export function clientOptions(options: ClientOptions, authStrategy: WAWebJS.AuthStrategy): WAWebJS.ClientOptions {
  return {
    authStrategy,
    puppeteer: { executablePath: options.chromiumPath, headless: true, args: chromiumArgs },
    webVersionCache: { type: 'local', path: path.join(options.sessionDir, 'web-cache') },
  };
}

/**
 * Builds whatsapp-web.js's `Client` (nothing is launched until `initialize()`). The library, and puppeteer with it,
 * is loaded only here, so a gateway without WhatsApp Web never loads either.
 */
export async function createWhatsAppWebJsClient(options: ClientOptions): Promise<WhatsAppWebClient & WAWebJS.Client> {
  const { default: wwebjs } = await import('whatsapp-web.js');
  const auth = new wwebjs.LocalAuth({ dataPath: options.sessionDir });
  return new wwebjs.Client(clientOptions(options, auth));
}
