import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { BSON, type Document } from 'mongodb';

/**
 * A TCP proxy in front of the store that reads the MongoDB wire protocol, so a test can see every command the app
 * sends, freeze the app right before a chosen command or right after the store applied it (hold, holdAnswer), or
 * make the store stop answering (blackhole). Only OP_MSG is parsed; everything else (the legacy OP_QUERY handshake,
 * OP_COMPRESSED) passes through as bytes. The URIs it gives out name no compressors, so drivers send plain OP_MSG.
 */

export interface WireCommand {
  /** The command: the body's first key (`insert`, `update`, `findAndModify`, `find`, `hello`, …). */
  name: string;
  db: string;
  /** The collection, when the command names one (`body[name]` is a string). */
  collection: string | undefined;
  body: Document;
  /**
   * The batches by identifier, from kind-1 sections or the body alike: `documents` of an insert, `updates` of an
   * update, `deletes` of a delete.
   */
  documents: Record<string, Document[]>;
  /** Which client connection sent it (numbered from 1), and when it arrived. */
  connection: number;
  at: number;
}

export type CommandPredicate = (command: WireCommand) => boolean;
/** `answer` is the store's reply body (`{ok, n, value, cursor, …}`). */
export type AnswerPredicate = (command: WireCommand, answer: Document) => boolean;

const HEADER_BYTES = 16;
const OP_MSG = 2013;
const CHECKSUM_PRESENT = 1;
const BATCH_FIELDS = ['documents', 'updates', 'deletes'] as const;

/** The body and the kind-1 sequences of an OP_MSG, or undefined for any other opcode. */
function parseOpMsg(message: Buffer): { body: Document; sequences: Record<string, Document[]> } | undefined {
  if (message.readInt32LE(12) !== OP_MSG) return undefined;
  const flagBits = message.readUInt32LE(HEADER_BYTES);
  const end = message.length - (flagBits & CHECKSUM_PRESENT ? 4 : 0);
  let body: Document = {};
  const sequences: Record<string, Document[]> = {};
  let offset = HEADER_BYTES + 4;
  while (offset < end) {
    const kind = message[offset];
    offset += 1;
    const size = message.readInt32LE(offset);
    if (kind === 0) {
      body = BSON.deserialize(message.subarray(offset, offset + size));
    } else if (kind === 1) {
      const identifierEnd = message.indexOf(0, offset + 4);
      const identifier = message.toString('utf8', offset + 4, identifierEnd);
      const docs: Document[] = [];
      for (let at = identifierEnd + 1; at < offset + size; at += message.readInt32LE(at)) {
        docs.push(BSON.deserialize(message.subarray(at, at + message.readInt32LE(at))));
      }
      sequences[identifier] = docs;
    } else {
      throw new Error(`OP_MSG section of unknown kind ${String(kind)}`);
    }
    offset += size;
  }
  return { body, sequences };
}

/** The command a client's OP_MSG carries, or undefined for any other opcode. */
export function parseCommand(message: Buffer, connection: number): WireCommand | undefined {
  const parsed = parseOpMsg(message);
  if (!parsed) return undefined;
  const { body, sequences: documents } = parsed;
  // The Node driver sends a single write's batch inline in the body; only bulk writes use kind-1 sections. The log
  // shows both the same way, so a predicate need not care how the driver chose to send it.
  for (const key of BATCH_FIELDS) if (!documents[key] && Array.isArray(body[key])) documents[key] = body[key];
  const name = Object.keys(body)[0] ?? '';
  const target = body[name];
  return {
    name,
    db: String(body.$db ?? ''),
    collection: typeof target === 'string' ? target : undefined,
    body,
    documents,
    connection,
    at: Date.now(),
  };
}

