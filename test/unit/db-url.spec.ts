import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinPlugins } from '../../adapters/cli/builtin-plugins.js';
import { openStore, withDbUrl } from '../../adapters/cli/open-store.js';
import { env } from '../../core/config/env-ref.js';
import { resolveConfig } from '../../core/config/resolve-config.js';
import { createDataSource } from '../../adapters/persistence/data-source.js';
import { parseDbUrl, redactDbUrl } from '../../adapters/persistence/db-url.js';
import { storeOptions } from '../../adapters/persistence/index.js';
import { HarvesterError } from '../../core/errors/harvester-error.js';

describe('database urls (--db-url, store.params.url)', () => {
  it('reads freqtrade-style SQLite urls: three slashes then the path, four for an absolute one', () => {
    expect(parseDbUrl('sqlite:///var/h.sqlite')).to.deep.equal({ driver: 'sqlite', file: 'var/h.sqlite' });
    expect(parseDbUrl('sqlite:////tmp/h.sqlite')).to.deep.equal({ driver: 'sqlite', file: '/tmp/h.sqlite' });
  });

  it('accepts postgres:// and postgresql:// with host and database', () => {
    expect(parseDbUrl('postgres://u:p@127.0.0.1:5432/hv')).to.deep.equal({ driver: 'postgres', url: 'postgres://u:p@127.0.0.1:5432/hv' });
    expect(parseDbUrl('postgresql://h/hv').driver).to.equal('postgres');
  });

  for (const bad of ['mysql://u:s3cret@h/db', 'h.sqlite', 'sqlite://h.sqlite', 'postgres://u:s3cret@h', 'postgres://u:s3cret@/db']) {
    it(`refuses ${bad.replace('s3cret', '…')} with the accepted forms, password redacted`, () => {
      let error: unknown;
      try {
        parseDbUrl(bad);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(HarvesterError);
      expect((error as HarvesterError).code).to.equal('STORE.URL_INVALID');
      expect((error as Error).message)
        .to.contain('sqlite:///relative/path.sqlite')
        .and.contain('postgres://user:password@host:port/database');
      expect((error as Error).message).to.not.contain('s3cret');
    });
  }

  it('redacts the password and nothing else', () => {
    expect(redactDbUrl('postgres://harvester:pa%40ss@127.0.0.1:5/hv?sslmode=disable')).to.equal(
      'postgres://harvester:[redacted]@127.0.0.1:5/hv?sslmode=disable',
    );
    expect(redactDbUrl('postgres://harvester@127.0.0.1/hv')).to.equal('postgres://harvester@127.0.0.1/hv');
    expect(redactDbUrl('sqlite:///var/h.sqlite')).to.equal('sqlite:///var/h.sqlite');
  });
});

describe('store url in config: env() and --db-url', () => {
  const input = (url: unknown) => ({
    mode: 'replay',
    seed: 1,
    session: { date: '2024-03-14', timeZone: 'America/New_York', start: '09:30', end: '10:00' },
    instruments: [{ symbol: 'HRVST', tick: 0.01 }],
    marketData: { use: 'replay', params: { generate: { symbol: 'HRVST' } } },
    broker: { use: 'simulated', params: {} },
    store: { use: 'typeorm', params: { url } },
    strategies: [{ use: 'example-imbalance-tick', params: { symbol: 'HRVST' } }],
  });

  it("store.params.url = env('NAME') opens that database; the stored config shows the name only", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-url-'));
    try {
      const file = path.join(dir, 'from-env.sqlite');
      const resolved = await resolveConfig(input(env('HV_TEST_DB_URL')), {
        builtins: await builtinPlugins(),
        baseDir: dir,
        env: { HV_TEST_DB_URL: `sqlite:///${file}` },
      });
      expect((resolved.store.params as { url: string }).url).to.equal(`sqlite:///${file}`);
      expect(JSON.stringify(resolved.redacted)).to.contain('env(HV_TEST_DB_URL)').and.not.contain('from-env.sqlite');
      const store = await openStore(resolved);
      await store.close?.();
      expect(fs.existsSync(file)).to.equal(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--db-url replaces the configured database, its password joins the scrubbed secrets and is redacted', async () => {
    const resolved = await resolveConfig(input('sqlite:///var/x.sqlite'), {
      builtins: await builtinPlugins(),
      baseDir: process.cwd(),
      env: {},
    });
    const over = withDbUrl(resolved, 'postgres://hv:s3cret-pw@127.0.0.1:5432/hv');
    expect(over.store.params).to.include({ driver: 'postgres', url: 'postgres://hv:s3cret-pw@127.0.0.1:5432/hv' });
    expect(over.secrets).to.include('s3cret-pw');
    expect(JSON.stringify(over.redacted)).to.contain('postgres://hv:[redacted]@127.0.0.1:5432/hv').and.not.contain('s3cret-pw');
    expect(() => withDbUrl(resolved, 'oracle://x/y')).to.throw(HarvesterError, /accepted forms/);
    expect(withDbUrl(resolved, undefined)).to.equal(resolved);
  });
});

describe('SQLite synchronous level per mode, and a file that is not a database', () => {
  const base = { file: 'x.sqlite', namespace: 'default', keepLast: 10, keepPromoted: 10 };
  it('FULL for paper and live, NORMAL for replay, overridable', async () => {
    expect(storeOptions(base, 'paper').synchronous).to.equal('FULL');
    expect(storeOptions(base, 'live').synchronous).to.equal('FULL');
    expect(storeOptions(base, 'replay').synchronous).to.equal('NORMAL');
    expect(storeOptions({ ...base, synchronous: 'FULL' }, 'replay').synchronous).to.equal('FULL');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-sync-'));
    try {
      const ds = await createDataSource({ ...storeOptions({ ...base, file: path.join(dir, 'p.sqlite') }, 'paper') });
      const rows = (await ds.query('PRAGMA synchronous')) as { synchronous: number }[];
      await ds.destroy();
      expect(rows[0]!.synchronous, 'FULL is 2').to.equal(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a file that is not a SQLite database is STORE.OPEN_FAILED naming it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-bad-'));
    try {
      const file = path.join(dir, 'garbage.sqlite');
      fs.writeFileSync(file, 'this is not a database, just text that is long enough to be read as a header'.repeat(20));
      let error: unknown;
      try {
        await createDataSource({ driver: 'sqlite', file });
      } catch (e) {
        error = e;
      }
      expect((error as HarvesterError).code).to.equal('STORE.OPEN_FAILED');
      expect((error as Error).message).to.contain(`sqlite:///${file}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
