import type { DataSource } from 'typeorm';
import { JOURNAL_TABLES } from './entities/journal-row.entity.js';
import { JOURNAL_COLUMNS, rowValues, type CommitSink, type PendingRow } from './commit-sink.js';

interface Statement {
  run(...params: unknown[]): unknown;
}
/** The parts of better-sqlite3's connection Harvester uses directly. */
export interface SqliteHandle {
  prepare(sql: string): Statement;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  exec(sql: string): void;
  pragma(sql: string): unknown;
}

/** The better-sqlite3 connection under a TypeORM `better-sqlite3` DataSource (one per file). */
export function sqliteHandle(ds: DataSource): SqliteHandle {
  return (ds.driver as unknown as { databaseConnection: SqliteHandle }).databaseConnection;
}

/**
 * Synchronous commits on the better-sqlite3 connection TypeORM opened (one connection per file, so the journal
 * and TypeORM's own writes never wait on each other's locks). better-sqlite3 runs a statement to completion on
 * the calling thread, so a commit is a plain call and replay stays deterministic. Durable against what the
 * connection's `synchronous` pragma promises (data-source.ts).
 *
 * Known limit: if a TypeORM transaction on this connection is open at that moment (TypeORM's async writes — the
 * memory store's save/promote — span microtasks), better-sqlite3 nests the commit as a savepoint, so the rows are
 * durable only when that transaction commits. The engine's own writes never do this; memory writes during a
 * session should go through a synchronous path too.
 */
export class SqliteCommitSink implements CommitSink {
  readonly ready = Promise.resolve();
  private readonly insert = new Map<string, Statement>();
  private readonly run: (rows: readonly PendingRow[]) => void;

  constructor(ds: DataSource) {
    const db = sqliteHandle(ds);
    const marks = JOURNAL_COLUMNS.map(() => '?').join(', ');
    for (const table of Object.values(JOURNAL_TABLES)) {
      this.insert.set(table, db.prepare(`INSERT INTO "${table}" (${JOURNAL_COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES (${marks})`));
    }
    this.run = db.transaction((rows: readonly PendingRow[]) => {
      for (const { table, row } of rows) this.insert.get(table)!.run(...rowValues(row));
    });
  }

  commit(rows: readonly PendingRow[]): void {
    this.run(rows);
  }

  async close(): Promise<void> {}
}
