import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';

const DOVECOT = process.env.DOVECOT_PATH ?? '/usr/sbin/dovecot';

/** A port free on loopback right now (for servers that cannot be told to pick one themselves). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('data', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function groupName(gid: number): string {
  const line = readFileSync('/etc/group', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[2] === String(gid));
  return line?.split(':')[0] ?? String(gid);
}

/** Unix user the throwaway mailboxes belong to: dovecot refuses to hand mail to root. */
function mailOwner(): { user: string; uid: number; gid: number } {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  if (uid !== 0) return { user: userInfo().username, uid, gid };
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('dovecot:'));
  const [, , u, g] = line?.split(':') ?? [];
  return { user: 'dovecot', uid: Number(u), gid: Number(g) };
}

/**
 * A real IMAP server (Debian's dovecot) on a free loopback port, with one throwaway user and a maildir in a temp
 * directory, started in the foreground as this test's child and stopped with it.
 */
export class Dovecot {
  readonly user = 'support@shop.example';
  readonly password = 'пароль-test-42';
  port = 0;
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'dovecot-'));

  /** `idle: false` plays a server without the IDLE extension. */
  constructor(private readonly options: { idle?: boolean } = {}) {}

  static available(): boolean {
    try {
      readFileSync(DOVECOT);
      return true;
    } catch {
      return false;
    }
  }

  /** `imap://user:pass@127.0.0.1:port/<mailbox>` as the gateway's IMAP_URL takes it. */
  url(mailbox = 'INBOX'): string {
    return `imap://${encodeURIComponent(this.user)}:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/${encodeURIComponent(mailbox)}`;
  }

  async start(): Promise<this> {
    this.port ||= await freePort();
    const owner = mailOwner();
    const isRoot = (process.getuid?.() ?? 0) === 0;
    for (const sub of ['run', 'state', 'mail']) mkdirSync(path.join(this.dir, sub), { recursive: true });
    if (isRoot) {
      chmodSync(this.dir, 0o755);
      chownSync(path.join(this.dir, 'mail'), owner.uid, owner.gid);
    }
    writeFileSync(path.join(this.dir, 'users'), `${this.user}:{PLAIN}${this.password}::::::\n`);
    const conf = [
      `base_dir = ${this.dir}/run`,
      `state_dir = ${this.dir}/state`,
      `log_path = ${this.dir}/dovecot.log`,
      'protocols = imap',
      'listen = 127.0.0.1',
      'ssl = no',
      'disable_plaintext_auth = no',
      'auth_mechanisms = plain login',
      `mail_location = maildir:${this.dir}/mail/%u`,
      `first_valid_uid = ${Math.min(owner.uid, 100)}`,
      ...(isRoot
        ? []
        : [
            `default_internal_user = ${owner.user}`,
            `default_login_user = ${owner.user}`,
            `default_internal_group = ${groupName(owner.gid)}`,
          ]),
      `passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ${this.dir}/users\n}`,
      `userdb {\n  driver = static\n  args = uid=${owner.uid} gid=${owner.gid} home=${this.dir}/mail/%u\n}`,
      `service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ${this.port}\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}`,
      ...(this.options.idle === false ? ['imap_capability = IMAP4rev1 LITERAL+ SASL-IR ID ENABLE UNSELECT UIDPLUS NAMESPACE'] : []),
      'service anvil {\n  chroot =\n}',
      'service imap-login {\n  chroot =\n}',
      '',
    ].join('\n');
    writeFileSync(path.join(this.dir, 'dovecot.conf'), conf);
    this.child = spawn(DOVECOT, ['-F', '-c', path.join(this.dir, 'dovecot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    this.child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`dovecot did not start: ${stderr}${this.log()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return this;
  }

  log(): string {
    try {
      return readFileSync(path.join(this.dir, 'dovecot.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** A client of our own, as another mail program the customer or a colleague uses on the same mailbox. */
  async client(): Promise<ImapFlow> {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: this.port,
      secure: false,
      auth: { user: this.user, pass: this.password },
      logger: false,
    });
    await client.connect();
    return client;
  }

  /** Delivers a message into the mailbox (IMAP APPEND), as the mail server would on arrival; returns its UID. */
  async deliver(raw: string | Buffer, mailbox = 'INBOX', flags: string[] = []): Promise<number> {
    const client = await this.client();
    try {
      const res = await client.append(mailbox, raw, flags);
      if (!res || res.uid === undefined) throw new Error('append returned no UID');
      return res.uid;
    } finally {
      await client.logout();
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
