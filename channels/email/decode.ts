import { createHash } from 'node:crypto';
import EmailReplyParser from 'email-reply-parser';
import { convert as htmlToText } from 'html-to-text';
import { type AddressObject, type HeaderValue, type ParsedMail, simpleParser } from 'mailparser';
import sanitizeHtml from 'sanitize-html';
import { bareId, messageIdsIn } from './thread';

/** Why a mail is not a customer writing: stored and shown, but never starts a wait nor gets an auto-reply. */
export type MailNoise = 'auto-reply' | 'bounce' | 'list' | 'own';

export interface MailAttachment {
  name: string;
  mimeType: string;
  size: number;
  content: Buffer;
  /** Referenced from the HTML body (`cid:`): an inline image rather than a file the customer attached. */
  inline: boolean;
}

export interface DecodedEmail {
  /** The Message-ID without brackets, when the mail has one. */
  messageId: string | undefined;
  /** The key a second copy of this mail carries too: its Message-ID, else a hash of its bytes. */
  dedupeKey: string;
  from: { address: string; name: string | undefined } | undefined;
  /** To and Cc, lower-cased. */
  recipients: string[];
  subject: string;
  /** What the manager reads: the new part alone, without quote and signature. */
  reply: string;
  /** The whole plain text (HTML converted when there is no text part). */
  fullText: string;
  /** The quoted previous message and signature, folded away on the page. */
  quoted: string;
  /** The HTML body, sanitized: no scripts, style sheets, event handlers or forms; data: and cid: for images only. */
  html: string | undefined;
  /** Every Message-ID this mail answers (In-Reply-To, then References). */
  answers: string[];
  noise: MailNoise | undefined;
  sentAt: Date;
  attachments: MailAttachment[];
  /** What could not be read, for a mail that was malformed. */
  problems: string[];
  headers: Record<string, string>;
}

/** Headers kept beside the message for the record (routing, loops, lists). */
const KEPT_HEADERS = [
  'message-id',
  'in-reply-to',
  'references',
  'auto-submitted',
  'x-autoreply',
  'x-autorespond',
  'precedence',
  'list-id',
  'list-unsubscribe',
  'x-failed-recipients',
  'return-path',
  'delivered-to',
  'content-type',
];

const headerText = (value: HeaderValue | undefined): string => {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => headerText(v as HeaderValue)).join(', ');
  if (typeof value === 'object' && 'value' in value) {
    const v = (value as { value: unknown }).value;
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) return (value as AddressObject).text ?? '';
  }
  return String(value);
};

const addresses = (field: AddressObject | AddressObject[] | undefined): { address: string; name: string }[] =>
  (Array.isArray(field) ? field : field ? [field] : [])
    .flatMap((o) => o.value)
    .filter((a): a is { address: string; name: string } => Boolean(a.address))
    .map((a) => ({ address: (a.address as string).toLowerCase(), name: a.name }));

/** Auto-replies, bounces and list mail by their headers (RFC 3834, RFC 3464, RFC 2369 and common practice). */
export function classifyNoise(
  headers: Record<string, string>,
  from: string | undefined,
  contentType: string,
  support: string,
): MailNoise | undefined {
  if (from && from === support) return 'own';
  const autoSubmitted = headers['auto-submitted']?.toLowerCase();
  const precedence = headers.precedence?.toLowerCase();
  if (headers['x-failed-recipients'] || /multipart\/report/i.test(contentType) || (from && /^(mailer-daemon|postmaster)@/i.test(from))) {
    return 'bounce';
  }
  if ((autoSubmitted && autoSubmitted !== 'no') || headers['x-autoreply'] || headers['x-autorespond'] || precedence === 'auto_reply') {
    return 'auto-reply';
  }
  if (precedence === 'bulk' || precedence === 'list' || precedence === 'junk' || headers['list-id'] || headers['list-unsubscribe']) {
    return 'list';
  }
  return undefined;
}

/**
 * What email-reply-parser's locales lack and our customers write: the Ukrainian and Russian quote headers of Gmail
 * and Outlook (`… <support@shop.example> пише:`) and the mobile clients' signatures (`Надіслано з iPhone`).
 */
const QUOTE_HEADER = /(пише|написав|написала|написав\(-ла\)|написал|написала|написал\(а\)|wrote)\s*:\s*$/i;
const MOBILE_SIGNATURE =
  /^(надіслано|відправлено|отправлено|sent)\s+(з|с|from)\s+.{0,30}(iphone|ipad|android|samsung|galaxy|смартфона|телефону|телефона|outlook)/i;

