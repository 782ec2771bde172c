import type { Transporter } from 'nodemailer';
import type { BlobStore } from '../../shared/blob-store';
import { type ChannelSender, DeliveryError, type OutboundText, type SendResult } from '../../shared/messages';
import { withNumberedChoices } from '../choices';
import type { MailboxAddress } from './settings';
import { bareId, domainOf, ourMessageId, replyAddress } from './thread';
import type { Threads } from './threads';

/** Subject of a reply to a customer whose thread has none (they wrote an empty subject). */
const FALLBACK_SUBJECT = 'Re: your message';

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The reply as simple HTML: paragraphs and line breaks kept, nothing the customer's client could run. */
export const textToHtml = (text: string): string =>
  `<div dir="auto">${text
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('')}</div>`;

/** A manager signs their reply, as at Front: `Андрій Мельник (Магазин «Квітка»)`; the bot writes as the shop. */
export function displayName(from: MailboxAddress, sender: OutboundText['sender']): string | undefined {
  if (sender?.type !== 'agent' || !sender.name) return from.name;
  return from.name ? `${sender.name} (${from.name})` : sender.name;
}

/**
 * RFC 3834: the customer's own auto-responder must not answer our automatic answer. RFC 8058: campaign mail carries
 * a one-click unsubscribe a mail client may POST to without asking the reader anything more.
 */
function headersOf(message: OutboundText): { headers?: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (message.sender?.type === 'bot') headers['Auto-Submitted'] = message.listUnsubscribe ? 'auto-generated' : 'auto-replied';
  if (message.listUnsubscribe) {
    headers['List-Unsubscribe'] = `<${message.listUnsubscribe}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return Object.keys(headers).length ? { headers } : {};
}

interface SmtpFailure {
  responseCode?: number;
  response?: string;
  code?: string;
  message?: string;
}

/** SMTP's answer as a delivery outcome: 5xx is final, 4xx and a lost connection are tried again. */
export function deliveryErrorOf(error: unknown): DeliveryError {
  const e = (error ?? {}) as SmtpFailure;
  const text = (e.response ?? e.message ?? String(error)).trim();
  if (e.responseCode && e.responseCode >= 500) return new DeliveryError(`SMTP server refused the reply: ${text}`, false);
  if (e.responseCode && e.responseCode >= 400) return new DeliveryError(`SMTP server deferred the reply: ${text}`, true);
  // A timeout may come after the server took the message: the same Message-ID goes out again, which clients fold.
  return new DeliveryError(`SMTP server unreachable: ${text}`, true, undefined, e.code === 'ETIMEDOUT');
}

/**
 * Replies by SMTP from the support address: our own Message-ID (with the thread token), `In-Reply-To` and
 * `References` continuing the customer's thread, `Re:` their subject, plain text and HTML parts, and the files the
 * manager attached.
 */
export class EmailSender implements ChannelSender {
  constructor(
    private readonly transport: Pick<Transporter, 'sendMail'>,
    private readonly from: MailboxAddress,
    private readonly threads: Threads,
    /** Set when the support domain's plus addresses reach us (INBOUND_SMTP_PORT): replies then carry one. */
    private readonly plusReplyTo: boolean,
    /** Where the files managers send with a reply are kept. */
    private readonly blobs?: Pick<BlobStore, 'read'>,
  ) {}

  /** The reply's files as MIME parts, read afresh on each attempt; a file no longer stored fails the reply for good. */
  private async filesOf(message: OutboundText): Promise<{ filename: string; content: Buffer; contentType: string }[]> {
    const files = message.attachments ?? [];
    return Promise.all(
      files.map(async (file) => {
        const blob = file.platformId ? await this.blobs?.read(file.platformId) : undefined;
        if (!blob)
          throw new DeliveryError(
            `the file ${file.name ?? file.platformId ?? ''} is no longer stored; send the reply again with it`,
            false,
          );
        return { filename: file.name ?? blob.name, content: blob.content, contentType: file.mimeType ?? blob.mimeType };
      }),
    );
  }

  async send(message: OutboundText): Promise<SendResult> {
    const thread = await this.threads.ensure(message.to);
    const messageId = ourMessageId(message.messageId, thread.token, domainOf(this.from.address));
    // A retry after a send whose answer was lost may find this very reply in the chain already.
    const chain = thread.chain.filter((id) => id !== bareId(messageId)).map((id) => `<${id}>`);
    const name = displayName(this.from, message.sender);
    const attachments = await this.filesOf(message);
    // Mail has no buttons: choices are numbered lines the customer answers with the number.
    const text = withNumberedChoices(message.text, message.choices);
    try {
      await this.transport.sendMail({
        from: name ? { name, address: this.from.address } : this.from.address,
        to: message.to,
        subject: thread.subject ? `Re: ${thread.subject}` : FALLBACK_SUBJECT,
        text,
        html: textToHtml(text),
        ...(attachments.length ? { attachments } : {}),
        messageId,
        ...(chain.length ? { inReplyTo: chain[chain.length - 1], references: chain } : {}),
        ...(this.plusReplyTo ? { replyTo: replyAddress(thread.token, this.from.address) } : {}),
        ...headersOf(message),
      });
    } catch (e) {
      throw deliveryErrorOf(e);
    }
    // The mail is out: failing to note it in the thread must not make the outbox send it again (the next reply
    // then answers the customer's last mail instead of this one, which threads as well).
    await this.threads.remember(message.to, bareId(messageId)).catch(() => undefined);
    return { externalId: bareId(messageId) };
  }
}
