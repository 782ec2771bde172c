/**
 * Our own Message-IDs and reply addresses carry the customer's thread token, so a reply finds its conversation even
 * from another address or a client that rewrites the subject: `<msg.<our message id>.<token>@<support domain>>` and
 * `reply+<token>@<support domain>`. Tokens are random (see threads.ts), never derived from the address.
 */
/** Lower-case letters and digits: some mail servers lower-case the local part of an address. */
export const TOKEN = /^[a-z0-9]{16}$/;

export const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

export function ourMessageId(messageId: string, token: string, domain: string): string {
  return `<msg.${messageId}.${token}@${domain}>`;
}

/** `<a@b>` → `a@b`; ids are compared without their brackets. */
export const bareId = (id: string): string => id.trim().replace(/^<+/, '').replace(/>+$/, '');

/** Every Message-ID in an `In-Reply-To` or `References` value (mailparser gives a string or a list of strings). */
export function messageIdsIn(value: string | string[] | undefined): string[] {
  const text = Array.isArray(value) ? value.join(' ') : (value ?? '');
  return [...text.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1] as string);
}

/** The thread token inside one of our own Message-IDs, when `id` is one (of our domain). */
export function tokenOfMessageId(id: string, domain: string): string | undefined {
  const match = /^msg\.[^.@]+\.([^.@]+)@(.+)$/.exec(bareId(id));
  if (!match || match[2]?.toLowerCase() !== domain) return undefined;
  const token = match[1]?.toLowerCase() ?? '';
  return TOKEN.test(token) ? token : undefined;
}

export function replyAddress(token: string, supportAddress: string): string {
  const at = supportAddress.lastIndexOf('@');
  return `${supportAddress.slice(0, at)}+${token}@${supportAddress.slice(at + 1)}`;
}

/** The token of a `support+<token>@domain` (or `reply+<token>@domain`) recipient of our support domain. */
export function tokenOfAddress(address: string, supportAddress: string): string | undefined {
  const match = /^([^+@]+)\+([^@]+)@(.+)$/.exec(address.trim().toLowerCase());
  if (!match || match[3] !== domainOf(supportAddress)) return undefined;
  return TOKEN.test(match[2] ?? '') ? match[2] : undefined;
}

/** Whether a recipient is the support mailbox itself or one of its plus addresses. */
export function isSupportRecipient(address: string, supportAddress: string): boolean {
  const normalized = address.trim().toLowerCase();
  if (normalized === supportAddress) return true;
  const at = supportAddress.lastIndexOf('@');
  return normalized.startsWith(`${supportAddress.slice(0, at)}+`) && normalized.endsWith(supportAddress.slice(at));
}

const REPLY_PREFIX = /^\s*((re|fwd?|aw|wg|sv|vs|antw|відп|відповідь|пер|ответ|на)\s*(\[\d+\])?\s*:\s*)+/i;

/** The subject without its `Re:`/`Fwd:`/`Відп:` prefixes. */
export const baseSubject = (subject: string): string => subject.replace(REPLY_PREFIX, '').trim();
