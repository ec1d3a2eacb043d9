import type { DataSource } from 'typeorm';
import type { CommitSink } from './commit-sink.js';
import { PgCommitSink } from './pg-commit-sink.js';
import { SqliteCommitSink } from './sqlite-commit-sink.js';

/** The synchronous commit sink for a DataSource's backend. */
export function commitSinkFor(ds: DataSource): CommitSink {
  const o = ds.options;
  if (o.type === 'better-sqlite3') return new SqliteCommitSink(ds);
  if (o.type === 'postgres' && typeof o.url === 'string') return new PgCommitSink(o.url);
  throw new Error(`journal: no synchronous commit sink for database type ${o.type}`);
}
