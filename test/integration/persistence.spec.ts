import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource, TypeormJournal, TypeormMemoryStore } from '../../adapters/persistence/index.js';
import type { StoreOptions } from '../../adapters/persistence/data-source.js';
import type { JournalEntry } from '../../ports/journal.js';
import { freshPgDatabase, pgTestUrl } from '../support/pg-test-db.js';

// The same suite on a real SQLite file and on a real PostgreSQL server (a fresh database per test).
for (const backend of ['sqlite', 'postgres'] as const) {
  describe(
    backend === 'sqlite'
      ? 'persistence on a real SQLite file (TypeORM + better-sqlite3)'
      : 'persistence on a real PostgreSQL server (TypeORM + pg)',
    function () {
      this.timeout(60_000);
      let dir: string;
      let ds: DataSource;
      let options: StoreOptions;
      let pgDb: { url: string; drop(): Promise<void> } | null = null;

      beforeEach(async function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-db-'));
        if (backend === 'postgres') {
          pgDb = await freshPgDatabase(pgTestUrl(this));
          options = { driver: 'postgres', url: pgDb.url };
        } else {
          options = { driver: 'sqlite', file: path.join(dir, 'h.sqlite') };
        }
        ds = await createDataSource(options);
      });
      afterEach(async () => {
        if (ds?.isInitialized) await ds.destroy();
        await pgDb?.drop();
        pgDb = null;
        fs.rmSync(dir, { recursive: true, force: true });
      });

      const meta = (sessionId: string) => ({
        sessionId,
        mode: 'replay',
        strategy: 's',
        learner: 'none',
        seed: 1,
        config: { a: 1 },
        startedAt: 5,
        wallStartedAt: new Date().toISOString(),
      });
      const entry = (i: number, kind: JournalEntry['kind'] = 'order'): JournalEntry => ({
        kind,
        loopSeq: i,
        time: 1_700_000_000_000_000 + i,
        type: `t${i % 3}` as JournalEntry['type'],
        symbol: 'X',
        coid: `c${i}`,
        data: { i, price: 123_4567, nested: { b: 2, a: 1 } },
      });

      it('runs migrations on a fresh database (SQLite: in WAL mode), and again harmlessly on reopen', async () => {
        if (backend === 'sqlite') {
          const mode = (await ds.query('PRAGMA journal_mode')) as { journal_mode: string }[];
          expect(mode[0]!.journal_mode).to.equal('wal');
        }
        await ds.destroy();
        ds = await createDataSource(options);
        const migrations = (await ds.query('SELECT name FROM migrations')) as unknown[];
        expect(migrations).to.have.length(2);
      });

      it('round-trips appended rows in order across kinds and digests identical sessions identically', async () => {
        const journal = new TypeormJournal(ds);
        for (const id of ['a', 'b', 'c']) {
          await journal.openSession(meta(id));
          for (let i = 0; i < 1200; i++) journal.append(id, entry(i, i % 2 ? 'order' : 'decision'));
          if (id === 'c') journal.append(id, entry(9999));
          await journal.closeSession(id, { events: 1, orders: 1, fills: 0, trades: 0, netPnl: 0, endedAt: 9, status: 'completed' });
          await journal.closeSession(id, { events: 1, orders: 1, fills: 0, trades: 0, netPnl: 0, endedAt: 9, status: 'completed' });
        }
        const rows = await journal.entries('a');
        expect(rows).to.have.length(1200);
        expect(rows[0]).to.deep.equal(entry(0, 'decision'));
        expect(rows.map((r) => r.loopSeq)).to.deep.equal([...Array(1200).keys()]);
        expect(await journal.entries('a', { kind: 'order' })).to.have.length(600);
        expect(await journal.digest('a')).to.equal(await journal.digest('b'));
        expect(await journal.digest('a')).to.not.equal(await journal.digest('c'));
        const sessions = await journal.sessions();
        expect(sessions.map((s) => s.status)).to.deep.equal(['completed', 'completed', 'completed']);
      });

      it('refuses a second session under an id the store holds, and keeps the first one whole', async () => {
        const journal = new TypeormJournal(ds);
        await journal.openSession(meta('dup'));
        for (let i = 0; i < 5; i++) journal.append('dup', entry(i));
        await journal.closeSession('dup', { events: 5, orders: 5, fills: 0, trades: 0, netPnl: 0, endedAt: 9, status: 'completed' });
        const digest = await journal.digest('dup');
        // A second journal on the same store (another process, a later run) cannot reuse the id either.
        for (const j of [journal, new TypeormJournal(ds)]) {
          const e = await j.openSession(meta('dup')).then(
            () => null,
            (x: unknown) => x,
          );
          expect((e as { code?: string } | null)?.code, 'refused').to.equal('STORE.SESSION_EXISTS');
          expect(String((e as Error).message)).to.contain('dup');
        }
        expect(await journal.entries('dup')).to.have.length(5);
        expect(await journal.digest('dup')).to.equal(digest);
        expect((await journal.sessions()).map((x) => x.status)).to.deep.equal(['completed']);
      });

      it('memory: save, promote, roll back, quarantine a corrupt version, keep the last 10', async () => {
        const store = new TypeormMemoryStore(ds, { namespace: 'lmp', now: () => 42 });
        const events: string[] = [];
        store.on('memory.quarantined', (e) => events.push(`q${e.version}:${e.code}`));
        store.on('memory.pruned', (e) => events.push(`pruned:${e.versions.join(',')}`));
        expect(await store.loadLatest()).to.equal(null);
        const v1 = await store.save({ threshold: 0.2 });
        const v2 = await store.save({ threshold: 0.3 });
        expect(v1.ok && v2.ok).to.equal(true);
        await store.promote(1);
        await store.promote(2);
        expect((await store.loadLatest())?.content).to.deep.equal({ threshold: 0.3 });
        const rb = await store.rollback();
        expect(rb.ok && rb.value.version).to.equal(1);
        expect((await store.loadLatest())?.meta.version).to.equal(1);
        // A rolled-back version is rejected: it comes back only when forced.
        expect((await store.promote(2)).ok).to.equal(false);
        expect((await store.promote(2, { force: true })).ok).to.equal(true);
        await ds.query(`UPDATE hv_memory_versions SET content = '{"threshold":9}' WHERE version = 2`);
        const latest = await store.loadLatest();
        expect(latest?.meta.version).to.equal(1);
        expect(events).to.include('q2:MEMORY.CHECKSUM_MISMATCH');
        expect((await store.promote(2)).ok).to.equal(false);
        for (let i = 0; i < 12; i++) await store.save({ i });
        const list = await store.list();
        // 10 candidates plus the promotion history (v1, v2), kept apart.
        expect(list.length).to.be.at.most(12);
        expect(list[0]!.version).to.be.greaterThan(list[1]!.version);
        expect(list.some((m) => m.version === 1)).to.equal(true);
        expect(events.some((e) => e.startsWith('pruned:'))).to.equal(true);
        expect(list.every((m) => m.checksum.length === 64 && m.schemaVersion === 1)).to.equal(true);
      });
    },
  );
}
