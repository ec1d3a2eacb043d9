import { expect } from 'chai';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin/harvester.js');
const config = 'test/fixtures/configs/learning.config.ts';

function harvester(args: string[], env: Record<string, string>, cfg = config): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args, '--config', cfg], {
    cwd: repo,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(r: { status: number | null; stdout: string; stderr: string }): string {
  expect(r.status, r.stderr).to.equal(0);
  return r.stdout;
}

describe('harvester memory … (CLI on a real SQLite file and memory folder)', function () {
  this.timeout(300_000);
  let dir: string;
  let env: Record<string, string>;
  let sessionId: string;
  let twinId: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-memcli-'));
    env = { HV_TEST_DIR: dir, HV_TEST_SEED: '42' };
    const lines = ok(harvester(['run', '--json'], env))
      .trim()
      .split('\n');
    sessionId = (JSON.parse(lines[lines.length - 1]!) as { sessionId: string }).sessionId;
    const twin = ok(harvester(['run', '--json'], env))
      .trim()
      .split('\n');
    twinId = (JSON.parse(twin[twin.length - 1]!) as { sessionId: string }).sessionId;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('build → ls → show → rebuild reproduces the checksum; promote, diff, rollback, a rejected version needs --force; export', () => {
    expect(ok(harvester(['memory', 'build', sessionId], env))).to.match(/^saved v1 /);
    expect(ok(harvester(['memory', 'build', sessionId, '--seed', '7'], env))).to.match(/^saved v2 /);
    const ls = ok(harvester(['memory', 'ls'], env))
      .trim()
      .split('\n');
    expect(ls.map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))).to.deep.equal(['v2 candidate', 'v1 candidate']);

    const shown = JSON.parse(ok(harvester(['memory', 'show', '1'], env))) as {
      meta: { checksum: string };
      content: { samples: { ids: string[] }; learners: { id: string }[]; sections: Record<string, unknown> };
    };
    expect(shown.content.learners.map((l) => l.id)).to.deep.equal(['meta-label', 'threshold-tuner', 'exec-memory']);
    expect(shown.content.samples.ids.every((id) => /^\d{17}:42:lmp:/.test(id))).to.equal(true);
    // One format with the session's pipeline: the take/skip model acts through `filter`, the others through sections.
    expect(Object.keys(shown.content.sections).sort()).to.deep.equal(['execution', 'thresholds']);
    expect(ok(harvester(['memory', 'rebuild', '1', '2'], env))).to.match(/v1 rebuilt[^\n]*reproduced\nv2 rebuilt[^\n]*reproduced/);

    ok(harvester(['memory', 'promote', '1'], env));
    ok(harvester(['memory', 'promote', '2'], env));
    const latest = JSON.parse(fs.readFileSync(path.join(dir, 'memory', 'default', 'memory_latest.json'), 'utf8')) as { version: number };
    expect(latest.version, 'memory_latest.json names the version in force').to.equal(2);
    expect(fs.existsSync(path.join(dir, 'memory', 'default', 'memory_versions', 'v000001.json'))).to.equal(true);
    const diff = harvester(['memory', 'diff', '1', '2'], env);
    expect(ok(diff)).to.match(/^~ seed: 42 → 7$/m);
    expect(ok(harvester(['memory', 'rollback'], env))).to.match(/v2 → v1/);
    expect(ok(harvester(['memory', 'ls'], env))).to.match(/^\* v1 /m);
    const refused = harvester(['memory', 'promote', '2'], env);
    expect(refused.status).to.not.equal(0);
    expect(refused.stderr).to.match(/MEMORY\.VERSION_REJECTED/);
    expect(ok(harvester(['memory', 'promote', '2', '--force'], env))).to.match(/promoted v2/);

    const out = path.join(dir, 'memory.json');
    ok(harvester(['memory', 'export', '--out', out], env));
    const exported = JSON.parse(fs.readFileSync(out, 'utf8')) as { versions: { meta: { version: number; checksum: string } }[] };
    expect(exported.versions.map((v) => v.meta.version)).to.deep.equal([2, 1]);
    expect(exported.versions[1]!.meta.checksum).to.equal(shown.meta.checksum);
  });

  it('rebuild fails with MEMORY.REBUILD_MISMATCH when a journaled sample no longer matches', () => {
    const db = new Database(path.join(dir, 'harvester.sqlite'));
    try {
      const row = db
        .prepare(`select ordinal, data from hv_training_samples where type = 'training.sample' and session_id = ? order by ordinal limit 1`)
        .get(sessionId) as { ordinal: number; data: string };
      const data = JSON.parse(row.data) as { label: { r: number } };
      data.label.r = data.label.r + 1;
      db.prepare('update hv_training_samples set data = ? where session_id = ? and ordinal = ?').run(
        JSON.stringify(data),
        sessionId,
        row.ordinal,
      );
    } finally {
      db.close();
    }
    const r = harvester(['memory', 'rebuild', '1'], env);
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.match(/MEMORY\.REBUILD_MISMATCH/);
  });

  it('an identical second run gives a memory with the same checksum (sample ids carry no session id)', () => {
    expect(twinId).to.not.equal(sessionId);
    const first = JSON.parse(ok(harvester(['memory', 'show', '1'], env))) as { meta: { checksum: string } };
    const saved = ok(harvester(['memory', 'build', twinId], env));
    const v = /^saved v(\d+) /.exec(saved)![1]!;
    const twin = JSON.parse(ok(harvester(['memory', 'show', v], env))) as { meta: { checksum: string } };
    expect(twin.meta.checksum).to.equal(first.meta.checksum);
  });

  it('rollback from the only promoted version returns to v0 (static LMP); one more is refused', () => {
    expect(ok(harvester(['memory', 'rollback'], env))).to.match(/v2 → v1$/m);
    expect(ok(harvester(['memory', 'rollback'], env))).to.match(/v1 → v0 \(static baseline\)$/m);
    expect(ok(harvester(['memory', 'ls'], env)), 'nothing marked in force').to.not.match(/^\*/m);
    const latest = JSON.parse(fs.readFileSync(path.join(dir, 'memory', 'default', 'memory_latest.json'), 'utf8')) as { version: number };
    expect(latest.version, 'memory_latest.json names the baseline').to.equal(0);
    const refused = harvester(['memory', 'rollback'], env);
    expect(refused.status).to.not.equal(0);
    expect(refused.stderr).to.match(/MEMORY\.NO_PREVIOUS_VERSION/);
  });
});

