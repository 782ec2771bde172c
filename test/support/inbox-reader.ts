import type { z } from 'zod';
import type { Channel } from '../../shared/channels';
import {
  type AlertView,
  alertViewSchema,
  type ContactCardView,
  type ConversationView,
  contactCardSchema,
  conversationViewSchema,
  listOf,
  type MessageView,
  messageViewSchema,
  pageOf,
} from '../../shared/inbox-api';
import { formMessage, marta } from '../fixtures/site-form';
import { olena, textUpdate } from '../fixtures/telegram';
import type { SocketRecorder, TestGateway, TestManager } from './gateway';

const conversationsPage = pageOf(conversationViewSchema);
const messagesPage = pageOf(messageViewSchema);
const alertsList = listOf(alertViewSchema);

export type ConversationFilter = {
  status?: ConversationView['status'];
  channel?: Channel;
  assigneeId?: string;
  q?: string;
  sort?: 'recent' | 'waiting';
};

/** Who a conversation is with: the contact's name, or the platform's id of them on a channel. */
export type Customer = string | { channel: Channel; externalId: string };

/**
 * The inbox as an admin sees it through the managers' API: what the suites assert on instead of the store's
 * collections. It signs in on first use, so a suite that counts agents or sign-ins before that is not disturbed.
 */
export class InboxReader {
  private token?: Promise<string>;

  constructor(private readonly gw: TestGateway) {}

  /** Every conversation the filter matches, all pages followed, newest first. */
  async conversations(filter: ConversationFilter = {}): Promise<ConversationView[]> {
    const items: ConversationView[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ ...filter, limit: '200', ...(cursor ? { cursor } : {}) });
      const page: z.infer<typeof conversationsPage> = await this.get(`/api/conversations?${query}`, conversationsPage);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  conversation(id: string): Promise<ConversationView> {
    return this.get(`/api/conversations/${id}`, conversationViewSchema);
  }

  /** The one conversation with this customer, or undefined when there is none; more than one is an error. */
  async conversationOf(customer: Customer): Promise<ConversationView | undefined> {
    const found = await this.conversationsOf(customer);
    if (found.length > 1) throw new Error(`${found.length} conversations with ${JSON.stringify(customer)}`);
    return found[0];
  }

  /** Every conversation with this customer (a name may be shared; a duplicate is what some suites rule out). */
  async conversationsOf(customer: Customer): Promise<ConversationView[]> {
    if (typeof customer === 'string') {
      return (await this.conversations()).filter((c) => c.contact.name === customer);
    }
    const onChannel = await this.conversations({ channel: customer.channel });
    const contacts = await Promise.all(onChannel.map((c) => this.contactOf(c.id)));
    return onChannel.filter((_, i) => contacts[i]?.externalId === customer.externalId);
  }

  /** The conversation's messages, oldest first, all pages followed. */
  async messagesOf(conversationId: string): Promise<MessageView[]> {
    const items: MessageView[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ limit: '200', ...(cursor ? { cursor } : {}) });
      const page: z.infer<typeof messagesPage> = await this.get(`/api/conversations/${conversationId}/messages?${query}`, messagesPage);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  /** Every message of every conversation: what "nothing was stored" and "stored once" are checked against. */
  async messages(): Promise<MessageView[]> {
    const conversations = await this.conversations();
    return (await Promise.all(conversations.map((c) => this.messagesOf(c.id)))).flat();
  }

  /** The messages with these ids on their platforms, wherever they are. */
  async messagesWith(externalIds: readonly string[]): Promise<MessageView[]> {
    return (await this.messages()).filter((m) => m.externalId !== null && externalIds.includes(m.externalId));
  }

  /** The message with this id on its platform, wherever it is, or undefined. */
  async messageByExternalId(externalId: string): Promise<MessageView | undefined> {
    const matching = (await this.messages()).filter((m) => m.externalId === externalId);
    if (matching.length > 1) throw new Error(`${matching.length} messages with the external id ${externalId}`);
    return matching[0];
  }

  contactOf(conversationId: string): Promise<ContactCardView> {
    return this.get(`/api/conversations/${conversationId}/contact`, contactCardSchema);
  }

