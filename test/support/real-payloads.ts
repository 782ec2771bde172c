import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MessageView } from '../../shared/inbox-api';
import type { HttpReply, TestGateway } from './gateway';
import type { InboxReader } from './inbox-reader';

/**
 * The corpus of real webhook bodies beside the repository (`../shared/fixtures/real-payloads/`: its README.md says
 * where each comes from, manifest.json what a gateway should do with it). The suites post every body exactly as
 * written, signed, and hold the gateway to what the manifest says.
 */
export const REAL_PAYLOADS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'shared',
  'fixtures',
  'real-payloads',
);

export type Expectation = 'message' | 'none' | 'edit' | 'info';

export interface RealPayload {
  /** `telegram/doc_text_start.json` */
  file: string;
  channel: 'telegram' | 'viber' | 'whatsapp' | 'instagram';
  expect: Expectation;
  /** How many inbound messages a `message` body holds when it is not one. */
  count?: number;
  note?: string;
  /** The bytes as written. */
  body: string;
}

/**
 * Where the gateway now does more with a body than the manifest was written for, said here with the reason, so the
 * corpus beside the repository stays as its sources gave it.
 */
const revised: Readonly<Record<string, { expect: Expectation; note: string }>> = {
  'telegram/bottender_callback_query.json': {
    expect: 'message',
    note: 'a tap on a button of a bot message in a private chat is the customer answering the choices we offered: kept as their message (and answered)',
  },
};

export function realPayloads(channel: RealPayload['channel']): RealPayload[] {
  const manifestPath = path.join(REAL_PAYLOADS_DIR, 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`the real-payload corpus is missing: ${manifestPath} (it lives beside the repository)`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Omit<RealPayload, 'body'>[];
  return manifest
    .filter((item) => item.channel === channel)
    .map((item) => ({ ...item, ...revised[item.file], body: readFileSync(path.join(REAL_PAYLOADS_DIR, item.file), 'utf8') }));
}

/** A gateway a corpus body can be posted to, signed as its platform signs, and the inbox it shows managers. */
export interface CorpusTarget {
  post(body: string): Promise<HttpReply>;
  gw: TestGateway;
  inbox: InboxReader;
}

/**
 * Each body is judged on a store of its own: the corpus reuses ids across sources (`external_id`, `wamid.xyzxyz`).
 * Nothing in the API deletes conversations, and a gateway per body would take minutes, so the store is emptied.
 */
export async function emptyInbox(target: CorpusTarget): Promise<void> {
  for (const name of ['messages', 'conversations', 'contacts']) await (await target.gw.collection(name)).deleteMany({});
}

export async function inboundMessages(target: CorpusTarget): Promise<MessageView[]> {
  return (await target.inbox.messages()).filter((m) => m.direction === 'in');
}

/**
 * Posts the body, checks what the manifest says of it, posts it again (a redelivery) and checks that nothing was
 * added; returns the inbound messages stored, for the suite's own checks on what they show.
 */
export async function postAsManifestSays(target: CorpusTarget, payload: RealPayload): Promise<MessageView[]> {
  const first = await target.post(payload.body);
  expect({ file: payload.file, status: first.status, body: first.body }).toEqual({
    file: payload.file,
    status: 200,
    body: expect.anything(),
  });
  const stored = await inboundMessages(target);
  switch (payload.expect) {
    case 'message': {
      expect(stored).toHaveLength(payload.count ?? 1);
      for (const message of stored) {
        // Its words, or what it carried: never an empty message.
        expect(message.text !== '' || message.attachments.length > 0).toBe(true);
      }
      // The customer's turn: the conversation now waits for a manager's answer.
      const conversations = await target.inbox.conversations();
      expect(conversations).toHaveLength(1);
      expect(conversations[0]?.awaitingReplySince).toEqual(expect.any(String));
      break;
    }
    case 'none':
      expect(stored).toHaveLength(0);
      break;
    case 'edit':
      // The original is not in this store: the edited words are kept once, as a message of their own, or not at all.
      expect(stored.length).toBeLessThanOrEqual(1);
      break;
    case 'info':
      break;
  }
  const again = await target.post(payload.body);
  expect({ file: payload.file, redelivery: again.status }).toEqual({ file: payload.file, redelivery: 200 });
  const afterRedelivery = await inboundMessages(target);
  expect(afterRedelivery.map((m) => m.id).sort()).toEqual(stored.map((m) => m.id).sort());
  return stored;
}

/** One body of the corpus by its file name. */
export function corpusItem(corpus: readonly RealPayload[], file: string): RealPayload {
  const found = corpus.find((p) => p.file === file);
  if (!found) throw new Error(`${file} is not in the corpus`);
  return found;
}

/**
 * The table: one test per body, each on an empty inbox, posted, held to the manifest and redelivered; `check` adds
 * what a body must show once stored.
 */
export function itHandlesEveryBody(
  corpus: readonly RealPayload[],
  target: () => CorpusTarget,
  check?: (file: string, stored: MessageView[]) => void,
): void {
  beforeEach(async () => {
    await emptyInbox(target());
  });
  it.each(corpus.map((p) => [p.file, p.expect, p] as const))(
    '%s (%s) is handled as the manifest says, and once when redelivered',
    async (file, _expect, payload) => {
      const stored = await postAsManifestSays(target(), payload);
      check?.(file, stored);
    },
  );
}