describe("versions the session's own pipeline saved are rebuilt byte for byte (E0, second half)", function () {
  this.timeout(300_000);
  const loop = 'test/fixtures/configs/learning-loop.config.ts';
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-memloop-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('three sessions with learning on; `memory rebuild` reproduces the checksum of every version the loop saved', () => {
    for (const seed of ['42', '43', '44']) ok(harvester(['run', '--json'], { HV_TEST_DIR: dir, HV_TEST_SEED: seed }, loop));
    const env = { HV_TEST_DIR: dir, HV_TEST_SEED: '42' };
    const ls = ok(harvester(['memory', 'ls'], env, loop))
      .trim()
      .split('\n')
      .filter((l) => l.trim() !== '');
    const listed = ls.map((l) => ({
      v: Number(/v(\d+)/.exec(l)![1]!),
      checksum: l
        .trim()
        .replace(/^\*\s*/, '')
        .split(/\s+/)[2]!,
    }));
    expect(listed.length, 'the pipeline saved versions').to.be.greaterThan(1);
    // One export and one `rebuild --all` instead of a show and a rebuild per version: the same checks, a CLI start each.
    const exported = JSON.parse(ok(harvester(['memory', 'export'], env, loop))) as {
      versions: { meta: { version: number; checksum: string }; content: { kind: string } }[];
    };
    expect(exported.versions.map((x) => x.meta.version).sort()).to.deep.equal(listed.map((x) => x.v).sort());
    for (const { v, checksum } of listed) {
      const shown = exported.versions.find((x) => x.meta.version === v)!;
      expect(shown.content.kind, `v${v} is in the loop's format`).to.equal('harvester.learning');
      expect(shown.meta.checksum.startsWith(checksum)).to.equal(true);
    }
    const rebuilt = ok(harvester(['memory', 'rebuild', '--all'], env, loop));
    for (const { meta } of exported.versions)
      expect(rebuilt, `v${meta.version}`).to.match(
        new RegExp(`v${meta.version} rebuilt from \\d+ journaled samples: checksum ${meta.checksum} reproduced`),
      );
  });
});
