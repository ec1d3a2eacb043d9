import type { Transporter } from 'nodemailer';
import type { Alert, AlertChannel } from '../alert.js';
import { alertText } from '../alert.js';

export interface SmtpOptions {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  pass?: string;
  from: string;
  to: string | string[];
}

/**
 * E-mail over SMTP through nodemailer (STARTTLS when the server offers it; `secure` for implicit TLS). nodemailer is
 * loaded on the first alert, not when the CLI starts: most sessions configure no SMTP channel, and every command
 * paid its ~70 ms load (docs/operations.md#cli-start-up).
 */
export function smtpChannel(o: SmtpOptions): AlertChannel {
  let transport: Promise<Transporter> | null = null;
  const open = (): Promise<Transporter> =>
    (transport ??= import('nodemailer').then((m) =>
      m.default.createTransport({
        host: o.host,
        port: o.port,
        secure: o.secure,
        ...(o.user !== undefined ? { auth: { user: o.user, pass: o.pass ?? '' } } : {}),
        connectionTimeout: 5_000,
        greetingTimeout: 5_000,
        socketTimeout: 10_000,
      }),
    ));
  return {
    name: 'smtp',
    async send(alert: Alert): Promise<void> {
      const t = await open();
      await t.sendMail({ from: o.from, to: o.to, subject: `[Harvester ${alert.level}] ${alert.title}`, text: alertText(alert) });
    },
    async close(): Promise<void> {
      // A transport that never loaded has nothing to close; the failed send already reported why.
      if (transport !== null) (await transport.catch(() => null))?.close();
    },
  };
}
