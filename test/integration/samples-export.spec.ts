import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TrainingSample } from '../../ports/learner.js';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin/harvester.js');
const config = 'test/fixtures/configs/e2e.config.ts';

function harvester(args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('harvester samples export (CLI, real SQLite file)', function () {
  this.timeout(300_000);
  let dir: string;
  let env: Record<string, string>;
  let sessionId: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-samples-'));
    env = { HV_TEST_DIR: dir, HV_TEST_SEED: '42', HV_TEST_STRATEGY: 'lmp', HV_TEST_END: '11:15' };
    const run = harvester(['run', '--json', '--config', config], env);
    expect(run.status, run.stderr).to.equal(0);
    const lines = run.stdout.trim().split('\n');
    sessionId = (JSON.parse(lines[lines.length - 1]!) as { sessionId: string }).sessionId;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("exports the session's labelled samples as JSON lines and CSV, the same samples in both", () => {
    const j = harvester(['samples', 'export', sessionId, '--config', config, '--format', 'jsonl'], env);
    expect(j.status, j.stderr).to.equal(0);
    const samples = j.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TrainingSample);
    expect(samples.length).to.be.greaterThan(0);
    expect(new Set(samples.map((s) => s.sampleId)).size, 'unique ids').to.equal(samples.length);
    for (const s of samples) {
      expect(s.sessionId).to.equal(sessionId);
      expect(s.sampleId, 'decision time, seed, strategy, trigger: no session in the id').to.match(/^\d{17}:42:lmp:lmp-/);
      expect(s.features.length).to.equal(s.featureNames.length);
      expect(s.features.every(Number.isFinite), 'finite features').to.equal(true);
      expect(s.weight).to.equal(s.synthetic ? 0.5 : 1);
    }
    expect(
      samples.some((s) => s.synthetic),
      'ghost-labelled triggers',
    ).to.equal(true);
    expect(
      samples.some((s) => !s.synthetic && s.label.exitReason !== 'entry-unfilled'),
      'real closed trades',
    ).to.equal(true);

    const out = path.join(dir, 'samples.csv');
    const c = harvester(['samples', 'export', sessionId, '--config', config, '--format', 'csv', '--out', out], env);
    expect(c.status, c.stderr).to.equal(0);
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n');
    const header = rows[0]!.split(',');
    expect(header).to.include.members([
      'sampleId',
      'synthetic',
      'label.r',
      'label.mae',
      'label.mfe',
      'label.forced',
      'dec.imbalance',
      'tm3s.imbalance',
      'd1.imbalance',
      'p5s.markoutTicks',
    ]);
    expect(rows.length - 1, 'one CSV row per sample').to.equal(samples.length);
    const first = rows[1]!.split(',');
    expect(Number(first[header.indexOf('label.r')])).to.equal(samples[0]!.label.r);
    expect(Number(first[header.indexOf('dec.imbalance')])).to.equal(
      samples[0]!.features[samples[0]!.featureNames.indexOf('dec.imbalance')],
    );

    const real = harvester(['samples', 'export', sessionId, '--config', config, '--real-only'], env);
    expect(
      real.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as TrainingSample)
        .every((s) => !s.synthetic),
    ).to.equal(true);
  });

  it('refuses an unknown format, naming the option', () => {
    const r = harvester(['samples', 'export', sessionId, '--config', config, '--format', 'xml'], env);
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.match(/--format/);
  });
});
