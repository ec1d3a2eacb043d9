import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin/harvester.js');

describe('harvester sweep (CLI, piscina workers, whole engine per day)', function () {
  this.timeout(600_000);

  it('runs both arms on the same days and ends stdout with one JSON summary', () => {
    const r = spawnSync(process.execPath, [bin, 'sweep', '--seeds', '3..4', '--learning', 'both', '--signal', 'planted', '--json'], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 580_000,
    });
    expect(r.status, r.stderr).to.equal(0);
    const lines = r.stdout.trim().split('\n');
    expect(
      lines.some((l) => l.startsWith('learned ')),
      r.stdout,
    ).to.equal(true);
    const out = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    expect(out.seeds).to.equal('3..4');
    expect(out.signal).to.equal('planted');
    for (const arm of ['learned', 'static'] as const) {
      const a = out[arm] as Record<string, number>;
      for (const k of ['trades', 'expectancyR', 'ciLowR', 'ciHighR', 'winRate']) expect(a[k], `${arm}.${k}`).to.be.a('number');
      expect(a.ciLowR!).to.be.at.most(a.expectancyR!);
      expect(a.ciHighR!).to.be.at.least(a.expectancyR!);
      expect(a.trades).to.be.greaterThan(0);
    }
    for (const k of ['promotions', 'rejections', 'rollbacks']) expect(out[k], k).to.be.a('number');
  });

  it('--signal null runs the null market (no oracle: nothing observable carries its outcome)', () => {
    const r = spawnSync(process.execPath, [bin, 'sweep', '--seeds', '3..3', '--learning', 'off', '--signal', 'null', '--json'], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 580_000,
    });
    expect(r.status, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(out.signal).to.equal('null');
    expect(out.oracle).to.equal(null);
    expect((out.static as Record<string, number>).trades).to.be.a('number');
  });

  it('refuses a malformed --seeds, naming it', () => {
    const r = spawnSync(process.execPath, [bin, 'sweep', '--seeds', '9..3'], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).to.not.equal(0);
    expect(r.stderr + r.stdout).to.include('--seeds 9..3');
  });
});
