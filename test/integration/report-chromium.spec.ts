import { expect } from 'chai';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { INKED_SHARE, launchChromium } from '../support/chromium.js';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin/harvester.js');
const config = 'test/fixtures/configs/e2e.config.ts';

function harvester(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const lastJson = (s: string) => JSON.parse(s.trim().split('\n').pop()!) as Record<string, unknown>;

describe('harvester report (LMP session → self-contained HTML, rendered in Chromium)', function () {
  this.timeout(300_000);
  let dir: string;
  let browser: Browser;
  let sessionId: string;
  let html: string;
  const env = () => ({ HV_TEST_DIR: dir, HV_TEST_SEED: '42', HV_TEST_STRATEGY: 'lmp', HV_TEST_END: '11:15' });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-report-'));
    const run = harvester(['run', '--json', '--config', config], env());
    expect(run.status, run.stderr).to.equal(0);
    sessionId = String(lastJson(run.stdout).sessionId);
    html = path.join(dir, 'report.html');
    const rep = harvester(['report', sessionId, '--config', config, '--out', html, '--json'], env());
    expect(rep.status, rep.stderr).to.equal(0);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('draws every chart and one book heatmap per trade, with no network and no script error', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1800 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(`file://${html}`);
    await page.waitForFunction(() => document.body.dataset.rendered !== undefined);
    const rendered = (await page.evaluate(() => document.body.dataset.rendered ?? '')).split(' ');
    const trades = await page.$$eval('#trades tr[data-trade]', (rows) => rows.map((r) => r.getAttribute('data-trade')));
    expect(errors).to.deep.equal([]);
    expect(requests).to.deep.equal([]);
    expect(trades.length).to.be.greaterThan(0);
    for (const id of ['chart-price', 'chart-equity', 'chart-r', 'chart-mae', 'chart-exits', ...trades.map((t) => `heat-${t}`)])
      expect(rendered, id).to.include(id);
    // Not blank: every canvas of the page carries ink (uPlot, Lightweight Charts and the heatmaps all draw on canvases).
    const inked = await page.$$eval(
      'canvas',
      (cs, fn) => cs.map((c) => (new Function(`return ${fn}`)() as (c: HTMLCanvasElement) => number)(c as HTMLCanvasElement)),
      INKED_SHARE,
    );
    expect(inked.filter((s) => s > 0.001).length, `inked canvases ${JSON.stringify(inked)}`).to.be.greaterThan(trades.length + 4);
    const shot = await page.screenshot({ fullPage: true });
    expect(shot.length).to.be.greaterThan(50_000);
    await page.close();
  });

  it("the numbers on the page are the journal's", async () => {
    const db = new Database(path.join(dir, 'harvester.sqlite'), { readonly: true });
    const count = (table: string, type: string) =>
      (db.prepare(`select count(*) n from ${table} where session_id = ? and type = ?`).get(sessionId, type) as { n: number }).n;
    const closed = (
      db.prepare(`select data from hv_trades where session_id = ? and type = 'trade.closed'`).all(sessionId) as { data: string }[]
    ).map((r) => JSON.parse(r.data) as { netPnl: number; grossPnl: number; tradeId: string });
    const submitted = count('hv_orders', 'order.submitted');
    const cancelled = count('hv_orders', 'order.cancelled');
    db.close();
    const page = await browser.newPage();
    await page.goto(`file://${html}`);
    const kpi = async (key: string) => page.$eval(`td[data-kpi="${key}"]`, (td) => td.textContent ?? '');
    const dollars = (m: number) => `$${(m / 10_000).toFixed(2)}`;
    expect(await kpi('netPnl')).to.equal(dollars(closed.reduce((s, t) => s + t.netPnl, 0)));
    expect(await kpi('grossPnl')).to.equal(dollars(closed.reduce((s, t) => s + t.grossPnl, 0)));
    expect(await kpi('ordersSent')).to.equal(String(submitted));
    expect(await kpi('ordersCancelled')).to.equal(String(cancelled));
    expect(await kpi('trades')).to.match(new RegExp(`^${closed.length} \\(`));
    const rows = await page.$$eval('#trades tr[data-trade]', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-trade'), tr.querySelector('[data-net]')?.textContent]),
    );
    expect(rows).to.deep.equal(closed.map((t) => [t.tradeId, (t.netPnl / 10_000).toFixed(2)]));
    await page.close();
  });

  it('export writes the audit tables as CSV and JSON lines, every journal row once', () => {
    const out = path.join(dir, 'exports');
    for (const format of ['csv', 'jsonl']) {
      const r = harvester(['export', sessionId, '--config', config, '--format', format, '--out', out], env());
      expect(r.status, r.stderr).to.equal(0);
    }
    const db = new Database(path.join(dir, 'harvester.sqlite'), { readonly: true });
    const n = (table: string) => (db.prepare(`select count(*) n from ${table} where session_id = ?`).get(sessionId) as { n: number }).n;
    const expected = { orders: n('hv_orders'), fills: n('hv_fills'), trades: n('hv_trades'), decisions: n('hv_decisions') };
    db.close();
    for (const [table, count] of Object.entries(expected)) {
      const jsonl = fs
        .readFileSync(path.join(out, `${sessionId}-${table}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean);
      expect(jsonl.length, table).to.equal(count);
      const csv = fs
        .readFileSync(path.join(out, `${sessionId}-${table}.csv`), 'utf8')
        .trim()
        .split('\n');
      expect(csv.length - 1, table).to.equal(count); // one line a row: JSON cells never hold a raw line break
      expect(new Set(csv[0]!.split(',')).size, `${table}: unique column names`).to.equal(csv[0]!.split(',').length);
    }
    const fill = JSON.parse(fs.readFileSync(path.join(out, `${sessionId}-fills.jsonl`), 'utf8').split('\n')[0]!);
    expect(fill.timeIso).to.match(/^2024-03-14T09:\d\d:\d\d\.\d{3}-04:00$/); // New York time, not UTC
    expect(harvester(['export', sessionId, '--config', config, '--format', 'xml'], env()).status).to.not.equal(0);
  });

  it('archive writes the day folder with a manifest that detects a changed file', () => {
    const root = path.join(dir, 'archive');
    const r = harvester(['archive', sessionId, '--config', config, '--out', root], env());
    expect(r.status, r.stderr).to.equal(0);
    const day = path.join(root, '2024-03-14', sessionId);
    const manifest = JSON.parse(fs.readFileSync(path.join(day, 'manifest.json'), 'utf8')) as { files: { file: string }[] };
    const names = manifest.files.map((f) => f.file);
    expect(names).to.include.members([
      'report.html',
      'session.json',
      `journal/${sessionId}-fills.jsonl`,
      `journal/${sessionId}-orders.jsonl`,
    ]);
    expect(names.some((n) => n.endsWith('.hrec'))).to.equal(true);
    expect(harvester(['archive', sessionId, '--verify', day], {}).status).to.equal(0);
    fs.appendFileSync(path.join(day, `journal/${sessionId}-fills.jsonl`), '{"forged":true}\n');
    const damaged = harvester(['archive', sessionId, '--verify', day], {});
    expect(damaged.status).to.equal(1);
    expect(damaged.stdout).to.contain('fills.jsonl: checksum differs');
  });

  it('--db-url names the database instead of the config (the default config points elsewhere)', () => {
    const r = harvester(
      [
        'report',
        sessionId,
        '--db-url',
        `sqlite:///${path.join(dir, 'harvester.sqlite')}`,
        '--no-market',
        '--json',
        '--out',
        path.join(dir, 'by-url.html'),
      ],
      {},
    );
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!).sessionId).to.equal(sessionId);
  });

  it('an unknown session exits non-zero naming it', () => {
    const r = harvester(['report', 'no-such-session', '--config', config], env());
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.contain('no-such-session');
  });
});
