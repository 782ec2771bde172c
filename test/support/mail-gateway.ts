import { freePort } from './dovecot';
import { TestGateway } from './gateway';
import { SUPPORT } from './mail';
import { SmtpSink } from './smtp-sink';

/** How the shop signs its mail. */
export const SHOP_SENDER = `Магазин «Квітка» <${SUPPORT}>`;

/** The settings of the gateway's own SMTP listener on loopback, which a relay (`relayTo(port)`) hands customers' mail to. */
export const smtpListener = (port: number) => ({ INBOUND_SMTP_PORT: String(port), INBOUND_SMTP_HOST: '127.0.0.1' });

/**
 * A gateway whose support mailbox runs over SMTP both ways on loopback: customers' mail comes in on its listener at
 * `port`, and what it sends lands in `sink`. `env` adds settings or replaces the mailbox's own. The caller closes both.
 */
export async function startMailGateway(env: Record<string, string> = {}): Promise<{ gw: TestGateway; sink: SmtpSink; port: number }> {
  const sink = await new SmtpSink().start();
  const port = await freePort();
  const gw = await TestGateway.start({ env: { SMTP_URL: sink.url, EMAIL_FROM: SHOP_SENDER, ...smtpListener(port), ...env } });
  return { gw, sink, port };
}
