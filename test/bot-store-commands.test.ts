import { randomUUID } from 'node:crypto';
import { FakeCallback } from './support/fake-callback';
import { eventually, sleep, storeUri, TestGateway } from './support/gateway';
import { type WireCommand, WireTap } from './support/wire-tap';

/**
 * What the store is asked between a customer's message and the bot's answer reaching the platform, through a wire
 * tap: each command costs the store its time, and the answer waits for those in its path. Only the inbox's and the
 * bot's own commands are pinned; other listeners of the message (the pipeline, campaigns) run beside them.
 */
describe('the store commands of a bot answer', () => {
  const database = `botcmds_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let tap: WireTap;
  let gw: TestGateway;
  let callback: FakeCallback;
  let n = 0;

  beforeAll(async () => {
    tap = await WireTap.start(storeUri(database));
    callback = await new FakeCallback().start();
    // The job queue and the outbox poll once a minute: nothing searches for due work while an answer is on its way.
    gw = await TestGateway.start({
      database,
      env: { MONGODB_URI: tap.uri(database), JOBS_POLL_INTERVAL: '60s', API_CHANNEL_CALLBACK_URL: callback.url },
    });
    const admin = await gw.manager('admin', 'Ірина Адміністраторка');
    expect((await gw.request('PATCH', '/api/bot', { token: admin.token, json: { enabled: true } })).status).toBe(200);
  });
  afterAll(async () => {
    await gw.close();
    await tap.close();
    await callback.stop();
  });

  /** The bot's answer inserted: claimed by its attempt in that write, the last store command before its send. */
  const answerInsert = (c: WireCommand) =>
    c.name === 'insert' && c.collection === 'messages' && (c.documents.documents ?? []).some((d) => d.direction === 'out');
  const of = (commands: WireCommand[], collection: string) => commands.filter((c) => c.collection === collection).map((c) => c.name);
  /** The messages' commands but the pipeline's read of a new lead's source (its conversation's first messages). */
  const messageCommands = (path: WireCommand[]) =>
    of(
      path.filter((c) => !(c.name === 'find' && c.body.filter?.conversationId !== undefined)),
      'messages',
    );
  /** The conversation's writes; its reads, at most one, are the pipeline's following the message on its own. */
  const conversationWrites = (path: WireCommand[]) => {
    const names = of(path, 'conversations');
    expect(names.filter((name) => name === 'find').length).toBeLessThanOrEqual(1);
    return names.filter((name) => name !== 'find');
  };

  /**
   * A customer of the site's chat writes and the bot answers: the commands up to the answer's insert (the step
   * before its send), and the bot's talk's commands until it is saved.
   */
  async function answered(customer: string, text: string): Promise<{ path: WireCommand[]; talk: string[]; all: WireCommand[] }> {
    const from = tap.commands.length;
    const answers = callback.received.length + 1;
    const res = await gw.postApi({ externalMessageId: `chat-${++n}`, contact: { externalId: customer, name: 'Відвідувач сайту' }, text });
    expect(res.status).toBe(200);
    await eventually(async () => callback.received.length >= answers);
    const since = tap.commands.slice(from);
    const inserted = since.findIndex(answerInsert);
    expect(inserted).toBeGreaterThan(0);
    // The talk is saved after the answer is out; a moment more shows nothing else comes.
    await eventually(async () => of(tap.commands.slice(from), 'bot_sessions').length >= 2);
    await sleep(300);
    return { path: since.slice(0, inserted + 1), talk: of(tap.commands.slice(from), 'bot_sessions'), all: tap.commands.slice(from) };
  }

  it('greets a new customer: their conversation inserted, the message noted and marked, the answer inserted claimed by its attempt', async () => {
    const { path, talk } = await answered('visitor-new', 'Добрий день!');
    expect(conversationWrites(path)).toEqual(['insert']);
    expect(of(path, 'contacts')).toEqual(['findAndModify']);
    // The question, marked done, then the answer, inserted handed over and held by the attempt that sends it: no
    // search for due replies, and no claim between the insert and the platform.
    expect(messageCommands(path)).toEqual(['insert', 'update', 'insert']);
    const [answer] = path.at(-1)?.documents.documents ?? [];
    const held = { attempts: answer?.attempts, sending: answer?.sendingSince instanceof Date, queued: answer?.queuedAt instanceof Date };
    expect(held).toEqual({ attempts: 1, sending: true, queued: true });
    // Noted as owed (the write hands the talk back to the turn, not read again), saved with the message answered.
    expect(talk).toEqual(['findAndModify', 'update']);
  });

  it('answers a returning customer’s pick with one write of the conversation and nothing of ingest’s read again', async () => {
    await answered('visitor-back', 'Привіт');
    const { path, talk, all } = await answered('visitor-back', '2');
    // The bot held it when this process last wrote it: the held guard is tried first, and matches.
    expect(conversationWrites(path)).toEqual(['findAndModify']);
    expect(of(path, 'contacts')).toEqual(['findAndModify']);
    expect(messageCommands(path)).toEqual(['insert', 'update', 'insert']);
    expect(talk).toEqual(['findAndModify', 'update']);
    // The lead started with the first message and stands still while the bot talks: neither it nor the
    // conversation is read for it (the one read is the delivery's, telling the inbox the answer went out).
    expect(of(all, 'leads')).toEqual([]);
    expect(of(all, 'conversations').filter((name) => name === 'find')).toEqual(['find']);
  });
});
