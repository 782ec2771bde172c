import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Logger } from '../../shared/logger';
import type { MailOrigin } from './intake';
import { isSupportRecipient } from './thread';

export type SmtpMailHandler = (source: Buffer, origin: MailOrigin & { via: 'smtp' }) => Promise<void>;

const smtpError = (code: number, message: string): Error => Object.assign(new Error(message), { responseCode: code });

/**
 * The gateway's own SMTP listener (INBOUND_SMTP_PORT) for mail routed straight to it by an MX or a relay: only the
 * support address and its plus addresses are accepted, mail over the size limit is refused during DATA, and `250`
 * is answered only once the message is stored (a failure to store is a `451`, so the sending server tries again).
 */
export class SmtpListener {
  private readonly server: SMTPServer;

  constructor(
    private readonly supportAddress: string,
    private readonly maxBytes: number,
    private readonly handle: SmtpMailHandler,
    private readonly log: Logger,
  ) {
    this.server = new SMTPServer({
      name: supportAddress.slice(supportAddress.lastIndexOf('@') + 1),
      banner: 'support mail gateway',
      authOptional: true,
      // Mail arrives from MX relays, not from users: no login, and TLS is for the relay in front (README).
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: maxBytes,
      // Each connection may hold a whole mail in memory until it is stored: a bound on both.
      maxClients: 20,
      // On stop, a mail being received gets as long as an HTTP request in flight; the relay retries one cut short.
      closeTimeout: 10_000,
      // The relay's name is in the Received header it wrote; a reverse lookup per connection only adds delay.
      disableReverseLookup: true,
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (isSupportRecipient(address.address, this.supportAddress)) return callback();
        callback(smtpError(550, `5.1.1 <${address.address}>: no such mailbox here, only <${this.supportAddress}>`));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        stream.on('data', (c: Buffer) => {
          // Past the limit the rest is read and dropped: the answer is a 552 anyway.
          bytes += c.length;
          if (bytes <= this.maxBytes) chunks.push(c);
        });
        stream.on('end', () => {
          if (stream.sizeExceeded || bytes > this.maxBytes) {
            callback(smtpError(552, `5.3.4 message larger than the ${Math.floor(this.maxBytes / 1024 / 1024)} MB limit`));
            return;
          }
          const origin = {
            via: 'smtp' as const,
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
            envelopeTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          };
          this.handle(Buffer.concat(chunks), origin).then(
            () => callback(),
            (err: unknown) => {
              this.log.error({ err }, 'inbound mail could not be stored: the sender is asked to try again');
              callback(smtpError(451, '4.3.0 the message could not be stored now, try again later'));
            },
          );
        });
      },
    });
    this.server.on('error', (err) => this.log.warn({ err }, 'inbound SMTP error'));
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const bound = (this.server.server.address() as AddressInfo).port;
    this.log.info({ port: bound }, 'inbound SMTP listening');
    return bound;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
