import { ImapFlow } from 'imapflow';
import { z } from 'zod';
import type { ChannelSession, SessionState, SessionStatus } from '../../shared/channel-adapter';
import type { ChannelStateStore } from '../../shared/channel-state';
import type { Logger } from '../../shared/logger';
import type { MailOrigin } from './intake';
import type { EmailSettings, ImapTarget } from './settings';

/** How much of a mail over the size limit is read: its headers and text, not its attachments. */
const TRUNCATED_BYTES = 256 * 1024;

const cursorSchema = z.object({ uidValidity: z.string(), lastUid: z.number().int().nonnegative() });
type Cursor = z.infer<typeof cursorSchema>;

export type MailHandler = (source: Buffer, origin: MailOrigin & { via: 'imap' }) => Promise<void>;

/**
 * Watches one mailbox with IDLE (NOOP where the server has none) and takes every new mail once, in UID order,
 * from a cursor stored after each mail (mailbox, UIDVALIDITY, last UID): a restart neither misses nor doubles mail.
 * The mailbox is opened read-only (EXAMINE) and bodies are fetched with BODY.PEEK, so \Seen and every other flag
 * stay as the people reading the mailbox left them. A dropped connection reconnects with a doubling backoff.
 */
export class ImapWatcher implements ChannelSession {
  private stopped = false;
  private client: ImapFlow | undefined;
  private loop: Promise<void> | undefined;
  private wakeSleep: (() => void) | undefined;
  private current: SessionStatus;
  private readonly listeners = new Set<(status: SessionStatus) => void>();
  private readonly cursorKey: string;

  constructor(
    private readonly target: ImapTarget,
    private readonly settings: Pick<
      EmailSettings,
      'firstSyncMs' | 'maxMessageBytes' | 'reconnectMinMs' | 'reconnectMaxMs' | 'safetySyncMs' | 'noIdlePollMs'
    >,
    private readonly state: ChannelStateStore,
    private readonly handle: MailHandler,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.cursorKey = `imap:${target.user}@${target.host}:${target.port}/${target.mailbox}`;
    this.current = this.statusOf('starting', null, null);
  }

  /** Where the watcher stands, for admins (GET /api/channels/email/session and the `channel:session` event). */
  status(): SessionStatus {
    return this.current;
  }

