import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, TypeormMemoryStore } from '../../../adapters/persistence/index.js';
import { canonicalJson } from '../../../adapters/persistence/canonical-json.js';
import type { MemoryCreateContext, MemorySubjectHandle } from '../../../plugins/conformance/index.js';

/**
 * The TypeORM store on a real PostgreSQL database (one database for the suite, one namespace per card), with direct
 * row access as its driver (corrupt, writeSchema) — the PostgreSQL twin of typeorm-memory-handle.ts.
 */
export function typeormMemoryHandlePg(url: string): (ctx: MemoryCreateContext) => Promise<MemorySubjectHandle> {
  return async (ctx) => {
    const reopen = ctx.reopen as (MemorySubjectHandle & { namespace?: string }) | undefined;
    const namespace = reopen?.namespace ?? `kit-${randomBytes(4).toString('hex')}`;
    const ds: DataSource = await createDataSource({ driver: 'postgres', url });
    const store = new TypeormMemoryStore(ds, { namespace, now: () => ctx.clock.now() });
    const handle: MemorySubjectHandle & { namespace: string } = {
      namespace,
      subject: store,
      driver: {
        corrupt: async (version) => {
          await ds.query(`UPDATE hv_memory_versions SET content = content || ' ' WHERE namespace = $1 AND version = $2`, [
            namespace,
            version,
          ]);
        },
        writeSchema: async (schemaVersion, content) => {
          const rows = (await ds.query(`SELECT MAX(version) AS v, MAX(promoted_seq) AS p FROM hv_memory_versions WHERE namespace = $1`, [
            namespace,
          ])) as { v: number | null; p: number | null }[];
          const version = Number(rows[0]?.v ?? 0) + 1;
          const text = canonicalJson(content);
          await ds.query(
            `INSERT INTO hv_memory_versions (namespace, version, schema_version, checksum, status, content, note, created_at, promoted_seq) VALUES ($1, $2, $3, $4, 'promoted', $5, '', $6, $7)`,
            [
              namespace,
              version,
              schemaVersion,
              createHash('sha256').update(text).digest('hex'),
              text,
              ctx.clock.now(),
              Number(rows[0]?.p ?? 0) + 1,
            ],
          );
          return version;
        },
      },
      close: async () => {
        if (ds.isInitialized) await ds.destroy();
      },
      dispose: async () => {
        if (ds.isInitialized) {
          await ds.query('DELETE FROM hv_memory_versions WHERE namespace = $1', [namespace]);
          await ds.destroy();
        }
      },
    };
    return handle;
  };
}
