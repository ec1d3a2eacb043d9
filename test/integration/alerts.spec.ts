import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alertsSchema } from '../../core/config/alerts-schema.js';
import { AlertDispatcher, type OutboxRecord } from '../../adapters/alerts/alert-dispatcher.js';
import { buildChannels } from '../../adapters/alerts/build-channels.js';
import { sendControlCommand, CONTROL_FILE } from '../../adapters/cli/control-socket.js';
import { startAlertFakes } from '../support/alert-fakes.js';
import { kill9, startHarvester, startVenue, writeConfig, type Child, type Venue } from './crash-drill/drill-harness.js';

/** Every channel pointed at the local fakes (`env` as startAlertFakes gives it); a fast retry and a 200 ms beat. */
function alertsBlock(env: Record<string, string>): string {
  return `alerts: {
    channels: [
      { type: 'webhook', url: { $env: 'HV_TEST_WEBHOOK_URL' }, shape: 'json', minLevel: 'critical' },
      { type: 'webhook', url: { $env: 'HV_TEST_SLACK_URL' }, shape: 'slack', minLevel: 'critical' },
      { type: 'telegram', baseUrl: '${env.HV_TEST_TELEGRAM_BASE}', token: { $env: 'HV_TEST_TELEGRAM_TOKEN' }, chatId: '4242', minLevel: 'critical' },
      { type: 'smtp', host: '127.0.0.1', port: ${env.HV_TEST_SMTP_PORT}, from: 'harvester@localhost', to: 'ops@localhost', minLevel: 'critical' },
    ],
    retryBaseMs: 50,
    deadMan: { intervalMs: 200, missAfterMs: 5000 },
  },`;
}

const alert = (over: Partial<Parameters<AlertDispatcher['raise']>[0]> = {}) => ({
  type: 'kill-switch' as const,
  level: 'critical' as const,
  key: 'HALT:test',
  title: 'Kill switch RUNNING → HALT: test',
  detail: 'forced',
  sessionId: 's-test',
  at: 0,
  raisedWallMs: Date.now(),
  ...over,
});

