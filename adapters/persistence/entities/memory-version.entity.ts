import { EntitySchema } from 'typeorm';

export interface MemoryVersionRow {
  id?: number;
  namespace: string;
  version: number;
  schemaVersion: number;
  checksum: string;
  status: string;
  content: string;
  note: string;
  createdAt: number | string;
  /** Order of promotions (0 = never promoted); rollback walks it backwards. */
  promotedSeq: number;
}

export const memoryVersionEntity = new EntitySchema<MemoryVersionRow>({
  name: 'memory_version',
  tableName: 'hv_memory_versions',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    namespace: { type: 'varchar', length: 96 },
    version: { type: 'integer' },
    schemaVersion: { name: 'schema_version', type: 'integer' },
    checksum: { type: 'varchar', length: 64 },
    status: { type: 'varchar', length: 16 },
    content: { type: 'text' },
    note: { type: 'varchar', length: 500 },
    createdAt: { name: 'created_at', type: 'bigint' },
    promotedSeq: { name: 'promoted_seq', type: 'integer' },
  },
});
