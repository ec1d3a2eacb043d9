import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, TypeormMemoryStore } from '../../../adapters/persistence/index.js';
import { canonicalJson } from '../../../adapters/persistence/canonical-json.js';
import type { MemoryCreateContext, MemorySubjectHandle } from '../../../plugins/conformance/index.js';

/** The TypeORM store on a fresh SQLite file, with direct row access as its driver (corrupt, writeSchema). */
export async function typeormMemoryHandle(ctx: MemoryCreateContext): Promise<MemorySubjectHandle> {
  const reopen = ctx.reopen as (MemorySubjectHandle & { file?: string }) | undefined;
  const file = reopen?.file ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hv-mem-')), 'mem.sqlite');
  const ds: DataSource = await createDataSource({ driver: 'sqlite', file });
  // A kill between the temp write and the rename, once, when the card asks for it (MEM-04).
  let failNext = false;
  const fileHooks = {
    beforeRename: (): void => {
      if (!failNext) return;
      failNext = false;
      throw new Error('simulated kill between the temp write and the rename');
    },
  };
  const store = new TypeormMemoryStore(ds, {
    namespace: 'kit',
    now: () => ctx.clock.now(),
    dir: path.join(path.dirname(file), 'memory'),
    fileHooks,
  });
  const handle: MemorySubjectHandle & { file: string } = {
    file,
    subject: store,
    driver: {
      failWrite: () => {
        failNext = true;
      },
      corrupt: async (version) => {
        await ds.query(`UPDATE hv_memory_versions SET content = content || ' ' WHERE namespace = 'kit' AND version = ?`, [version]);
      },
      writeSchema: async (schemaVersion, content) => {
        const rows = (await ds.query(
          `SELECT MAX(version) AS v, MAX(promoted_seq) AS p FROM hv_memory_versions WHERE namespace = 'kit'`,
        )) as { v: number | null; p: number | null }[];
        const version = (rows[0]?.v ?? 0) + 1;
        const text = canonicalJson(content);
        await ds.query(
          `INSERT INTO hv_memory_versions (namespace, version, schema_version, checksum, status, content, note, created_at, promoted_seq) VALUES ('kit', ?, ?, ?, 'promoted', ?, '', ?, ?)`,
          [version, schemaVersion, createHash('sha256').update(text).digest('hex'), text, ctx.clock.now(), (rows[0]?.p ?? 0) + 1],
        );
        return version;
      },
    },
    close: async () => {
      if (ds.isInitialized) await ds.destroy();
    },
    dispose: async () => {
      if (ds.isInitialized) await ds.destroy();
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    },
  };
  return handle;
}
