import type { ChannelAdapter } from '../../shared/channel-adapter';
import { Channel } from '../../shared/channels';
import { AppError, ErrorCode } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { InboundEvent, InboundSink } from '../../shared/messages';
import { whatsappWebCapabilities } from './capabilities';
import type { WaMessage, WhatsAppWebClient, WhatsAppWebClientFactory } from './client';
import { chatKindOf, decodeAck, decodeEdit, decodeMessage, notOurs } from './decode';
import { WhatsAppWebSender } from './send';
import { type SessionHandlers, WhatsAppWebSession } from './session';
import type { WhatsAppWebSettings } from './settings';
import { createWhatsAppWebJsClient } from './whatsapp-web-js';

export interface WhatsAppWebChannelOptions {
  /** Builds the client; whatsapp-web.js's real `Client` unless another is given (the suites pass a stand-in). */
  createClient?: WhatsAppWebClientFactory;
  now?: () => Date;
}

/** How long an inbound event is retried while the store refuses it, before it is logged as lost. */
const STORE_RETRY_BUDGET_MS = 10 * 60_000;
/** How long stop() lets events already received reach the store. */
const STOP_DRAIN_MS = 5_000;
/** `@lid` → phone wid mappings kept in memory. */
const LID_CACHE_SIZE = 10_000;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/**
 * WhatsApp through a WhatsApp Web session (whatsapp-web.js driving Chromium), as a linked device of the business's
 * own phone. No webhooks: the session pushes `message`, `message_ack` and `message_edit` events, which are decoded
 * and stored here one chat at a time, in the order they came; replies go out through the same session.
 *
 * There is no redelivery: a message the session missed while it was down is not sent again by anyone. After every
 * `ready`, the unread messages of recent chats are read back and stored (a message already stored is recognised by
 * its id), which closes most such gaps.
 */
