import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';

/** A mail as a customer's client would write it (nodemailer's composer: real MIME, encoded headers). */
export async function composeMail(options: Mail.Options): Promise<Buffer> {
  return new MailComposer({ date: new Date(), ...options }).compile().build();
}

export const SUPPORT = 'support@shop.example';
