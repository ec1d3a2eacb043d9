import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { JOURNAL_TABLES } from '../entities/journal-row.entity.js';

/**
 * The first schema. Column types are the portable subset (integer, bigint, varchar(n), text) so the same
 * migration runs on SQLite and PostgreSQL.
 */
export class InitialSchema1732406400000 implements MigrationInterface {
  name = 'InitialSchema1732406400000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'hv_sessions',
        columns: [
          { name: 'session_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'mode', type: 'varchar', length: '16' },
          { name: 'strategy', type: 'varchar', length: '200' },
          { name: 'learner', type: 'varchar', length: '64' },
          { name: 'seed', type: 'bigint' },
          { name: 'config', type: 'text' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'started_at', type: 'bigint' },
          { name: 'ended_at', type: 'bigint', isNullable: true },
          { name: 'wall_started_at', type: 'varchar', length: '40' },
          { name: 'summary', type: 'text', isNullable: true },
        ],
      }),
      true,
    );
    for (const table of Object.values(JOURNAL_TABLES)) {
      await q.createTable(
        new Table({
          name: table,
          columns: [
            { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
            { name: 'session_id', type: 'varchar', length: '64' },
            { name: 'ordinal', type: 'integer' },
            { name: 'loop_seq', type: 'integer' },
            { name: 'time', type: 'bigint' },
            { name: 'type', type: 'varchar', length: '64' },
            { name: 'symbol', type: 'varchar', length: '32', isNullable: true },
            { name: 'coid', type: 'varchar', length: '96', isNullable: true },
            { name: 'trade_id', type: 'varchar', length: '96', isNullable: true },
            { name: 'strategy_id', type: 'varchar', length: '96', isNullable: true },
            { name: 'data', type: 'text' },
          ],
        }),
        true,
      );
      await q.createIndex(table, new TableIndex({ name: `ix_${table}_session_ordinal`, columnNames: ['session_id', 'ordinal'] }));
      await q.createIndex(table, new TableIndex({ name: `ix_${table}_session_trade`, columnNames: ['session_id', 'trade_id'] }));
    }
    await q.createTable(
      new Table({
        name: 'hv_memory_versions',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'namespace', type: 'varchar', length: '96' },
          { name: 'version', type: 'integer' },
          { name: 'schema_version', type: 'integer' },
          { name: 'checksum', type: 'varchar', length: '64' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'content', type: 'text' },
          { name: 'note', type: 'varchar', length: '500' },
          { name: 'created_at', type: 'bigint' },
          { name: 'promoted_seq', type: 'integer' },
        ],
      }),
      true,
    );
    await q.createIndex(
      'hv_memory_versions',
      new TableIndex({ name: 'ix_hv_memory_ns_version', columnNames: ['namespace', 'version'], isUnique: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('hv_memory_versions', true);
    for (const table of Object.values(JOURNAL_TABLES)) await q.dropTable(table, true);
    await q.dropTable('hv_sessions', true);
  }
}