export function createWhatsAppWebChannel(
  settings: WhatsAppWebSettings,
  log: Logger,
  options: WhatsAppWebChannelOptions = {},
): ChannelAdapter & { session: WhatsAppWebSession } {
  const now = options.now ?? (() => new Date());
  let sink: InboundSink | undefined;
  const stopping = new AbortController();
  /** Per chat, the tail of its events still being stored: one at a time, in arrival order. */
  const chains = new Map<string, Promise<void>>();
  const lidToPhone = new Map<string, string>();

  const inOrder = (chat: string, task: () => Promise<void>): void => {
    const tail = (chains.get(chat) ?? Promise.resolve()).then(task).catch((err: unknown) => {
      log.error({ err, chat }, 'whatsapp-web event not handled');
    });
    chains.set(chat, tail);
    void tail.then(() => {
      if (chains.get(chat) === tail) chains.delete(chat);
    });
  };

  /** Stores an event, retrying while the store is unavailable: nobody will deliver it again. */
  const store = async (event: InboundEvent): Promise<void> => {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      if (!sink) throw new Error('the channel has not been started');
      try {
        await sink(event);
        return;
      } catch (err) {
        const hopeless = err instanceof AppError && err.code === ErrorCode.BadInput;
        if (hopeless || stopping.signal.aborted || Date.now() - started > STORE_RETRY_BUDGET_MS) {
          log.error({ err, kind: event.kind, externalId: 'externalId' in event ? event.externalId : undefined }, 'whatsapp-web event lost');
          return;
        }
        log.warn({ err, attempt }, 'whatsapp-web event not stored yet; retrying');
        await sleep(Math.min(30_000, 500 * 2 ** attempt), stopping.signal);
      }
    }
  };

  /**
   * The contact's id: the chat's full wid. WhatsApp now often names people by a `@lid` id instead of their phone
   * wid; where the session can map it to the phone wid, that is used, so a customer who wrote as `380…@c.us` before
   * stays the same contact.
   */
  const contactIdOf = async (wid: string): Promise<string> => {
    if (!wid.endsWith('@lid')) return wid;
    const known = lidToPhone.get(wid);
    if (known) return known;
    const client = session.readyClient();
    if (!client?.getContactLidAndPhone) return wid;
    try {
      const [pair] = await client.getContactLidAndPhone([wid]);
      if (pair?.pn?.endsWith('@c.us')) {
        if (lidToPhone.size >= LID_CACHE_SIZE) lidToPhone.delete(lidToPhone.keys().next().value as string);
        lidToPhone.set(wid, pair.pn);
        return pair.pn;
      }
    } catch (err) {
      log.warn({ err, wid }, 'whatsapp-web could not map a @lid id to a phone number');
    }
    return wid;
  };

  const onMessage = (m: WaMessage): void => {
    const reason = notOurs(m);
    if (reason) {
      log.debug({ id: m?.id?._serialized, reason }, 'whatsapp-web message not kept');
      return;
    }
    inOrder(m.from, async () => {
      const event = decodeMessage(m, await contactIdOf(m.from));
      if (typeof event === 'string') log.info({ id: m.id._serialized, reason: event }, 'whatsapp-web message not kept');
      else await store(event);
    });
  };

  /** Unread messages of recent people's chats, read back after each `ready` (the library does not replay them). */
  const catchUp = async (client: WhatsAppWebClient): Promise<void> => {
    if (!client.getChats || settings.catchUpChats === 0 || settings.catchUpPerChat === 0) return;
    const since = now().getTime() - settings.catchUpMaxAgeMs;
    const chats = (await client.getChats())
      .filter((c) => !c.isGroup && (c.unreadCount ?? 0) > 0 && chatKindOf(c.id._serialized) === 'person')
      .slice(0, settings.catchUpChats);
    let found = 0;
    for (const chat of chats) {
      const limit = Math.min(chat.unreadCount ?? 0, settings.catchUpPerChat);
      const messages = await chat.fetchMessages({ limit, fromMe: false });
      for (const m of messages) {
        if (m.timestamp * 1000 < since) continue;
        found++;
        onMessage(m);
      }
    }
    if (chats.length > 0) log.info({ chats: chats.length, messages: found }, 'whatsapp-web unread messages caught up');
  };

  const handlers: SessionHandlers = {
    message: onMessage,
    ack(m, ack) {
      const event = decodeAck(m, ack, now());
      if (typeof event === 'string') {
        log.debug({ id: m?.id?._serialized, reason: event }, 'whatsapp-web ack not kept');
        return;
      }
      inOrder(m.id.remote || m.to || event.externalId, () => store(event));
    },
    edit(m, newBody, prevBody) {
      // The library reports any change of a message's body; only one the sender edited carries an edit time.
      if (notOurs(m) || typeof newBody !== 'string' || newBody === prevBody || !m.latestEditSenderTimestampMs) return;
      inOrder(m.from, async () => {
        const event = decodeEdit(m, newBody, await contactIdOf(m.from), now());
        if (typeof event === 'string') log.info({ id: m.id._serialized, reason: event }, 'whatsapp-web edit not kept');
        else await store(event);
      });
    },
    ready(client) {
      catchUp(client).catch((err: unknown) => log.warn({ err }, 'whatsapp-web catch-up of unread messages failed'));
    },
  };

  const session = new WhatsAppWebSession(settings, options.createClient ?? createWhatsAppWebJsClient, handlers, log, now);

  return {
    name: Channel.WhatsApp,
    capabilities: whatsappWebCapabilities,
    sender: new WhatsAppWebSender(session, settings),
    session,
    async start(s) {
      sink = s;
      await session.start();
    },
    async stop() {
      await session.stop();
      // Events already received get a moment to reach the store; retries end now.
      const drained = Promise.all(chains.values());
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, STOP_DRAIN_MS).unref());
      stopping.abort();
      await Promise.race([drained, timeout]);
    },
  };
}
