import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { HarvesterError } from '../../core/errors/harvester-error.js';
import { dbUrlPassword, redactDbUrl } from './db-url.js';
import { journalEntities } from './entities/journal-row.entity.js';
import { memoryVersionEntity } from './entities/memory-version.entity.js';
import { sessionEntity } from './entities/session.entity.js';
import { InitialSchema1732406400000 } from './migrations/1732406400000-initial-schema.js';
import { JournalKeyedByOrdinal1796342400000 } from './migrations/1796342400000-journal-keyed-by-ordinal.js';

/**
 * SQLite `synchronous` level (always in WAL mode). FULL: every commit fsyncs the WAL — a committed row survives a
 * process crash and a power loss or OS crash. NORMAL: the WAL is fsynced only at checkpoints — a committed row
 * survives a process crash (it is in the OS's page cache), but the last commits may be lost on power loss.
 */
export type SqliteSynchronous = 'FULL' | 'NORMAL';

export interface StoreOptions {
  driver: 'sqlite' | 'postgres';
  /** SQLite file (relative paths resolve against the working directory). */
  file?: string;
  /** PostgreSQL connection URL. */
  url?: string;
  /** SQLite only; default FULL (see SqliteSynchronous). */
  synchronous?: SqliteSynchronous;
}

export const entities = [sessionEntity, memoryVersionEntity, ...Object.values(journalEntities)];

/** Serialises migrations of concurrent processes on one PostgreSQL database (an arbitrary fixed key). */
const MIGRATION_LOCK_KEY = 0x4876_6d67;

/** What to name in errors: the SQLite file, or the URL with its password redacted. */
export function storeLabel(options: StoreOptions): string {
  return options.driver === 'postgres'
    ? redactDbUrl(options.url ?? '')
    : `sqlite:///${path.resolve(options.file ?? 'var/harvester.sqlite')}`;
}

/**
 * Open the database and bring its schema up to date with migrations (never `synchronize`). SQLite runs in WAL mode
 * at the given `synchronous` level; readers never block the journal writer. On PostgreSQL, migrations run under an
 * advisory lock, so two processes starting on a fresh database do not both create the tables. A database that
 * cannot be opened or migrated is a `STORE.OPEN_FAILED` / `STORE.MIGRATION_FAILED` error naming it (password
 * redacted, also inside the driver's message).
 */
export async function createDataSource(options: StoreOptions): Promise<DataSource> {
  const common = {
    entities,
    migrations: [InitialSchema1732406400000, JournalKeyedByOrdinal1796342400000],
    migrationsRun: false,
    synchronize: false,
    logging: false,
  };
  const label = storeLabel(options);
  const secret = options.driver === 'postgres' ? dbUrlPassword(options.url ?? '') : null;
  const clean = (e: unknown): string => {
    let m = (e as Error)?.message ?? String(e);
    if (options.url) m = m.split(options.url).join(redactDbUrl(options.url));
    if (secret !== null && secret.length > 0) m = m.split(secret).join('[redacted]');
    return m;
  };
  let ds: DataSource;
  if (options.driver === 'postgres') {
    if (!options.url)
      throw new HarvesterError(
        'STORE.URL_INVALID',
        "store: driver postgres needs a url (use env('DATABASE_URL') or --db-url postgres://…)",
      );
    ds = new DataSource({ type: 'postgres', url: options.url, connectTimeoutMS: 10_000, ...common });
  } else {
    const file = path.resolve(options.file ?? 'var/harvester.sqlite');
    const synchronous = options.synchronous ?? 'FULL';
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
    } catch (error) {
      throw new HarvesterError('STORE.OPEN_FAILED', `cannot open database ${label}: ${clean(error)}`, {
        cause: error,
        details: { url: label },
      });
    }
    ds = new DataSource({
      type: 'better-sqlite3',
      database: file,
      ...common,
      prepareDatabase: (db: { pragma(s: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma(`synchronous = ${synchronous}`);
      },
    });
  }
  try {
    await ds.initialize();
  } catch (error) {
    throw new HarvesterError('STORE.OPEN_FAILED', `cannot open database ${label}: ${clean(error)}`, { details: { url: label } });
  }
  try {
    if (options.driver === 'postgres') {
      const lock = ds.createQueryRunner();
      await lock.connect();
      try {
        await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        await ds.runMigrations({ transaction: 'all' });
      } finally {
        await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
        await lock.release();
      }
    } else {
      await ds.runMigrations({ transaction: 'all' });
    }
  } catch (error) {
    await ds.destroy().catch(() => {});
    throw new HarvesterError('STORE.MIGRATION_FAILED', `cannot migrate database ${label}: ${clean(error)}`, { details: { url: label } });
  }
  return ds;
}
