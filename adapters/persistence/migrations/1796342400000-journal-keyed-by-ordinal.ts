import type { MigrationInterface, QueryRunner } from 'typeorm';
import { JOURNAL_TABLES } from '../entities/journal-row.entity.js';

/**
 * The journal columns after the surrogate `id`, in the order the first schema declared them. Spelled out here rather
 * than taken from commit-sink.ts's JOURNAL_COLUMNS: a migration describes the schema as it stood when it was written.
 */
const COLUMNS = ['session_id', 'ordinal', 'loop_seq', 'time', 'type', 'symbol', 'coid', 'trade_id', 'strategy_id', 'data'];
const LIST = COLUMNS.map((c) => `"${c}"`).join(', ');
const COLUMN_SQL =
  '"session_id" varchar(64) NOT NULL, "ordinal" integer NOT NULL, "loop_seq" integer NOT NULL, "time" bigint NOT NULL, ' +
  '"type" varchar(64) NOT NULL, "symbol" varchar(32), "coid" varchar(96), "trade_id" varchar(96), ' +
  '"strategy_id" varchar(96), "data" text NOT NULL';

/** The one journal table read by trade (`harvester decisions --trade`). */
const TRADE_INDEXED = JOURNAL_TABLES.decision;
const tradeIndex = (table: string) => `CREATE INDEX "ix_${table}_session_trade" ON "${table}" ("session_id", "trade_id")`;

/**
 * Journal rows keyed by what identifies them, `(session_id, ordinal)`, and indexed only where something reads by
 * another column. Every order-path row is one commit on the event loop's path to the broker, and on SQLite each
 * commit writes every B-tree page the insert touched: the rowid table, the `sqlite_sequence` row AUTOINCREMENT keeps,
 * the ordinal index and the per-trade index. A `WITHOUT ROWID` table clustered on the key is one tree for the row and
 * its ordinal lookup. The per-trade index stays on `hv_decisions` alone: the only read by trade is
 * `harvester decisions --trade`, and decision rows are group-committed, so their index costs no order-path commit.
 * A per-trade read of another kind is a range scan of one session's rows on the key. A commit then writes one
 * B-tree page instead of four (bench/RESULTS.md, "The journal keyed by its ordinal"). On PostgreSQL the key replaces
 * the `id` primary key and the ordinal index. The key is unique, so two rows with one ordinal in one session (which
 * `TypeormJournal` already refuses) cannot be stored. Rows are copied, never dropped; the ordinal already held their
 * order, so reads and `journalSha256` are unchanged.
 */
export class JournalKeyedByOrdinal1796342400000 implements MigrationInterface {
  name = 'JournalKeyedByOrdinal1796342400000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of Object.values(JOURNAL_TABLES)) {
      if (q.connection.driver.options.type === 'postgres') {
        await q.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${await primaryKeyName(q, table)}"`);
        await q.query(`ALTER TABLE "${table}" DROP COLUMN "id"`);
        await q.query(`ALTER TABLE "${table}" ADD CONSTRAINT "pk_${table}" PRIMARY KEY ("session_id", "ordinal")`);
        await q.query(`DROP INDEX "ix_${table}_session_ordinal"`);
        if (table !== TRADE_INDEXED) await q.query(`DROP INDEX "ix_${table}_session_trade"`);
      } else {
        // SQLite cannot change a table's key in place: build the keyed table, copy, swap.
        await q.query(`CREATE TABLE "${table}_keyed" (${COLUMN_SQL}, PRIMARY KEY ("session_id", "ordinal")) WITHOUT ROWID`);
        await q.query(`INSERT INTO "${table}_keyed" (${LIST}) SELECT ${LIST} FROM "${table}"`);
        await q.query(`DROP TABLE "${table}"`);
        await q.query(`ALTER TABLE "${table}_keyed" RENAME TO "${table}"`);
        if (table === TRADE_INDEXED) await q.query(tradeIndex(table));
      }
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of Object.values(JOURNAL_TABLES)) {
      if (q.connection.driver.options.type === 'postgres') {
        await q.query(`ALTER TABLE "${table}" DROP CONSTRAINT "pk_${table}"`);
        await q.query(`ALTER TABLE "${table}" ADD COLUMN "id" SERIAL`);
        await q.query(`ALTER TABLE "${table}" ADD CONSTRAINT "pk_${table}_id" PRIMARY KEY ("id")`);
      } else {
        await q.query(`CREATE TABLE "${table}_rowid" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, ${COLUMN_SQL})`);
        await q.query(`INSERT INTO "${table}_rowid" (${LIST}) SELECT ${LIST} FROM "${table}" ORDER BY "session_id", "ordinal"`);
        await q.query(`DROP TABLE "${table}"`);
        await q.query(`ALTER TABLE "${table}_rowid" RENAME TO "${table}"`);
      }
      if (q.connection.driver.options.type !== 'postgres' || table !== TRADE_INDEXED) await q.query(tradeIndex(table));
      await q.query(`CREATE INDEX "ix_${table}_session_ordinal" ON "${table}" ("session_id", "ordinal")`);
    }
  }
}

/** The first schema's primary key on PostgreSQL carries a name TypeORM derived; read it rather than re-derive it. */
async function primaryKeyName(q: QueryRunner, table: string): Promise<string> {
  const rows = (await q.query(`SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'p'`, [`"${table}"`])) as {
    conname: string;
  }[];
  if (rows.length !== 1) throw new Error(`${table}: expected one primary key, found ${rows.length}`);
  return rows[0]!.conname;
}
