import path from 'node:path';
import { z } from 'zod';
import { defineAdapter } from '../../plugins/sdk/define.js';
import { createDataSource } from './data-source.js';
import { TypeormJournal } from './typeorm-journal.js';
import { TypeormMemoryStore } from './typeorm-memory-store.js';

export { createDataSource, TypeormJournal, TypeormMemoryStore };

const params = z
  .object({
    driver: z.enum(['sqlite', 'postgres']).default('sqlite'),
    file: z.string().min(1).default('var/harvester.sqlite'),
    /** PostgreSQL URL; give it as env('DATABASE_URL'). */
    url: z.string().optional(),
    /** Memory namespace (one per strategy family). */
    namespace: z.string().min(1).default('default'),
    keepLast: z.number().int().min(1).max(1000).default(10),
    /** Promoted versions kept for rollback, apart from candidates. */
    keepPromoted: z.number().int().min(2).max(1000).default(10),
    /** Folder of memory_latest.json and memory_versions/ (default <dataDir>/memory/<namespace>). */
    memoryDir: z.string().min(1).optional(),
  })
  .strict()
  .refine((p) => p.driver !== 'postgres' || p.url !== undefined, { message: 'driver postgres needs url', path: ['url'] });

export default defineAdapter({
  id: 'typeorm',
  apiVersion: 1,
  description: 'Journal and versioned memory on TypeORM: SQLite file (WAL) by default, PostgreSQL by url.',
  provides: ['store'],
  paramsSchema: params,
  create: async (ctx) => {
    const ds = await createDataSource({ driver: ctx.params.driver, file: ctx.params.file, ...(ctx.params.url ? { url: ctx.params.url } : {}) });
    const journal = new TypeormJournal(ds);
    const memory = new TypeormMemoryStore(ds, {
      namespace: ctx.params.namespace, keepLast: ctx.params.keepLast, keepPromoted: ctx.params.keepPromoted, now: () => ctx.clock.now(),
      dir: ctx.params.memoryDir ?? path.join(ctx.dataDir, 'memory', ctx.params.namespace),
    });
    let closed = false;
    return {
      journal,
      memory,
      close: async () => {
        if (closed) return;
        closed = true;
        await journal.close();
        await ds.destroy();
      },
    };
  },
});
