import path from 'node:path';
import { z } from 'zod';
import { defineAdapter } from '../../plugins/sdk/define.js';
import { createDataSource, type SqliteSynchronous, type StoreOptions } from './data-source.js';
import { parseDbUrl } from './db-url.js';
import { TypeormJournal } from './typeorm-journal.js';
import { TypeormMemoryStore } from './typeorm-memory-store.js';

export { createDataSource, TypeormJournal, TypeormMemoryStore };

const params = z
  .object({
    /** Optional when `url` is given (the url's scheme decides). */
    driver: z.enum(['sqlite', 'postgres']).optional(),
    file: z.string().min(1).default('var/harvester.sqlite'),
    /** `sqlite:///path` or `postgres://…` (give a password-bearing url as env('DATABASE_URL')); wins over `file`. */
    url: z.string().min(1).optional(),
    /** SQLite `synchronous` level; default FULL for paper and live, NORMAL for replay (README, "Durability"). */
    synchronous: z.enum(['FULL', 'NORMAL']).optional(),
    /** Memory namespace (one per strategy family). */
    namespace: z.string().min(1).default('default'),
    keepLast: z.number().int().min(1).max(1000).default(10),
    /** Promoted versions kept for rollback, apart from candidates. */
    keepPromoted: z.number().int().min(2).max(1000).default(10),
    /** Folder of memory_latest.json and memory_versions/ (default <dataDir>/memory/<namespace>). */
    memoryDir: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.url === undefined) {
      if (p.driver === 'postgres') ctx.addIssue({ code: 'custom', message: 'driver postgres needs url', path: ['url'] });
      return;
    }
    try {
      const target = parseDbUrl(p.url);
      if (p.driver !== undefined && p.driver !== target.driver)
        ctx.addIssue({
          code: 'custom',
          message: `driver ${p.driver} does not match the url's scheme (${target.driver})`,
          path: ['driver'],
        });
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message, path: ['url'] });
    }
  });

export type TypeormStoreParams = z.infer<typeof params>;

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
  paramsSchema: params,
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
