import { textUpdate } from './fixtures/telegram';
import { newCustomers } from './fixtures/telegram-customers';
import { answerOrNothing, type GatewayProcess, gatewayProcessPerTest } from './support/gateway-process';
import { after, type CommandPredicate, mentions, type WireCommand, type WireTap } from './support/wire-tap';

/**
 * The ingest guarantee under a real crash: the gateway is SIGKILLed at a chosen store command of each customer's
 * first message, restarted, and Telegram redelivers what got no 2xx. Whatever the kill point, every conversation
 * must end as if the message had arrived once: stored once, the customer waiting, one unread, the preview showing it.
 */

/** A write of the conversation: a returning customer's update, or a new customer's insert of it whole. */
const isWrite = (c: WireCommand) => c.name === 'update' || c.name === 'findAndModify' || c.name === 'insert';
const insertOf =
  (text: string): CommandPredicate =>
  (c) =>
    c.name === 'insert' && c.collection === 'messages' && (c.documents.documents ?? []).some((d) => d.text === text);
/** The conversation the message went into, as the insert names it. */
const conversationOf = (insert: WireCommand) => String(insert.documents.documents?.find((d) => d.conversationId)?.conversationId);
const conversationWrite = (conversationId: string) => (c: WireCommand) =>
  isWrite(c) && c.collection === 'conversations' && mentions(c, conversationId);
/** The message marked done once its conversation took it: the last write of a message's ingest. */
const messageDone = (messageId: string) => (c: WireCommand) =>
  c.name === 'update' && c.collection === 'messages' && mentions(c, messageId) && mentions(c, 'pending');

/** Arms a kill point for one customer's message; resolves once the gateway is frozen there. */
type KillPoint = (tap: WireTap, text: string, label: string) => Promise<unknown>;

const killPoints = {
  /** The message's insert is held: the contact may exist, the message and its conversation do not. */
  beforeInsert: (tap, text, label) => tap.hold(insertOf(text), { label }),
  /** The message's insert was acknowledged; the write of its conversation (a new customer's: its insert) is held. */
  afterInsert: (tap, text, label) =>
    tap.hold(
      after(insertOf(text), (insert) => conversationWrite(conversationOf(insert))),
      { label },
    ),
  /**
   * The write of the conversation is applied by the store, and its answer held: the conversation took the message,
   * the gateway never hears so, the message stays pending, and the webhook is never answered 2xx.
   */
  afterConversationUpdate: (tap, text, label) => {
    let conversationId: string | undefined;
    return tap.holdAnswer(
      (command) => {
        if (insertOf(text)(command)) conversationId = conversationOf(command);
        return conversationId !== undefined && conversationWrite(conversationId)(command) && mentions(command, 'unreadCount');
      },
      { label },
    );
  },
  /** Everything is written but the message's mark of done, whose answer is held: the webhook is never answered. */
  afterDone: (tap, text, label) => {
    let messageId: string | undefined;
    return tap.holdAnswer(
      (command) => {
        if (insertOf(text)(command)) messageId = String(command.documents.documents?.[0]?._id);
        return messageId !== undefined && messageDone(messageId)(command);
      },
      { label },
    );
  },
} satisfies Record<string, KillPoint>;

/** Telegram redelivers an update that got no 2xx, again and again; here every half second for up to 20 s. */
async function redeliver(gw: GatewayProcess, update: unknown): Promise<{ status: number; attempts: number }> {
  const deadline = Date.now() + 20_000;
  for (let attempts = 1; ; attempts++) {
    const { status } = await answerOrNothing(gw.postTelegram(update));
    if ((status >= 200 && status < 300) || Date.now() > deadline) return { status, attempts };
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('a gateway killed while storing customers’ first messages', () => {
  const crash = gatewayProcessPerTest();

  async function crashAndRedeliver(killPoint: KillPoint) {
    const gw = await crash.start();
    const tap = crash.tap;
    const supervisor = await gw.manager('supervisor', 'Оксана Мельник');
    const updates = newCustomers.map((c) => textUpdate(c.from, c.text));

    const caught = newCustomers.map((c) => killPoint(tap, c.text, `${c.from.first_name}: ${c.text}`));
    const firstAnswers = updates.map((u) => answerOrNothing(gw.postTelegram(u)));
    await Promise.all(caught);
    await gw.kill();
    // Telegram redelivers only what was not answered 2xx (no answer, or a 503): all of them, or a kill point was missed.
    const unanswered = (await Promise.all(firstAnswers)).map((a) => a.status < 200 || a.status >= 300);
    expect(unanswered).toEqual(newCustomers.map(() => true));

    await gw.restart();
    const redelivered = await Promise.all(updates.map((u) => redeliver(gw, u)));
    const retried = redelivered.filter((r) => r.attempts > 1).length;
    if (retried)
      process.stderr.write(`[crash-ingest] ${retried} of ${updates.length} redeliveries were refused at first and taken later\n`);
    expect(redelivered.map((r) => r.status)).toEqual(newCustomers.map(() => 200));

    const agent = await gw.manager('agent', 'Наталія Бондар');
    const list = await gw.request('GET', '/api/conversations?limit=200', { token: supervisor.token });
    const seen = [];
    for (const c of newCustomers) {
      const mine = list.body.items.filter((conv: { contact: { name: string } }) => conv.contact.name === c.from.first_name);
      const conversation = mine[0];
      const messages = conversation
        ? await gw.request('GET', `/api/conversations/${conversation.id}/messages`, { token: supervisor.token })
        : { body: { items: [] } };
      const inbound = messages.body.items.filter((m: { direction: string }) => m.direction === 'in');
      const reply = conversation
        ? await gw.request('POST', `/api/conversations/${conversation.id}/messages`, {
            token: agent.token,
            json: {
              text: c.from.language_code === 'uk' ? 'Доброго дня! Зараз перевірю й відповім.' : 'Hello! Let me check and get back to you.',
            },
          })
        : { status: 0, body: undefined };
      seen.push({
        customer: c.from.first_name,
        conversations: mine.length,
        inbound: inbound.map((m: { text: string }) => m.text),
        waiting: Boolean(conversation?.awaitingReplySince),
        lastInboundAt: Boolean(conversation?.lastInboundAt),
        unread: conversation?.unreadCount,
        preview: conversation?.lastMessagePreview,
        reply: reply.status === 201 ? 'accepted' : `${reply.status} ${JSON.stringify(reply.body)}`,
      });
    }
    expect(seen).toEqual(
      newCustomers.map((c) => ({
        customer: c.from.first_name,
        conversations: 1,
        inbound: [c.text],
        waiting: true,
        lastInboundAt: true,
        unread: 1,
        preview: c.text,
        reply: 'accepted',
      })),
    );
  }

  it('stores whole a message the gateway died before inserting, once Telegram redelivers it', async () => {
    await crashAndRedeliver(killPoints.beforeInsert);
  }, 90_000);

  it('applies a message to its conversation when the gateway died between storing it and updating the conversation', async () => {
    await crashAndRedeliver(killPoints.afterInsert);
  }, 90_000);

  it('counts a message once when the gateway died after updating the conversation but before answering 2xx', async () => {
    await crashAndRedeliver(killPoints.afterConversationUpdate);
  }, 90_000);

  it('counts a message once when the gateway died after its last write but before answering 2xx', async () => {
    await crashAndRedeliver(killPoints.afterDone);
  }, 90_000);
});