  onStatus(listener: (status: SessionStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private statusOf(state: SessionState, reason: string | null, reconnectAt: Date | null): SessionStatus {
    return { state, qr: null, account: `${this.target.user} · ${this.target.mailbox}`, reason, reconnectAt, updatedAt: new Date() };
  }

  private setStatus(state: SessionState, reason: string | null = null, reconnectAt: Date | null = null): void {
    this.current = this.statusOf(state, reason, reconnectAt);
    for (const listener of this.listeners) listener(this.current);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.setStatus('stopped');
    this.wakeSleep?.();
    const client = this.client;
    if (client?.usable) await client.logout().catch(() => client.close());
    else client?.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    let delay = this.settings.reconnectMinMs;
    while (!this.stopped) {
      const startedAt = Date.now();
      let reason = 'connection closed';
      let refused = false;
      try {
        await this.session();
      } catch (err) {
        if (this.stopped) break;
        this.log.warn({ err, mailbox: this.target.mailbox }, 'IMAP connection failed');
        const failure = err as { message?: string; responseText?: string; authenticationFailed?: boolean };
        reason = failure.responseText || failure.message || String(err);
        refused = failure.authenticationFailed === true;
      }
      if (this.stopped) break;
      // A connection that stood for a while starts the backoff over; one that keeps failing waits longer each time.
      if (Date.now() - startedAt > this.settings.reconnectMaxMs) delay = this.settings.reconnectMinMs;
      const reconnectAt = new Date(Date.now() + delay);
      // A refused login is shown as such: the password (an app password) needs changing, not patience.
      this.setStatus(refused ? 'auth_failure' : 'disconnected', refused ? `login refused: ${reason}` : reason, reconnectAt);
      this.log.info({ delayMs: delay, mailbox: this.target.mailbox }, 'IMAP reconnecting after a pause');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wakeSleep = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      delay = Math.min(delay * 2, this.settings.reconnectMaxMs);
    }
  }

  /** One connection's life: open the mailbox, catch up, then catch up again on every IDLE notice until it closes. */
  private async session(): Promise<void> {
    if (this.current.state !== 'auth_failure' && this.current.state !== 'disconnected') this.setStatus('starting');
    const client = new ImapFlow({
      host: this.target.host,
      port: this.target.port,
      secure: this.target.secure,
      auth: { user: this.target.user, pass: this.target.pass },
      logger: false,
      missingIdleCommand: 'NOOP',
      // Servers drop an IDLE after ~30 min (RFC 2177): restarting it sooner keeps NATs and proxies from cutting it.
      maxIdleTime: 5 * 60_000,
      // New mail is only announced while IDLE runs: back to it soon after catching up (a command breaks it anyway).
      autoIdleDelay: 200,
    });
    this.client = client;
    let closed = false;
    let wanted = true;
    let wake: (() => void) | undefined;
    const notify = () => {
      wanted = true;
      wake?.();
    };
    client.on('error', (err: unknown) => this.log.warn({ err }, 'IMAP connection error'));
    client.on('close', () => {
      closed = true;
      wake?.();
    });
    client.on('exists', notify);
    const safety = setInterval(notify, this.settings.safetySyncMs);
    let poll: NodeJS.Timeout | undefined;
    try {
      await client.connect();
      if (this.stopped) return;
      await client.mailboxOpen(this.target.mailbox, { readOnly: true });
      this.setStatus('ready');
      const idle = client.capabilities.has('IDLE');
      // Without IDLE the server reports new mail only in answer to a command: a NOOP every few seconds asks for it
      // (imapflow's own fallback would wait up to two minutes).
      if (!idle) poll = setInterval(() => void client.noop().catch(() => undefined), this.settings.noIdlePollMs);
      this.log.info({ mailbox: this.target.mailbox, host: this.target.host, idle }, 'IMAP mailbox watched');
      while (!closed && !this.stopped) {
        if (wanted) {
          wanted = false;
          await this.catchUp(client);
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      clearInterval(safety);
      clearInterval(poll);
      if (!closed) client.close();
    }
  }

  /** Takes every mail past the cursor, one at a time, moving the cursor after each is stored. */
  private async catchUp(client: ImapFlow): Promise<void> {
    const mailbox = client.mailbox;
    if (!mailbox) throw new Error('no mailbox is open');
    const uidValidity = String(mailbox.uidValidity);
    const stored = cursorSchema.safeParse(await this.state.get(this.cursorKey));
    let cursor: Cursor;
    let uids: number[];
    let floor = 0;
    if (!stored.success || stored.data.uidValidity !== uidValidity) {
      // A first start, or a mailbox whose UIDs were all renumbered: only recent mail, deduplicated by Message-ID.
      const since = new Date(this.now().getTime() - this.settings.firstSyncMs);
      this.log.info(
        { mailbox: this.target.mailbox, since, previousUidValidity: stored.success ? stored.data.uidValidity : null, uidValidity },
        stored.success ? 'mailbox UIDVALIDITY changed: taking recent mail again, by Message-ID' : 'first start: taking recent mail only',
      );
      const found = (await client.search({ since }, { uid: true })) || [];
      uids = found.sort((a, b) => a - b);
      // Older mail is the archive: the cursor starts after it even when nothing recent was found.
      floor = Math.max(0, (mailbox.uidNext ?? 1) - 1);
      const firstRecent = uids[0];
      const start = firstRecent === undefined ? floor : Math.min(floor, firstRecent - 1);
      cursor = { uidValidity, lastUid: start };
      await this.state.set(this.cursorKey, cursor);
    } else {
      cursor = stored.data;
      const found = (await client.search({ uid: `${cursor.lastUid + 1}:*` }, { uid: true })) || [];
      // `N:*` includes the highest UID even when it is below N (RFC 3501): only UIDs past the cursor are new.
      uids = found.filter((uid) => uid > cursor.lastUid).sort((a, b) => a - b);
    }
    for (const uid of uids) {
      if (this.stopped) return;
      if (uid <= cursor.lastUid) continue;
      await this.takeOne(client, uid, uidValidity);
      cursor = { uidValidity, lastUid: uid };
      await this.state.set(this.cursorKey, cursor);
    }
    if (cursor.lastUid < floor && !this.stopped) await this.state.set(this.cursorKey, { uidValidity, lastUid: floor });
  }

  private async takeOne(client: ImapFlow, uid: number, uidValidity: string): Promise<void> {
    const head = await client.fetchOne(String(uid), { uid: true, size: true }, { uid: true });
    if (!head) return; // expunged meanwhile
    const truncated = (head.size ?? 0) > this.settings.maxMessageBytes;
    const body = await client.fetchOne(
      String(uid),
      { uid: true, source: truncated ? { start: 0, maxLength: TRUNCATED_BYTES } : true },
      { uid: true },
    );
    if (body === false || !body.source) return;
    await this.handle(body.source, { via: 'imap', mailbox: this.target.mailbox, uidValidity, uid, truncated });
  }
}