interface Hold {
  label: string;
  /** Matches a command on its way in (`answer` undefined), or a command together with the store's answer to it. */
  matches: (command: WireCommand, answer?: Document) => boolean;
  on: 'command' | 'answer';
  resolve: (caught: { command: WireCommand; answer?: Document }) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** One direction of a connection: framing state, and what a hold keeps back. */
interface Stream {
  partial: Buffer;
  /** Once a hold caught a message here, it and everything after it wait in this list instead of going on. */
  held: Buffer[] | undefined;
}

/** One client connection and its own connection to the store. */
interface Link {
  id: number;
  client: Socket;
  server: Socket;
  toServer: Stream;
  toClient: Stream;
  /** Commands sent on and not answered yet, by request id (the answer's responseTo). */
  asked: Map<number, WireCommand>;
  /** Bytes were dropped during an outage: the stream is torn and the connection can never carry traffic again. */
  torn: boolean;
}

export class WireTap {
  readonly commands: WireCommand[] = [];
  private readonly links = new Set<Link>();
  private holds: Hold[] = [];
  private dark = false;
  private nextLink = 1;

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
  ) {}

  static async start(targetUri: string): Promise<WireTap> {
    const target = new URL(targetUri);
    const server = createServer();
    const tap = new WireTap(server, target);
    server.on('connection', (client) => tap.accept(client));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return tap;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /**
   * A URI for `database` through the tap. directConnection, because the store's hello names its own address and a
   * driver that followed it would go round the tap.
   */
  uri(database: string): string {
    const url = new URL(this.target.toString());
    url.host = `127.0.0.1:${this.port}`;
    url.pathname = `/${database}`;
    url.searchParams.delete('compressors');
    url.searchParams.set('directConnection', 'true');
    return url.toString();
  }

  /**
   * Resolves with the first command matching `predicate`; that command and everything after it on its connection
   * stay here, so the app waits for an answer that never comes. Every armed predicate sees every command, in order
   * (a predicate may keep state, e.g. "the update that follows this insert"). Rejects when nothing matched in time.
   */
  async hold(predicate: CommandPredicate, options: { label: string; timeoutMs?: number }): Promise<WireCommand> {
    return (await this.arm('command', (command) => predicate(command), options)).command;
  }

  /**
   * Like hold, one step later: the matching command goes to the store and is applied, but its answer (and everything
   * after it on that connection) stays here. The store has done it; the app never learns.
   */
  async holdAnswer(
    predicate: AnswerPredicate,
    options: { label: string; timeoutMs?: number },
  ): Promise<{ command: WireCommand; answer: Document }> {
    const caught = await this.arm('answer', (command, answer) => answer !== undefined && predicate(command, answer), options);
    return { command: caught.command, answer: caught.answer ?? {} };
  }

  /** Sends on what holds kept back, and disarms the holds that never matched (their promises reject). */
  release(): void {
    for (const hold of this.holds.splice(0)) {
      clearTimeout(hold.timer);
      hold.reject(new Error(`hold "${hold.label}" released before anything matched`));
    }
    for (const link of this.links) {
      for (const [stream, socket] of [
        [link.toServer, link.server],
        [link.toClient, link.client],
      ] as const) {
        const held = stream.held ?? [];
        stream.held = undefined;
        for (const message of held) socket.write(message);
      }
    }
  }

  /**
   * An outage: while on, nothing passes either way and new connections are accepted but never answered. Turning it
   * off cuts the connections that lost bytes (their streams are torn mid-message), so the app reconnects afresh.
   */
  blackhole(on: boolean): void {
    this.dark = on;
    if (on) return;
    for (const link of this.links) if (link.torn) this.drop(link);
  }

  /** Closes everything; what holds kept back is dropped, never sent (a killed app's requests must not land late). */
  async close(): Promise<void> {
    for (const link of this.links) this.drop(link);
    this.release();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private arm(
    on: Hold['on'],
    matches: Hold['matches'],
    { label, timeoutMs = 20_000 }: { label: string; timeoutMs?: number },
  ): Promise<{ command: WireCommand; answer?: Document }> {
    const promise = new Promise<{ command: WireCommand; answer?: Document }>((resolve, reject) => {
      const hold: Hold = {
        label,
        matches,
        on,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.holds = this.holds.filter((h) => h !== hold);
          const recent = this.commands.slice(-12).map(describeCommand).join('; ');
          reject(new Error(`hold "${label}": nothing matched within ${timeoutMs} ms (last commands: ${recent})`));
        }, timeoutMs),
      };
      this.holds.push(hold);
    });
    // A test that kills the app before awaiting a hold must not see an unhandled rejection later.
    promise.catch(() => undefined);
    return promise;
  }