/** Splits plain text into the new part and the rest (quote, signature) with email-reply-parser. */
export function splitReply(text: string): { reply: string; quoted: string } {
  const parsed = new EmailReplyParser().read(text);
  const lines = parsed.getVisibleText().trim().split('\n');
  const moved: string[] = [];
  for (;;) {
    const last = lines[lines.length - 1]?.trim() ?? '';
    if (lines.length > 1 && (last === '' || (QUOTE_HEADER.test(last) && /@|\d/.test(last)) || MOBILE_SIGNATURE.test(last))) {
      moved.unshift(lines.pop() ?? '');
      continue;
    }
    break;
  }
  const reply = lines.join('\n').trim();
  if (!reply) return { reply: text.trim(), quoted: '' };
  const rest = parsed
    .getFragments()
    .filter((f) => f.isHidden() || f.isQuoted() || f.isSignature())
    .map((f) => f.getContent());
  return { reply, quoted: [...moved, ...rest].join('\n').trim() };
}

const sanitize = (html: string): string =>
  sanitizeHtml(html, {
    allowedTags: sanitizeHtml.defaults.allowedTags.concat(['img', 'span', 'font', 'center']),
    allowedAttributes: {
      ...sanitizeHtml.defaults.allowedAttributes,
      '*': ['style', 'align', 'dir'],
      img: ['src', 'alt', 'width', 'height'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    // Inline images (cid:, data:) are images only: a data: link could carry a page of its own.
    allowedSchemesByTag: { img: ['http', 'https', 'cid', 'data'] },
  });

/** Reads a mail as well as it can be read: a malformed one yields what its headers and body still say. */
export async function decodeEmail(source: Buffer, receivedAt: Date, supportAddress: string): Promise<DecodedEmail> {
  const problems: string[] = [];
  let mail: ParsedMail | undefined;
  try {
    mail = await simpleParser(source, { skipTextToHtml: true, keepCidLinks: true, maxHtmlLengthToParse: 5 * 1024 * 1024 });
  } catch (e) {
    problems.push(`MIME could not be parsed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = headerText(mail?.headers.get(name));
    if (value) headers[name] = value.slice(0, 2000);
  }
  const from = addresses(mail?.from)[0];
  const recipients = [...addresses(mail?.to), ...addresses(mail?.cc)].map((a) => a.address);
  const subject = (mail?.subject ?? '').trim();
  const rawHtml = typeof mail?.html === 'string' ? mail.html : undefined;
  let fullText = (mail?.text ?? '').trim();
  if (!fullText && rawHtml) fullText = htmlToText(rawHtml, { wordwrap: false }).trim();
  if (!mail) fullText = source.subarray(0, 64 * 1024).toString('utf8');
  const { reply, quoted } = splitReply(fullText);
  const messageId = mail?.messageId ? bareId(mail.messageId) : undefined;
  const sentAt =
    mail?.date && !Number.isNaN(mail.date.getTime()) && mail.date.getTime() <= receivedAt.getTime() + 60_000 ? mail.date : receivedAt;
  const cids = new Set([...(rawHtml ?? '').matchAll(/cid:([^"'\s>)]+)/gi)].map((m) => (m[1] as string).toLowerCase()));
  const attachments: MailAttachment[] = (mail?.attachments ?? []).map((a, i) => ({
    name: a.filename || `attachment-${i + 1}`,
    mimeType: a.contentType || 'application/octet-stream',
    size: a.size ?? a.content.length,
    content: a.content,
    inline: Boolean(a.cid && cids.has(bareId(a.cid).toLowerCase())),
  }));
  return {
    messageId,
    dedupeKey: messageId ?? `sha256:${createHash('sha256').update(source).digest('hex')}`,
    from: from ? { address: from.address, name: from.name || undefined } : undefined,
    recipients,
    subject,
    reply,
    fullText,
    quoted,
    html: rawHtml ? sanitize(rawHtml) : undefined,
    answers: [...new Set([...messageIdsIn(mail?.inReplyTo), ...messageIdsIn(mail?.references)])],
    noise: classifyNoise(headers, from?.address, headers['content-type'] ?? '', supportAddress),
    sentAt,
    attachments,
    problems,
    headers,
  };
}
