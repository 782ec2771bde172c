import nodemailer from 'nodemailer';
import type { AlertMailer } from '../automations';

/** Alert digests out through the support mailbox's SMTP server (SMTP_URL, EMAIL_FROM). */
export function createAlertMailer(smtpUrl: string, from: string | undefined): AlertMailer & { close(): void } {
  const transport = nodemailer.createTransport(smtpUrl);
  const sender = from ?? `Inbox alerts <alerts@${new URL(smtpUrl).hostname || 'localhost'}>`;
  return {
    async send(mail) {
      await transport.sendMail({ from: sender, to: [...mail.to], subject: mail.subject, text: mail.text });
    },
    close: () => transport.close(),
  };
}
