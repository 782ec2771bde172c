import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';

/** A mail as a customer's client would write it (nodemailer's composer: real MIME, encoded headers). */
export async function composeMail(options: Mail.Options): Promise<Buffer> {
  return new MailComposer({ date: new Date(), ...options }).compile().build();
}

export const SUPPORT = 'support@shop.example';

/** A mail server relaying to the gateway's SMTP listener on loopback (plain SMTP, as an MTA on a private network). */
export const relayTo = (port: number) => nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
