import nodemailer from 'nodemailer';
import type { BlobStore } from '../../shared/blob-store';
import type { ChannelAdapter } from '../../shared/channel-adapter';
import type { ChannelStateStore } from '../../shared/channel-state';
import { Channel } from '../../shared/channels';
import type { Logger } from '../../shared/logger';
import { emailCapabilities } from './capabilities';
import { ImapWatcher } from './imap';
import { MailIntake } from './intake';
import { EmailSender } from './send';
import type { EmailSettings } from './settings';
import { SmtpListener } from './smtp-in';
import { Threads } from './threads';

export interface EmailChannelDeps {
  /** The cursor and the threads, kept by the inbox. */
  state: ChannelStateStore;
  /** Attachments and original mails, and the files managers send; without it only names are kept and replies carry text. */
  blobs?: BlobStore;
}

/**
 * The support mailbox: IMAP in (IDLE, a stored UID cursor), the gateway's own SMTP listener in, SMTP out through
 * nodemailer. Each way in is on when its setting is; replies need SMTP_URL.
 */
export function createEmailChannel(settings: EmailSettings, log: Logger, deps: EmailChannelDeps): ChannelAdapter {
  const threads = new Threads(deps.state);
  const intake = new MailIntake(settings.from.address, threads, deps.blobs, log);
  const transport = settings.smtpUrl ? nodemailer.createTransport(settings.smtpUrl) : undefined;
  const watcher = settings.imap
    ? new ImapWatcher(settings.imap, settings, deps.state, (source, origin) => intake.take(source, origin), log.child({ via: 'imap' }))
    : undefined;
  const listener =
    settings.inboundSmtpPort !== undefined
      ? new SmtpListener(
          settings.from.address,
          settings.maxMessageBytes,
          (source, origin) => intake.take(source, origin),
          log.child({ via: 'smtp' }),
        )
      : undefined;

  return {
    name: Channel.Email,
    capabilities: emailCapabilities,
    ...(transport ? { sender: new EmailSender(transport, settings.from, threads, listener !== undefined, deps.blobs) } : {}),
    ...(watcher ? { session: watcher } : {}),
    async start(sink) {
      intake.attach(sink);
      if (listener && settings.inboundSmtpPort !== undefined) await listener.listen(settings.inboundSmtpPort, settings.inboundSmtpHost);
      // In the background: a mailbox that cannot be reached yet must not keep the gateway from starting.
      watcher?.start();
    },
    async stop() {
      await Promise.all([watcher?.stop(), listener?.close()]);
      transport?.close();
    },
  };
}
