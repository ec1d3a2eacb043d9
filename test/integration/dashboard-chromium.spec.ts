import { expect } from 'chai';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { kill9, startHarvester, startVenue, writeConfig, type Child, type Venue } from './crash-drill/drill-harness.js';

function request(
  url: string,
  o: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: o.method ?? 'GET', headers: o.headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The session is paper trading against the fake TWS at the wall-clock pace of its recording, so it runs until this
 * test stops it with SIGINT: a session that plays a generated day as fast as it can ends in seconds, and the page
 * test raced that end (the pause click lost to it in CI).
 */
describe('the live dashboard and metrics (a running session, real Chromium)', function () {
  this.timeout(180_000);
  let dir: string;
  let venue: Venue | undefined;
  let child: Child;
  let browser: Browser | undefined;
  let url: string;
  let base: string;
  let token: string;
  const stderr = (): string => child.err.join('');
  const exited = (): boolean => child.proc.exitCode !== null || child.proc.signalCode !== null;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-dash-'));
    venue = await startVenue(dir, { seed: 5, minutes: 240, speed: 1 });
    child = startHarvester(writeConfig(dir, { port: venue.port, clientId: 31 }), ['--dashboard', '--metrics']);
    const urlFile = path.join(dir, 'var', 'dashboard.url');
    await until(() => fs.existsSync(urlFile) || exited(), 90_000, 'the dashboard URL file');
    expect(exited(), stderr()).to.equal(false);
    url = fs.readFileSync(urlFile, 'utf8').trim();
    expect((fs.statSync(urlFile).mode & 0o777).toString(8)).to.equal('600');
    base = url.replace(/\?token=.*/, '');
    token = new URL(url).searchParams.get('token')!;
    expect(stderr()).to.not.contain(token);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    if (child !== undefined && !exited()) await kill9(child);
    await venue?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a request without the token (401), under another Host name (403), and a change from another Origin (403)', async () => {
    expect((await request(`${base}api/state`)).status).to.equal(401);
    expect((await request(`${base}api/state`, { headers: { authorization: 'Bearer nope' } })).status).to.equal(401);
    expect((await request(`${base}`, { headers: { host: 'attacker.example:80' } })).status).to.equal(403);
    const post = (origin?: string) =>
      request(`${base}api/control`, {
        method: 'POST',
        body: '{"command":"halt"}',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(origin ? { origin } : {}) },
      });
    expect((await post()).status).to.equal(403);
    expect((await post('http://evil.example')).status).to.equal(403);
    const ok = await request(`${base}api/state`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).to.equal(200);
    expect(JSON.parse(ok.body).killSwitch.state).to.equal('RUNNING');
  });

  it('serves Prometheus metrics: _total counters, session gauges and the event-loop lag', async () => {
    await until(() => /metrics on (http:\S+)/.test(stderr()), 30_000, 'the metrics URL');
    const metricsUrl = /metrics on (http:\S+)/.exec(stderr())![1]!;
    const r = await request(metricsUrl);
    expect(r.status).to.equal(200);
    for (const name of [
      'harvester_orders_submitted_total',
      'harvester_decisions_total',
      'harvester_kill_switch_state',
      'harvester_broker_connected',
      'harvester_pnl_daily_usd',
      'harvester_process_nodejs_eventloop_lag_seconds',
    ]) {
      expect(r.body, name).to.match(new RegExp(`^${name}\\{[^}]*session="[^"]+"[^}]*\\} `, 'm'));
    }
    expect(r.body).to.match(/^harvester_kill_switch_state\{[^}]*\} 0$/m);
    expect(r.body).to.match(/^harvester_broker_connected\{[^}]*\} 1$/m);
  });

  it('shows the state, and a click on pause pauses the session through the journaled operator path', async () => {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);
    expect(page.url()).to.equal(base); // the token moved from the URL into the cookie
    await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
    expect(await page.textContent('#state')).to.equal('RUNNING');
    expect(await page.$$eval('#data tr', (r) => r.length)).to.be.greaterThan(1);
    await page.click('#btn-pause');
    await page.waitForSelector('#msg[data-last="pause:ok"]', { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('#reason')?.getAttribute('data-paused')?.includes('*'), null, {
      timeout: 30_000,
    });
    expect(errors).to.deep.equal([]);
    await page.close();
    expect(exited(), stderr()).to.equal(false);
    // The orderly stop (exit 130, status 'stopped'); the pause it journaled is in the file.
    child.proc.kill('SIGINT');
    const end = await child.exited;
    expect(end.code, stderr()).to.equal(130);
    const db = new Database(path.join(dir, 'journal.sqlite'), { readonly: true });
    const rows = db.prepare(`select data from hv_risk_events where type = 'operator.pause'`).all() as { data: string }[];
    const status = db.prepare(`select status from hv_sessions`).all() as { status: string }[];
    db.close();
    expect(rows.map((r) => JSON.parse(r.data).operatorId)).to.deep.equal(['dashboard']);
    expect(status.map((r) => r.status)).to.deep.equal(['stopped']);
  });
});
