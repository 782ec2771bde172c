import type { BlobStore } from '../../shared/blob-store';
import { Channel } from '../../shared/channels';
import type { Logger } from '../../shared/logger';
import type { Attachment, InboundMessage, InboundSink } from '../../shared/messages';
import { type DecodedEmail, decodeEmail } from './decode';
import { baseSubject, domainOf, tokenOfAddress, tokenOfMessageId } from './thread';
import type { Threads } from './threads';

/** Where a mail came from: the IMAP mailbox and UID, or the gateway's own SMTP listener and its envelope. */
export type MailOrigin =
  | { via: 'imap'; mailbox: string; uidValidity: string; uid: number; truncated: boolean }
  | { via: 'smtp'; envelopeFrom: string | null; envelopeTo: string[] };

/** Text fields kept beside the message are capped: a message document stays far below the store's limit. */
const KEPT_CHARS = 256 * 1024;

const kindOf = (mimeType: string): Attachment['kind'] => {
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.startsWith('video/')) return 'video';
  if (mimeType.startsWith('audio/')) return 'audio';
  return 'file';
};

/**
 * A mail from either way in, to the inbox: parsed, filed under its thread's customer, its attachments and the
 * original stored as blobs, then handed to the sink. Resolves only once the message is stored, so the IMAP cursor
 * and the SMTP `250` come after it.
 */
export class MailIntake {
  private sink: InboundSink | undefined;

  constructor(
    private readonly supportAddress: string,
    private readonly threads: Threads,
    private readonly blobs: BlobStore | undefined,
    private readonly log: Logger,
  ) {}

  async take(source: Buffer, origin: MailOrigin, receivedAt = new Date()): Promise<void> {
    const mail = await decodeEmail(source, receivedAt, this.supportAddress);
    if (mail.messageId && tokenOfMessageId(mail.messageId, domainOf(this.supportAddress))) {
      // One of our own replies (a server that files sent mail into the inbox): the conversation has it already.
      this.log.debug({ messageId: mail.messageId }, 'our own reply read back from the mailbox: skipped');
      return;
    }
    const customer = await this.customerOf(mail, origin);
    const sender = mail.from?.address;
    const fromCustomer = !sender || sender === customer;
    // Someone else writing into the customer's thread: the contact keeps the customer's name, the message says who.
    const customerName = fromCustomer ? mail.from?.name || sender || customer : (await this.threads.of(customer))?.name || customer;
    const attachments = await this.storeAttachments(mail, origin);
    const original = this.blobs ? await this.blobs.put(source, { name: 'message.eml', mimeType: 'message/rfc822' }) : undefined;
    const message: InboundMessage = {
      kind: 'message',
      channel: Channel.Email,
      externalId: mail.dedupeKey,
      contact: { externalId: customer, name: customerName, email: customer },
      ...(fromCustomer ? {} : { author: mail.from?.name ? `${mail.from.name} <${sender}>` : sender }),
      text: mail.reply.slice(0, KEPT_CHARS) || (attachments.length || mail.subject ? '' : '(empty message)'),
      attachments,
      sentAt: mail.sentAt,
      raw: JSON.stringify({ ...this.record(mail, origin), original: original ? { id: original.id, size: original.size } : null }),
      source: mail.noise ? `email:${mail.noise}` : 'email',
      ...(mail.noise ? { automated: true } : {}),
      ...(mail.subject ? { subject: mail.subject } : {}),
      ...(mail.quoted ? { quoted: mail.quoted.slice(0, KEPT_CHARS) } : {}),
    };
    // The thread learns of the mail before the inbox has it: the bot answers within milliseconds of the store, and
    // its answer must continue the customer's thread under their subject. A mail the inbox then fails to store is
    // read again and remembered once (the chain keeps each Message-ID once).
    if (!mail.noise && mail.messageId) {
      await this.threads.remember(
        customer,
        mail.messageId,
        mail.subject ? baseSubject(mail.subject) : undefined,
        fromCustomer ? mail.from?.name : undefined,
      );
    }
    await this.sinkTo(message);
    if (mail.problems.length)
      this.log.warn({ messageId: mail.messageId, problems: mail.problems }, 'malformed mail stored with what could be read');
  }

  attach(sink: InboundSink): void {
    this.sink = sink;
  }
  private async sinkTo(message: InboundMessage): Promise<void> {
    if (!this.sink) throw new Error('the email channel is not started');
    await this.sink(message);
  }

  /**
   * The customer a mail belongs to: the thread named by one of our Message-IDs it answers, or by the plus address
   * it was sent to; else its sender. So a reply from a colleague's or a second address joins the conversation.
   */
  private async customerOf(mail: DecodedEmail, origin: MailOrigin): Promise<string> {
    const domain = domainOf(this.supportAddress);
    const recipients = origin.via === 'smtp' ? [...origin.envelopeTo, ...mail.recipients] : mail.recipients;
    const tokens = [
      ...mail.answers.map((id) => tokenOfMessageId(id, domain)),
      ...recipients.map((address) => tokenOfAddress(address, this.supportAddress)),
    ].filter((t): t is string => Boolean(t));
    for (const token of new Set(tokens)) {
      const address = await this.threads.addressOf(token);
      if (address) return address;
    }
    return mail.from?.address ?? (origin.via === 'smtp' && origin.envelopeFrom ? origin.envelopeFrom.toLowerCase() : 'unknown-sender');
  }

  /** Files the customer attached, and the original mail itself, as blobs; without a blob store, only their names. */
  private async storeAttachments(mail: DecodedEmail, origin: MailOrigin): Promise<Attachment[]> {
    const out: Attachment[] = [];
    if (origin.via === 'imap' && origin.truncated) {
      // Only the mail's first part was read: a file cut off in the middle is not the customer's file.
      this.log.warn({ messageId: mail.messageId }, 'mail over the size limit: stored with its text and headers, without attachments');
      return out;
    }
    for (const file of mail.attachments) {
      const stored = this.blobs ? await this.blobs.put(file.content, { name: file.name, mimeType: file.mimeType }) : undefined;
      out.push({
        kind: kindOf(file.mimeType),
        name: file.name,
        mimeType: file.mimeType,
        size: file.size,
        ...(stored ? { platformId: stored.id, url: `/api/attachments/${stored.id}` } : {}),
      });
    }
    return out;
  }

  private record(mail: DecodedEmail, origin: MailOrigin) {
    return {
      messageId: mail.messageId ?? null,
      subject: mail.subject,
      from: mail.from ?? null,
      recipients: mail.recipients,
      answers: mail.answers,
      noise: mail.noise ?? null,
      reply: mail.reply.slice(0, KEPT_CHARS),
      quoted: mail.quoted.slice(0, KEPT_CHARS),
      fullText: mail.fullText.slice(0, KEPT_CHARS),
      html: mail.html?.slice(0, KEPT_CHARS) ?? null,
      htmlTruncated: (mail.html?.length ?? 0) > KEPT_CHARS,
      headers: mail.headers,
      problems: mail.problems,
      inlineImages: mail.attachments.filter((a) => a.inline).map((a) => a.name),
      ...(origin.via === 'imap' && origin.truncated ? { omittedAttachments: mail.attachments.map((a) => a.name) } : {}),
      origin,
    };
  }
}
