import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Received {
  channel: string;
  wallMs: number;
  body: string;
}

/**
 * Local stand-ins for the alert endpoints: one HTTP server answering the JSON and Slack webhooks and Telegram's
 * `sendMessage` (with `{ ok: true }`), and a real SMTP server (the smtp-server package) that accepts any mail.
 * `failFirst` makes the webhook answer 500 that many times first, to exercise retries.
 */
export async function startAlertFakes(o: { failFirst?: number } = {}) {
  const received: Received[] = [];
  let failures = o.failFirst ?? 0;
  const web = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      const channel = req.url?.startsWith('/bot') ? 'telegram' : req.url === '/slack' ? 'slack' : 'webhook';
      if (channel === 'webhook' && failures > 0) {
        failures--;
        res.writeHead(500).end('try later');
        return;
      }
      received.push({ channel, wallMs: Date.now(), body });
      res.writeHead(200, { 'content-type': 'application/json' }).end(channel === 'telegram' ? '{"ok":true,"result":{}}' : 'ok');
    });
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, cb) {
      let body = '';
      stream.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      stream.on('end', () => {
        received.push({ channel: 'smtp', wallMs: Date.now(), body });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const webPort = (web.address() as AddressInfo).port;
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  return {
    received,
    env: {
      HV_TEST_WEBHOOK_URL: `http://127.0.0.1:${webPort}/hook`,
      HV_TEST_SLACK_URL: `http://127.0.0.1:${webPort}/slack`,
      HV_TEST_TELEGRAM_BASE: `http://127.0.0.1:${webPort}`,
      HV_TEST_TELEGRAM_TOKEN: '123:test-token',
      HV_TEST_SMTP_PORT: String(smtpPort),
    },
    async waitFor(pred: (r: Received[]) => boolean, ms = 20_000): Promise<void> {
      const end = Date.now() + ms;
      while (!pred(received)) {
        if (Date.now() > end)
          throw new Error(
            `alert fakes: condition not met in ${ms} ms; received ` +
              `${JSON.stringify(received.map((r) => [r.channel, r.body.slice(0, 120)]))}`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close(): Promise<void> {
      await new Promise<void>((r) => web.close(() => r()));
      await new Promise<void>((r) => smtp.close(() => r()));
    },
  };
}
