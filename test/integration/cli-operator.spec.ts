import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin/harvester.js');
const config = 'test/fixtures/configs/e2e.config.ts';

function harvester(args: string[], env: Record<string, string> = {}, cwd = repo) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the CLI as an operator reads it', function () {
  this.timeout(300_000);
  let dir: string;
  let sessionId: string;
  let runStderr: string;
  const env = () => ({ HV_TEST_DIR: dir, HV_TEST_STRATEGY: 'lmp', HV_TEST_END: '11:15' });

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-cli-op-'));
    const r = harvester(['run', '--json', '--config', config, '--log-level', 'info'], env());
    expect(r.status, r.stderr).to.equal(0);
    sessionId = String(JSON.parse(r.stdout.trim().split('\n').pop()!).sessionId);
    runStderr = r.stderr;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("logs the session's life at --log-level info (closed trades with their net in dollars)", () => {
    expect(runStderr).to.match(/trade lmp-t\d+ closed at 09:\d\d:\d\d\.\d{3}: lmp-[a-z0-9-]+ net -?\$\d+\.\d\d/);
  });

  it('the session ends with an end-of-day reconciliation against the venue: every execution and commission agrees', () => {
    const r = harvester(['export', sessionId, '--config', config, '--format', 'jsonl', '--out', path.join(dir, 'x')], env());
    expect(r.status, r.stderr).to.equal(0);
    const rows = fs
      .readFileSync(path.join(dir, 'x', `${sessionId}-risk-events.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
    const eod = rows.filter((x) => x.type === 'reconciliation.end-of-day');
    expect(eod).to.have.length(1);
    const report = eod[0]!.data as { status: string; executions: { venue: number; journal: number } };
    expect(report.status).to.equal('clean');
    expect(report.executions.venue).to.be.greaterThan(0);
    expect(report.executions.venue).to.equal(report.executions.journal);
  });

  it("decisions: times in the session's zone, prices in dollars; an unknown session exits non-zero naming it", () => {
    const r = harvester(['decisions', sessionId, '--config', config], env());
    expect(r.status, r.stderr).to.equal(0);
    const entry = r.stdout.split('\n').find((l) => / entry → sent /.test(l))!;
    // The generated day opens at 09:30 New York (13:30 UTC): an entry in New York time starts with 09, 10 or 11.
    expect(entry).to.match(/^(09|10|11):\d\d:\d\d\.\d{3} HRVST entry → sent .*limit \$\d+\.\d\d stop \$\d+\.\d\d/);
    expect(entry).to.not.match(/limit \d{5,}/);
    const missing = harvester(['decisions', 'no-such-session', '--config', config], env());
    expect(missing.status).to.equal(2);
    expect(missing.stderr).to.contain("no session 'no-such-session'");
  });

  it('decisions --json | head -1 ends quietly (a closed pipe is not a failure)', () => {
    const r = spawnSync(
      'bash',
      ['-o', 'pipefail', '-c', `"${process.execPath}" "${bin}" decisions ${sessionId} --config ${config} --json | head -1`],
      { cwd: repo, env: { ...process.env, ...env() }, encoding: 'utf8' },
    );
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.not.match(/EPIPE|Error/);
    expect(JSON.parse(r.stdout.trim())).to.have.property('type');
  });

  it('sessions prints a header line', () => {
    const r = harvester(['sessions', '--config', config], env());
    expect(r.stdout.split('\n')[0]).to.match(/^SESSION\s+MODE\s+STRATEGY\s+STATUS\s+STARTED/);
    expect(r.stdout).to.contain(sessionId);
  });

  it('init strategy refuses a bad name and a built-in id, with a message and no stack trace', () => {
    const bad = harvester(['init', 'strategy', 'My_Strat', '--dir', dir]);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.contain("e.g. 'my-strat'");
    expect(bad.stderr).to.not.match(/unexpected failure|\n\s+at /);
    const taken = harvester(['init', 'strategy', 'lmp', '--dir', dir]);
    expect(taken.status).to.equal(2);
    expect(taken.stderr).to.contain("'lmp' is a built-in plugin id");
    expect(fs.existsSync(path.join(dir, 'lmp'))).to.equal(false);
  });

  it('a wall-clock session whose window has passed says so before it starts', () => {
    const r = harvester(['run', '--config', 'test/fixtures/configs/sim-live.config.ts', '--json'], {
      HV_TEST_DIR: path.join(dir, 'late'),
    });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/the session window 2024-03-14 09:30–12:00 America\/New_York has already passed/);
  });

  it('the shipped paper example validates', () => {
    const r = harvester(['config', 'check', '--config', 'examples/paper.config.ts'], { TWS_ACCOUNT: 'DU0000001' });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('mode paper');
    expect(r.stdout).to.not.contain('DU0000001');
  });
});