  private accept(client: Socket): void {
    const server = connect(Number(this.target.port || 27017), this.target.hostname);
    const link: Link = {
      id: this.nextLink++,
      client,
      server,
      toServer: { partial: Buffer.alloc(0), held: undefined },
      toClient: { partial: Buffer.alloc(0), held: undefined },
      asked: new Map(),
      torn: false,
    };
    this.links.add(link);
    client.on('data', (chunk: Buffer) => this.receive(link, link.toServer, chunk, (m) => this.fromClient(link, m)));
    server.on('data', (chunk: Buffer) => this.receive(link, link.toClient, chunk, (m) => this.fromServer(link, m)));
    // Either side gone ends both; what was held dies with them, as a killed app's requests do.
    for (const socket of [client, server]) {
      socket.on('error', () => this.drop(link));
      socket.on('close', () => this.drop(link));
    }
  }

  /** Cuts a direction's bytes into whole wire messages (each starts with its int32 length). */
  private receive(link: Link, stream: Stream, chunk: Buffer, route: (message: Buffer) => void): void {
    if (this.dark || link.torn) {
      link.torn = true;
      return;
    }
    stream.partial = stream.partial.length ? Buffer.concat([stream.partial, chunk]) : chunk;
    while (stream.partial.length >= 4 && stream.partial.length >= stream.partial.readInt32LE(0)) {
      const length = stream.partial.readInt32LE(0);
      const message = stream.partial.subarray(0, length);
      stream.partial = stream.partial.subarray(length);
      route(message);
    }
  }

  private fromClient(link: Link, message: Buffer): void {
    const command = parseCommand(message, link.id);
    if (command) {
      this.commands.push(command);
      link.asked.set(message.readInt32LE(4), command);
      if (this.catch('command', command, undefined)) link.toServer.held ??= [];
    }
    if (link.toServer.held) link.toServer.held.push(message);
    else link.server.write(message);
  }

  private fromServer(link: Link, message: Buffer): void {
    const command = link.asked.get(message.readInt32LE(8));
    link.asked.delete(message.readInt32LE(8));
    if (command && this.holds.some((h) => h.on === 'answer')) {
      const answer = parseOpMsg(message)?.body;
      if (answer && this.catch('answer', command, answer)) link.toClient.held ??= [];
    }
    if (link.toClient.held) link.toClient.held.push(message);
    else link.client.write(message);
  }

  /** Resolves (and disarms) every armed hold of this kind that matches; true if any did. */
  private catch(on: Hold['on'], command: WireCommand, answer: Document | undefined): boolean {
    const caught = this.holds.filter((hold) => hold.on === on && this.matches(hold, command, answer));
    if (caught.length === 0) return false;
    this.holds = this.holds.filter((hold) => !caught.includes(hold));
    for (const hold of caught) {
      clearTimeout(hold.timer);
      hold.resolve({ command, answer });
    }
    return true;
  }

  private matches(hold: Hold, command: WireCommand, answer: Document | undefined): boolean {
    try {
      return hold.matches(command, answer);
    } catch (e) {
      // A predicate that throws is a broken test: say so through its promise instead of tearing the proxy down.
      clearTimeout(hold.timer);
      this.holds = this.holds.filter((h) => h !== hold);
      hold.reject(e instanceof Error ? e : new Error(String(e)));
      return false;
    }
  }

  private drop(link: Link): void {
    if (!this.links.delete(link)) return;
    link.client.destroy();
    link.server.destroy();
  }
}

/** `update conversations (conn 3)`: a command in a line, for logs and failure messages. */
export function describeCommand(command: WireCommand): string {
  return `${command.name}${command.collection ? ` ${command.collection}` : ''} (conn ${command.connection})`;
}

/** Whether the command's body or batches contain `text` (an id as hex, a field name, a word of a message). */
export function mentions(command: WireCommand, text: string): boolean {
  return JSON.stringify([command.body, command.documents]).includes(text);
}

/**
 * Matches, once `first` has matched an earlier command (which itself passes through), what `then(thatCommand)`
 * matches: "the conversation update that follows the insert of this message". Keeps state: one per hold.
 */
export function after(first: CommandPredicate, then: (earlier: WireCommand) => CommandPredicate): CommandPredicate {
  let next: CommandPredicate | undefined;
  return (command) => {
    if (next) return next(command);
    if (first(command)) next = then(command);
    return false;
  };
}
