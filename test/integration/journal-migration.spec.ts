import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { createDataSource, TypeormJournal } from '../../adapters/persistence/index.js';
import { entities, type StoreOptions } from '../../adapters/persistence/data-source.js';
import { JOURNAL_TABLES } from '../../adapters/persistence/entities/journal-row.entity.js';
import { InitialSchema1732406400000 } from '../../adapters/persistence/migrations/1732406400000-initial-schema.js';
import { JournalKeyedByOrdinal1796342400000 } from '../../adapters/persistence/migrations/1796342400000-journal-keyed-by-ordinal.js';
import { freshPgDatabase, pgTestUrl } from '../support/pg-test-db.js';

const COLS = '"session_id", "ordinal", "loop_seq", "time", "type", "symbol", "coid", "trade_id", "strategy_id", "data"';

// A store written by an earlier Harvester (the first schema only) opened by this one: the journal migration must
// keep every row, in order, on a real SQLite file and a real PostgreSQL server.
for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`journal migration 1796342400000 (keyed by session and ordinal) on ${backend}`, function () {
    this.timeout(60_000);
    let dir: string;
    let options: StoreOptions;
    let pgDb: { url: string; drop(): Promise<void> } | null = null;
    const open: DataSource[] = [];

    beforeEach(async function () {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hv-mig-'));
      if (backend === 'postgres') {
        pgDb = await freshPgDatabase(pgTestUrl(this));
        options = { driver: 'postgres', url: pgDb.url };
      } else {
        options = { driver: 'sqlite', file: path.join(dir, 'old.sqlite') };
      }
    });
    afterEach(async () => {
      for (const ds of open.splice(0)) if (ds.isInitialized) await ds.destroy();
      await pgDb?.drop();
      pgDb = null;
      fs.rmSync(dir, { recursive: true, force: true });
    });

    /** A DataSource that knows only the first schema, as the previous release shipped it. */
    async function firstSchemaStore(): Promise<DataSource> {
      const common = { entities, migrations: [InitialSchema1732406400000], synchronize: false, logging: false };
      const ds =
        backend === 'postgres'
          ? new DataSource({ type: 'postgres', url: options.url, ...common })
          : new DataSource({ type: 'better-sqlite3', database: options.file!, ...common });
      await ds.initialize();
      open.push(ds);
      await ds.runMigrations({ transaction: 'all' });
      return ds;
    }
    const p = (i: number) => (backend === 'postgres' ? `$${i}` : '?');
    const insertSql = (table: string) =>
      `INSERT INTO "${table}" (${COLS}) VALUES (${[...Array(10).keys()].map((i) => p(i + 1)).join(', ')})`;

    async function indexes(ds: DataSource, table: string): Promise<string[]> {
      const rows = (await ds.query(
        backend === 'postgres'
          ? `SELECT indexname AS name FROM pg_indexes WHERE tablename = $1 AND indexname LIKE 'ix_%'`
          : `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name LIKE 'ix_%'`,
        [table],
      )) as { name: string }[];
      return rows.map((r) => r.name).sort();
    }

    it('keeps every row in ordinal order, drops the surrogate id, keys and indexes as declared, and goes back down', async () => {
      const old = await firstSchemaStore();
      await old.query(
        `INSERT INTO "hv_sessions" ("session_id", "mode", "strategy", "learner", "seed", "config", "status", "started_at", "wall_started_at") ` +
          `VALUES (${[1, 2, 3, 4, 5, 6, 7, 8, 9].map(p).join(', ')})`,
        ['old', 'replay', 's', 'none', 1, '{}', 'completed', 5, '2026-12-01T00:00:00.000Z'],
      );
      // Written out of ordinal order, so the rowid order and the ordinal order differ.
      const ordinals = [3, 1, 4, 2, 6, 5];
      for (const o of ordinals) {
        await old.query(insertSql(o % 2 ? JOURNAL_TABLES.order : JOURNAL_TABLES.decision), [
          'old',
          o,
          o * 10,
          1_700_000_000_000_000 + o,
          `t${o}`,
          'X',
          `c${o}`,
          `tr${o % 3}`,
          'lmp',
          JSON.stringify({ o }),
        ]);
      }
      const before = await new TypeormJournal(old).entries('old');
      const digestBefore = await new TypeormJournal(old).digest('old');
      await old.destroy();

      const ds = await createDataSource(options);
      open.push(ds);
      const journal = new TypeormJournal(ds);
      const after = await journal.entries('old');
      expect(after.map((e) => e.loopSeq)).to.deep.equal([10, 20, 30, 40, 50, 60]);
      expect(after).to.deep.equal(before);
      expect(await journal.digest('old')).to.equal(digestBefore);
      expect(await journal.entries('old', { kind: 'decision', tradeId: 'tr1' })).to.have.length(1);
      expect((await ds.query('SELECT name FROM migrations')) as unknown[]).to.have.length(2);

      for (const table of Object.values(JOURNAL_TABLES)) {
        const columns = (await ds.query(
          backend === 'postgres'
            ? `SELECT column_name AS name FROM information_schema.columns WHERE table_name = $1`
            : `SELECT name FROM pragma_table_info(?)`,
          [table],
        )) as { name: string }[];
        expect(
          columns.map((c) => c.name),
          table,
        ).to.not.include('id');
        expect(await indexes(ds, table), table).to.deep.equal(table === JOURNAL_TABLES.decision ? [`ix_${table}_session_trade`] : []);
      }
      if (backend === 'sqlite') {
        const [t] = (await ds.query(`SELECT sql FROM sqlite_master WHERE name = ?`, [JOURNAL_TABLES.order])) as { sql: string }[];
        expect(t!.sql).to.match(/WITHOUT ROWID$/);
      }
      // The key is enforced by the database, not only by the journal's own ordinal counter.
      const dup = await ds.query(insertSql(JOURNAL_TABLES.order), ['old', 3, 0, 0, 't', null, null, null, null, '{}']).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(dup?.message ?? 'accepted').to.match(/UNIQUE|duplicate key/i);

      // And back: the first schema's layout, rows intact.
      const runner = ds.createQueryRunner();
      await new JournalKeyedByOrdinal1796342400000().down(runner);
      await runner.release();
      for (const table of Object.values(JOURNAL_TABLES)) {
        expect(await indexes(ds, table), table).to.deep.equal([`ix_${table}_session_ordinal`, `ix_${table}_session_trade`]);
      }
      const ids = (await ds.query(`SELECT "id", "ordinal" FROM "${JOURNAL_TABLES.order}" ORDER BY "ordinal"`)) as { id: number }[];
      expect(ids.map((r) => Number(r.id) > 0)).to.deep.equal([true, true, true]);
      expect((await ds.query(`SELECT COUNT(*) AS n FROM "${JOURNAL_TABLES.decision}"`))[0].n).to.satisfy((n: unknown) => Number(n) === 3);
    });
  });
}
