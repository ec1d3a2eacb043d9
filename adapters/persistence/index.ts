import path from 'node:path';
import { defineAdapter } from '../../plugins/sdk/define.js';
import { type TypeormStoreParams, typeormParams } from './params.js';
import { createDataSource, type SqliteSynchronous, type StoreOptions } from './data-source.js';
import { parseDbUrl } from './db-url.js';
import { TypeormJournal } from './typeorm-journal.js';
import { TypeormMemoryStore } from './typeorm-memory-store.js';

export { createDataSource, TypeormJournal, TypeormMemoryStore };

export type { TypeormStoreParams } from './params.js';

/** The database the params select, and its SQLite synchronous level for the mode. */
export function storeOptions(p: TypeormStoreParams, mode: string): StoreOptions {
  const synchronous: SqliteSynchronous = p.synchronous ?? (mode === 'replay' ? 'NORMAL' : 'FULL');
  if (p.url !== undefined) {
    const target = parseDbUrl(p.url);
    return target.driver === 'postgres' ? { driver: 'postgres', url: target.url } : { driver: 'sqlite', file: target.file, synchronous };
  }
  return { driver: 'sqlite', file: p.file, synchronous };
}

export default defineAdapter({
  id: 'typeorm',
  apiVersion: 1,
  description: 'Journal and versioned memory on TypeORM: SQLite file (WAL) by default, PostgreSQL by url.',
  provides: ['store'],
  paramsSchema: typeormParams,
  create: async (ctx) => {
    const ds = await createDataSource(storeOptions(ctx.params, ctx.mode));
    const journal = new TypeormJournal(ds);
    try {
      await journal.ready();
    } catch (error) {
      await journal.close().catch(() => {});
      await ds.destroy().catch(() => {});
      throw error;
    }
    const memory = new TypeormMemoryStore(ds, {
      namespace: ctx.params.namespace,
      keepLast: ctx.params.keepLast,
      keepPromoted: ctx.params.keepPromoted,
      now: () => ctx.clock.now(),
      dir: ctx.params.memoryDir ?? path.join(ctx.dataDir, 'memory', ctx.params.namespace),
    });
    let closed = false;
    return {
      journal,
      memory,
      close: async () => {
        if (closed) return;
        closed = true;
        try {
          await journal.close();
        } finally {
          await ds.destroy();
        }
      },
    };
  },
});