  /** The contacts of every conversation, one each. */
  async contacts(): Promise<ContactCardView[]> {
    const cards = await Promise.all((await this.conversations()).map((c) => this.contactOf(c.id)));
    return [...new Map(cards.map((card) => [card.id, card])).values()];
  }

  /** The contacts with these ids on their platforms. */
  async contactsWith(externalIds: readonly string[]): Promise<ContactCardView[]> {
    return (await this.contacts()).filter((c) => externalIds.includes(c.externalId));
  }

  /** The alerts, newest first. */
  async alerts(): Promise<AlertView[]> {
    return (await this.get('/api/alerts', alertsList)).items;
  }

  /** GET /api/metrics/response-times.csv, one record per conversation keyed by the header's column names. */
  async responseTimesRows(query: Record<string, string> = {}): Promise<Record<string, string>[]> {
    const res = await this.gw.request('GET', `/api/metrics/response-times.csv?${new URLSearchParams(query)}`, {
      token: await this.signIn(),
    });
    if (res.status !== 200) throw new Error(`GET response-times.csv: ${res.status} ${JSON.stringify(res.body)}`);
    const [header = [], ...rows] = parseCsv(String(res.body));
    return rows.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])));
  }

  private async get<T extends z.ZodType>(route: string, schema: T): Promise<z.infer<T>> {
    const res = await this.gw.request('GET', route, { token: await this.signIn() });
    if (res.status !== 200) throw new Error(`GET ${route}: ${res.status} ${JSON.stringify(res.body)}`);
    return schema.parse(res.body);
  }

  private signIn(): Promise<string> {
    this.token ??= this.gw.manager('admin', 'Inbox Reader').then((m) => m.token);
    return this.token;
  }
}

const readers = new WeakMap<TestGateway, InboxReader>();

/** One reader per gateway, so a suite that asks often signs in once. */
export function inboxOf(gw: TestGateway): InboxReader {
  let reader = readers.get(gw);
  if (!reader) {
    reader = new InboxReader(gw);
    readers.set(gw, reader);
  }
  return reader;
}

/**
 * The team of the scripted histories the figures are worked out on: two agents who answer, Ірина and Петро, and a
 * supervisor who reads the figures. `conversationOf` finds a conversation by its contact's name as that supervisor
 * sees the list; `reply` sends a manager's answer and insists it was taken.
 */
export async function figuresTeam(gw: TestGateway, supervisorName: string) {
  const iryna = await gw.manager('agent', 'Ірина');
  const petro = await gw.manager('agent', 'Петро');
  const supervisorToken = (await gw.manager('supervisor', supervisorName)).token;
  const conversationOf = async (name: string) => {
    const list = await gw.request('GET', '/api/conversations', { token: supervisorToken });
    return list.body.items.find((c: { contact: { name: string } }) => c.contact.name === name).id as string;
  };
  const reply = async (token: string, conversationId: string, text: string) => {
    const res = await gw.request('POST', `/api/conversations/${conversationId}/messages`, { token, json: { text } });
    expect(res.status).toBe(201);
  };
  return { iryna, petro, supervisorToken, conversationOf, reply };
}

/**
 * What the pages of figures open on: Ірина Бондар online, so both leads go to her; she has answered Олена on
 * Telegram, and Марта's site form waits.
 */
export async function answeredAndWaiting(gw: TestGateway): Promise<TestManager & { socket: SocketRecorder }> {
  const iryna = await gw.online('agent', 'Ірина Бондар');
  await gw.postTelegram(textUpdate(olena, 'Доброго дня! Чи є ця сукня в розмірі M?'));
  const { conversation } = await iryna.socket.waitFor('message:new');
  const answered = await gw.request('POST', `/api/conversations/${conversation.id}/messages`, {
    token: iryna.token,
    json: { text: 'Вітаю, Олено! Так, розмір M є.' },
  });
  expect(answered.status).toBe(201);
  await gw.postApi(formMessage(marta, 'Добрий день, передзвоніть мені щодо оптового замовлення.'));
  return iryna;
}

/** RFC 4180: quoted cells may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else if (ch !== '\r') cell += ch;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}
