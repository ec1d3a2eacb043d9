import { z } from 'zod';
import { parseDbUrl } from './db-url.js';

/** The `typeorm` store's params (zod): which database (a SQLite file or a url), its durability, and the memory namespace. */
export const typeormParams = z
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

export type TypeormStoreParams = z.output<typeof typeormParams>;
