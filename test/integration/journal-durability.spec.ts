import { expect } from 'chai';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource, TypeormJournal } from '../../adapters/persistence/index.js';
import { EventLoop } from '../../core/engine/event-loop.js';
import { GROUP_COMMIT_BOUND } from '../../core/engine/journal-durability.js';
import { JournalWriter } from '../../core/engine/journal-writer.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import { WallClock } from '../../adapters/system-clock/wall-clock.js';
import type { StoreOptions } from '../../adapters/persistence/data-source.js';
import { freshPgDatabase, pgCount, pgTestUrl } from '../support/pg-test-db.js';

const repo = path.resolve(import.meta.dirname, '../..');
const meta = (sessionId: string) => ({
  sessionId,
  mode: 'replay',
  strategy: 's',
  learner: 'none',
  seed: 1,
  config: {},
  startedAt: 0,
  wallStartedAt: '2024-03-14T13:30:00.000Z',
});

interface Backend {
  name: string;
  /** Open a store; returns its options and an out-of-band row counter. */
  open(
    ctx: Mocha.Context,
  ): Promise<{ options: StoreOptions; target: string; count(table: string, where?: string): Promise<number>; dispose(): Promise<void> }>;
}

const sqlite: Backend = {
  name: 'SQLite',
  open: async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-dur-'));
    const file = path.join(dir, 'h.sqlite');
    return {
      options: { driver: 'sqlite', file },
      target: file,
      count: async (table, where = '1=1') => {
        const db = new Database(file, { readonly: true });
        try {
          return (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;
        } finally {
          db.close();
        }
      },
      dispose: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  },
};

const postgres: Backend = {
  name: 'PostgreSQL',
  open: async (ctx) => {
    const db = await freshPgDatabase(pgTestUrl(ctx));
    return {
      options: { driver: 'postgres', url: db.url },
      target: db.url,
      count: (table, where = '1=1') => pgCount(db.url, `SELECT count(*) AS n FROM ${table} WHERE ${where}`),
      dispose: () => db.drop(),
    };
  },
};

for (const backend of [sqlite, postgres]) {
  describe(`journal durability contract on ${backend.name}`, function () {
    this.timeout(120_000);
    let store: Awaited<ReturnType<Backend['open']>>;
    let ds: DataSource | null = null;

    beforeEach(async function () {
      store = await backend.open(this);
    });
    afterEach(async () => {
      if (ds?.isInitialized) await ds.destroy();
      ds = null;
      await store?.dispose();
    });

    it('commits an order-path row before write() returns; market rows within the row and Clock-time bound', async () => {
      ds = await createDataSource(store.options);
      const journal = new TypeormJournal(ds);
      await journal.openSession(meta('s1'));
      const clock = new ManualClock(1_000_000);
      const writer = new JournalWriter(journal, 's1', new EventLoop(), clock);
      const bound = GROUP_COMMIT_BOUND.virtual;

      writer.write('decision', 'decision.entry', { n: 0 });
      expect(await store.count('hv_decisions'), 'a market row waits for its group').to.equal(0);
      writer.write('risk', 'risk.approved', { n: 1 });
      expect(await store.count('hv_risk_events'), 'order-path row committed at write').to.equal(1);
      expect(await store.count('hv_decisions'), 'the decision before it went with it (prefix)').to.equal(1);
      writer.write('order', 'order.requested', { n: 2 });
      writer.write('fill', 'order.filled', { n: 3 } as never);
      expect((await store.count('hv_orders')) + (await store.count('hv_fills'))).to.equal(2);

      writer.write('event', 'feed.stale', { n: 4 } as never);
      clock.advanceTo(1_000_000 + bound.clockUs - 1);
      expect(await store.count('hv_events'), 'before the time bound').to.equal(0);
      clock.advanceTo(1_000_000 + bound.clockUs);
      expect(await store.count('hv_events'), 'the Clock timer committed it at the bound').to.equal(1);

      for (let i = 0; i < bound.rows - 1; i++) writer.write('decision', 'decision.scan', { i });
      expect(await store.count('hv_decisions')).to.equal(1);
      writer.write('decision', 'decision.scan', { i: bound.rows });
      expect(await store.count('hv_decisions'), 'the row bound committed the group').to.equal(1 + bound.rows);
      await journal.close();
    });

    it('on the wall clock (paper, live) a lone market row is committed by the group timer, with no other write', async () => {
      ds = await createDataSource(store.options);
      const journal = new TypeormJournal(ds);
      await journal.openSession(meta('s3'));
      const writer = new JournalWriter(journal, 's3', new EventLoop(), new WallClock());
      writer.write('decision', 'decision.entry', { n: 0 });
      expect(await store.count('hv_decisions')).to.equal(0);
      // Poll (no assertion on how long it took): the row must appear without any further write or flush.
      let n = 0;
      for (let i = 0; i < 200 && n === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        n = await store.count('hv_decisions');
      }
      expect(n, `committed by the ${GROUP_COMMIT_BOUND.wall.clockUs / 1000} ms timer`).to.equal(1);
      await journal.close();
    });

    if (backend.name === 'PostgreSQL') {
      it('a commit that cannot reach the database throws STORE.COMMIT_FAILED naming the url, password redacted', async () => {
        ds = await createDataSource(store.options);
        const journal = new TypeormJournal(ds);
        await journal.openSession(meta('s2'));
        const writer = new JournalWriter(journal, 's2', new EventLoop(), new ManualClock(0));
        writer.write('risk', 'risk.approved', { n: 1 });
        const url = new URL(store.target);
        // Cut every other connection to this database server-side: the commit worker's among them.
        await ds.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
          url.pathname.slice(1),
        ]);
        let error: unknown;
        try {
          writer.write('order', 'order.requested', { n: 2 });
        } catch (e) {
          error = e;
        }
        expect((error as { code?: string }).code).to.equal('STORE.COMMIT_FAILED');
        expect((error as Error).message)
          .to.contain(`${url.username}:[redacted]@`)
          .and.not.contain(url.password);
        expect(await store.count('hv_orders')).to.equal(0);
        expect(await store.count('hv_risk_events')).to.equal(1);
        await journal.close().catch(() => {});
      });
    }

    it('a crash (SIGKILL) as the first order reaches the broker leaves its approval and request on disk', async () => {
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', path.join(repo, 'test/fixtures/crash/kill-at-first-submit.ts'), 'crash-1', store.target],
        {
          cwd: repo,
          encoding: 'utf8',
          timeout: 120_000,
          env: { ...process.env, HV_TEST_DIR: path.join(os.tmpdir(), 'hv-dur-data') },
        },
      );
      expect(child.signal, child.stderr).to.equal('SIGKILL');
      expect(child.stdout).to.contain('submitting');
      const approved = await store.count('hv_risk_events', `session_id = 'crash-1' AND type = 'risk.approved'`);
      const requested = await store.count('hv_orders', `session_id = 'crash-1' AND type = 'order.requested'`);
      expect(approved, 'risk.approved rows').to.be.greaterThan(0);
      expect(requested, 'order.requested rows').to.be.greaterThan(0);
    });
  });
}
