import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freshPgDatabase, pgTestUrl } from '../support/pg-test-db.js';

const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin/harvester.js');
const e2e = path.join(repo, 'test/fixtures/configs/e2e.config.ts');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function harvester(args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function harvesterAsync(args: string[], cwd: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function lastJson(out: string): Record<string, unknown> {
  const lines = out.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

describe('harvester run on PostgreSQL (--db-url, real server)', function () {
  this.timeout(600_000);
  let dir: string;
  let server: string;
  const drops: Array<() => Promise<void>> = [];

  before(function () {
    server = pgTestUrl(this);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-pgrun-'));
  });
  after(async () => {
    for (const drop of drops) await drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the default run gives the same journalSha256 on PostgreSQL as on SQLite; the password is nowhere', async () => {
    const db = await freshPgDatabase(server);
    drops.push(db.drop);
    const password = new URL(db.url).password;
    const onSqlite = harvester(['run', '--json', '--config', path.join(repo, 'harvester.config.ts')], dir);
    expect(onSqlite.status, onSqlite.stderr).to.equal(0);
    const onPg = harvester(
      ['run', '--json', '--config', path.join(repo, 'harvester.config.ts'), '--db-url', db.url, '--log-level', 'debug'],
      dir,
    );
    expect(onPg.status, onPg.stderr).to.equal(0);
    const a = lastJson(onSqlite.stdout);
    const b = lastJson(onPg.stdout);
    expect(b.trades as number).to.be.greaterThan(0);
    expect(b.journalSha256).to.equal(a.journalSha256);
    expect(onPg.stdout + onPg.stderr).to.not.contain(password);

    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const rows = (
        await c.query<{ session_id: string; config: string; status: string }>('SELECT session_id, config, status FROM hv_sessions')
      ).rows;
      expect(rows.map((r) => r.session_id)).to.deep.equal([b.sessionId]);
      expect(rows[0]!.status).to.equal('completed');
      expect(rows[0]!.config).to.not.contain(password);
      const orders = (await c.query<{ n: string }>('SELECT count(*) AS n FROM hv_orders WHERE session_id = $1', [b.sessionId])).rows[0]!.n;
      expect(Number(orders)).to.be.greaterThan(0);
    } finally {
      await c.end();
    }

    const sessions = harvester(['sessions', '--config', path.join(repo, 'harvester.config.ts'), '--db-url', db.url], dir);
    expect(sessions.status, sessions.stderr).to.equal(0);
    expect(sessions.stdout).to.contain(String(b.sessionId)).and.contain('completed');
    const decisions = harvester(
      ['decisions', String(b.sessionId), '--config', path.join(repo, 'harvester.config.ts'), '--db-url', db.url, '--json'],
      dir,
    );
    expect(decisions.status, decisions.stderr).to.equal(0);
    expect(decisions.stdout.trim().split('\n').length).to.be.greaterThan(0);
  });

  it('two processes (different sessions) writing one fresh PostgreSQL database do not collide', async () => {
    const db = await freshPgDatabase(server);
    drops.push(db.drop);
    const env = (seed: string, sub: string): Record<string, string> => {
      fs.mkdirSync(path.join(dir, sub), { recursive: true });
      return { HV_TEST_DIR: path.join(dir, sub), HV_TEST_SEED: seed };
    };
    // Both start on an empty database at once: their migrations race unless serialised.
    const [p42, p43] = await Promise.all([
      harvesterAsync(['run', '--json', '--config', e2e, '--db-url', db.url], dir, env('42', 'a')),
      harvesterAsync(['run', '--json', '--config', e2e, '--db-url', db.url], dir, env('43', 'b')),
    ]);
    expect(p42.status, p42.stderr).to.equal(0);
    expect(p43.status, p43.stderr).to.equal(0);
    const s42 = harvester(['run', '--json', '--config', e2e], dir, env('42', 'c'));
    const s43 = harvester(['run', '--json', '--config', e2e], dir, env('43', 'd'));
    expect(s42.status, s42.stderr).to.equal(0);
    expect(s43.status, s43.stderr).to.equal(0);
    // Each concurrent session's journal is exactly what the same run writes alone on SQLite.
    expect(lastJson(p42.stdout).journalSha256).to.equal(lastJson(s42.stdout).journalSha256);
    expect(lastJson(p43.stdout).journalSha256).to.equal(lastJson(s43.stdout).journalSha256);
    expect(lastJson(p42.stdout).journalSha256).to.not.equal(lastJson(p43.stdout).journalSha256);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      // Each migration ran once (data-source.ts: one process at a time under the advisory lock), not once per process.
      const ran = (await c.query<{ name: string }>('SELECT name FROM migrations ORDER BY id')).rows.map((r) => r.name);
      expect(ran).to.deep.equal(['InitialSchema1732406400000', 'JournalKeyedByOrdinal1796342400000']);
      expect(
        Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM hv_sessions WHERE status = 'completed'`)).rows[0]!.n),
      ).to.equal(2);
    } finally {
      await c.end();
    }
  });

  it('a database that cannot be opened stops the run naming the url, password redacted', () => {
    const u = new URL(server);
    u.port = '1';
    u.password = 'not-the-password-xyz';
    const r = harvester(['run', '--json', '--config', e2e, '--db-url', u.toString()], dir, { HV_TEST_DIR: path.join(dir, 'e') });
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain('cannot open database').and.contain(`postgres://${u.username}:[redacted]@${u.hostname}:1`);
    expect(r.stdout + r.stderr).to.not.contain('not-the-password-xyz');
  });
});

describe('harvester --db-url refusals (no server needed)', function () {
  this.timeout(120_000);
  it('an unknown scheme is refused with the accepted forms, on run, sessions and decisions', () => {
    for (const args of [['run', '--json'], ['sessions'], ['decisions', 'x']]) {
      const r = harvester([...args, '--config', e2e, '--db-url', 'mysql://u:hunter22@h/db'], repo, {
        HV_TEST_DIR: path.join(os.tmpdir(), 'hv-refuse'),
      });
      expect(r.status, args[0]).to.equal(2);
      expect(r.stderr)
        .to.contain('STORE.URL_INVALID')
        .and.contain("unknown scheme 'mysql'")
        .and.contain('sqlite:///relative/path.sqlite')
        .and.contain('postgres://user:password@host:port/database');
      expect(r.stderr).to.not.contain('hunter22');
    }
  });
});