async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('alerts: channels, delivery and the dead-man switch', function () {
  this.timeout(120_000);

  it('delivers to every channel, retries a failing webhook with backoff, and journals each outcome in the outbox', async () => {
    const fakes = await startAlertFakes({ failFirst: 2 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-alerts-'));
    try {
      const cfg = alertsSchema.parse({
        retryBaseMs: 20,
        channels: [
          { type: 'webhook', url: fakes.env.HV_TEST_WEBHOOK_URL, minLevel: 'critical' },
          { type: 'webhook', url: fakes.env.HV_TEST_SLACK_URL, shape: 'slack' },
          { type: 'telegram', baseUrl: fakes.env.HV_TEST_TELEGRAM_BASE, token: 't0k3n', chatId: 7 },
          { type: 'smtp', host: '127.0.0.1', port: Number(fakes.env.HV_TEST_SMTP_PORT), from: 'hv@localhost', to: 'ops@localhost' },
        ],
      });
      const records: OutboxRecord[] = [];
      const outbox = path.join(dir, 'outbox.jsonl');
      const d = new AlertDispatcher(buildChannels(cfg), cfg, outbox, (r) => records.push(r));
      d.raise(alert());
      // raise only queues: nothing has been delivered when it returns.
      expect(fakes.received).to.have.length(0);
      d.raise(alert()); // a duplicate within the de-dup window
      d.raise(alert({ type: 'session', level: 'info', key: 'started', title: 'info only' })); // below every channel's level
      await d.close();
      expect(fakes.received.map((r) => r.channel).sort()).to.deep.equal(['slack', 'smtp', 'telegram', 'webhook']);
      expect(JSON.parse(fakes.received.find((r) => r.channel === 'webhook')!.body)).to.include({ type: 'kill-switch', level: 'critical' });
      expect(JSON.parse(fakes.received.find((r) => r.channel === 'slack')!.body).text).to.contain('HALT');
      expect(JSON.parse(fakes.received.find((r) => r.channel === 'telegram')!.body)).to.include({ chat_id: 7 });
      // The subject carries a non-ASCII arrow, so nodemailer sends it RFC 2047-encoded.
      const mail = fakes.received.find((r) => r.channel === 'smtp')!.body;
      expect(mail).to.match(/^Subject: .*Harvester.critical/m);
      expect(mail).to.contain('HALT');
      const hook = records.filter((r) => r.channel === 'webhook:json');
      expect(hook.map((r) => `${r.state}${r.attempt}`)).to.deep.equal(['failed1', 'failed2', 'sent3']);
      expect(records.filter((r) => r.state === 'suppressed')).to.have.length(1);
      const lines = fs
        .readFileSync(outbox, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as OutboxRecord);
      expect(lines.length).to.equal(records.length);
    } finally {
      await fakes.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an endpoint that is down is retried and given up on without holding anything up', async () => {
    const cfg = alertsSchema.parse({
      retries: 3,
      retryBaseMs: 10,
      channels: [{ type: 'webhook', url: 'http://127.0.0.1:9/nothing-listens' }],
    });
    const records: OutboxRecord[] = [];
    const d = new AlertDispatcher(buildChannels(cfg), cfg, null, (r) => records.push(r));
    d.raise(alert());
    expect(records.map((r) => r.state)).to.deep.equal(['raised']);
    await d.close();
    expect(records.map((r) => r.state)).to.deep.equal(['raised', 'failed', 'failed', 'failed']);
  });

  // A paper session against the fake TWS at its recording's wall-clock pace: it runs until the test kills it, and its
  // event loop is as idle as a real session's (a generated day played as fast as it can ends in seconds).
  describe('a paper session through the CLI', () => {
    let child: Child | undefined;
    let venue: Venue | undefined;
    let dir: string;
    afterEach(async () => {
      if (child !== undefined && child.proc.exitCode === null && child.proc.signalCode === null) await kill9(child);
      await venue?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('a forced HALT reaches the webhook, Slack, Telegram and SMTP fakes; a kill -9 is reported by the dead-man watcher', async () => {
      const fakes = await startAlertFakes();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-alerts-e2e-'));
      const data = path.join(dir, 'var');
      try {
        venue = await startVenue(dir, { seed: 6, minutes: 240, speed: 1 });
        child = startHarvester(writeConfig(dir, { port: venue.port, clientId: 32, extra: alertsBlock(fakes.env) }), [], fakes.env);
        const c = child;
        const stderr = (): string => c.err.join('');
        await until(
          () => fs.existsSync(path.join(data, CONTROL_FILE)) || c.proc.exitCode !== null,
          60_000,
          'the session to open its control socket',
        );
        expect(c.proc.exitCode, stderr()).to.equal(null);
        const haltSent = Date.now();
        const answer = await sendControlCommand({
          dataDir: data,
          command: { command: 'halt', operatorId: 'alert-spec', note: 'forced by the alert test' },
        });
        expect(answer.ok, JSON.stringify(answer)).to.equal(true);
        const isHalt = (body: string) => /HALT/.test(body);
        await fakes.waitFor((r) => ['webhook', 'slack', 'telegram', 'smtp'].every((c) => r.some((x) => x.channel === c && isHalt(x.body))));
        const latency = Object.fromEntries(
          ['webhook', 'slack', 'telegram', 'smtp'].map((c) => [
            c,
            fakes.received.find((x) => x.channel === c && isHalt(x.body))!.wallMs - haltSent,
          ]),
        );
        process.stdout.write(`      HALT → alert received (ms after the control command): ${JSON.stringify(latency)}\n`);
        const sentHalts = () =>
          fs
            .readFileSync(
              path.join(
                data,
                'alerts',
                fs.readdirSync(path.join(data, 'alerts')).find((f) => f.endsWith('.jsonl') && !f.includes('watch'))!,
              ),
              'utf8',
            )
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as OutboxRecord)
            .filter((r) => r.state === 'sent' && r.alert.type === 'kill-switch');
        // The SMTP outcome is written once the server has closed the transaction, a moment after the fake saw the mail.
        await until(() => sentHalts().length === 4, 10_000, 'four sent rows in the outbox');
        const outbox = sentHalts();
        expect(outbox.map((r) => r.channel).sort()).to.deep.equal(['smtp', 'telegram', 'webhook:json', 'webhook:slack']);
        process.stdout.write(
          `      delivery latency from raise (outbox, ms): ` +
            `${JSON.stringify(Object.fromEntries(outbox.map((r) => [r.channel, r.latencyMs])))}\n`,
        );

        const diedAlerts = () => fakes.received.filter((x) => x.channel === 'webhook' && /process-died/.test(x.body));
        expect(
          diedAlerts().map((x) => x.body),
          'a process-died alert before the kill',
        ).to.deep.equal([]);
        // The kill is measured against a watcher that is up (it loads the config first, a second or two).
        await until(() => fs.readdirSync(path.join(data, 'alerts')).some((f) => f.endsWith('.watcher.json')), 30_000, 'the watcher');
        const killed = Date.now();
        await kill9(c);
        await fakes.waitFor(() => diedAlerts().length > 0, 30_000);
        const died = diedAlerts()[0]!;
        process.stdout.write(
          `      kill -9 → process-died alert: ${died.wallMs - killed} ms (heartbeat every 200 ms, missed after 5000 ms)\n`,
        );
        expect(JSON.parse(died.body).detail).to.match(/process \d+ is gone/);
      } finally {
        await fakes.close();
      }
    });
  });
});
