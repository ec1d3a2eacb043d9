import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin/harvester.js');
const config = 'test/fixtures/configs/e2e.config.ts';

function harvester(args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

describe('harvester run (end to end through the CLI, real SQLite file)', function () {
  this.timeout(300_000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-run-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('trades a generated session, deterministically per seed', () => {
    const a = harvester(['run', '--json', '--config', config], { HV_TEST_DIR: dir, HV_TEST_SEED: '42' });
    expect(a.status, a.stderr).to.equal(0);
    const first = lastJson(a.stdout);
    for (const key of [
      'sessionId',
      'mode',
      'strategy',
      'learner',
      'events',
      'orders',
      'fills',
      'trades',
      'netPnl',
      'elapsedMs',
      'eventsPerSec',
      'journalSha256',
    ]) {
      expect(first, key).to.have.property(key);
    }
    expect(first.events as number).to.be.greaterThan(10_000);
    expect(first.orders as number).to.be.greaterThan(0);
    expect(first.fills as number).to.be.greaterThan(0);
    expect(fs.existsSync(path.join(dir, 'harvester.sqlite'))).to.equal(true);

    const again = lastJson(harvester(['run', '--json', '--config', config], { HV_TEST_DIR: dir, HV_TEST_SEED: '42' }).stdout);
    expect(again.sessionId).to.not.equal(first.sessionId);
    expect(again.journalSha256).to.equal(first.journalSha256);

    const other = lastJson(harvester(['run', '--json', '--config', config], { HV_TEST_DIR: dir, HV_TEST_SEED: '43' }).stdout);
    expect(other.journalSha256).to.not.equal(first.journalSha256);
  });

  it('the default harvester.config.ts trades LMP on the generated day', () => {
    // Run from an empty folder so the default's relative SQLite path lands there, not in the repository.
    const r = spawnSync(process.execPath, [bin, 'run', '--json', '--config', path.join(repo, 'harvester.config.ts')], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(r.status, r.stderr).to.equal(0);
    const out = lastJson(r.stdout);
    expect(out.strategy).to.equal('lmp');
    expect(out.trades as number).to.be.greaterThan(0);
    expect(fs.existsSync(path.join(dir, 'var/harvester.sqlite'))).to.equal(true);
  });

  it('config check exits non-zero naming the bad path', () => {
    const bad = path.join(dir, 'bad.config.ts');
    fs.writeFileSync(
      bad,
      `export default { mode: 'replay', marketData: { use: 'replay', params: {} }, broker: { use: 'simulated', params: { latencyUs: -1 } }, store: { use: 'typeorm', params: {} }, strategies: [{ use: 'example-imbalance-tick', params: { symbol: 'X', quantity: 'ten' } }] };\n`,
    );
    const r = harvester(['config', 'check', '--config', bad], {});
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.match(/broker\.params\.latencyUs|strategies\[0\]\.params\.quantity/);
  });

  it('refuses mode live without arming, before connecting', () => {
    const live = path.join(dir, 'live.config.ts');
    fs.writeFileSync(
      live,
      `export default { mode: 'live', instruments: [{ symbol: 'X' }], marketData: { use: 'replay', params: { generate: {} } }, broker: { use: 'simulated', params: {} }, store: { use: 'typeorm', params: { file: '${dir}/live.sqlite' } }, strategies: [{ use: 'example-imbalance-tick', params: { symbol: 'X' } }] };\n`,
    );
    const r = harvester(['run', '--config', live], {});
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.contain('LIVE_NOT_ARMED');
    expect(fs.existsSync(path.join(dir, 'live.sqlite'))).to.equal(false);
  });
});
