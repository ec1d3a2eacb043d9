import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { journalEntities } from './entities/journal-row.entity.js';
import { memoryVersionEntity } from './entities/memory-version.entity.js';
import { sessionEntity } from './entities/session.entity.js';
import { InitialSchema1732406400000 } from './migrations/1732406400000-initial-schema.js';

export interface StoreOptions {
  driver: 'sqlite' | 'postgres';
  /** SQLite file (relative paths resolve against the working directory). */
  file?: string;
  /** PostgreSQL connection URL. */
  url?: string;
}

export const entities = [sessionEntity, memoryVersionEntity, ...Object.values(journalEntities)];

/**
 * Open the database and bring its schema up to date with migrations (never `synchronize`). SQLite runs in WAL
 * mode with synchronous=NORMAL: durable at checkpoints, and readers never block the journal writer.
 */
export async function createDataSource(options: StoreOptions): Promise<DataSource> {
  const common = { entities, migrations: [InitialSchema1732406400000], migrationsRun: true, synchronize: false, logging: false };
  let ds: DataSource;
  if (options.driver === 'postgres') {
    if (!options.url) throw new Error('store: driver postgres needs a url (use env(\'DATABASE_URL\'))');
    ds = new DataSource({ type: 'postgres', url: options.url, ...common });
  } else {
    const file = path.resolve(options.file ?? 'var/harvester.sqlite');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    ds = new DataSource({
      type: 'better-sqlite3',
      database: file,
      ...common,
      prepareDatabase: (db: { pragma(s: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
      },
    });
  }
  return ds.initialize();
}
