import { EntitySchema } from 'typeorm';
import type { JournalKind } from '../../../ports/journal.js';

/** A journal row as stored: plain columns, JSON payload as canonical text. Not a domain object. */
export interface JournalRow {
  sessionId: string;
  ordinal: number;
  loopSeq: number;
  time: number | string;
  type: string;
  symbol: string | null;
  coid: string | null;
  tradeId: string | null;
  strategyId: string | null;
  data: string;
}

/** One table per journal kind, same portable columns (EntitySchema: no decorator metadata needed under tsx). */
export const JOURNAL_TABLES: Readonly<Record<JournalKind, string>> = {
  order: 'hv_orders',
  fill: 'hv_fills',
  trade: 'hv_trades',
  decision: 'hv_decisions',
  risk: 'hv_risk_events',
  sample: 'hv_training_samples',
  checkpoint: 'hv_checkpoints',
  event: 'hv_events',
};

function journalEntity(kind: JournalKind): EntitySchema<JournalRow> {
  return new EntitySchema<JournalRow>({
    name: `journal_${kind}`,
    tableName: JOURNAL_TABLES[kind],
    // Keyed by (session, ordinal), clustered on SQLite: migrations/1796342400000-journal-keyed-by-ordinal.ts.
    withoutRowid: true,
    columns: {
      sessionId: { name: 'session_id', type: 'varchar', length: 64, primary: true },
      ordinal: { type: 'integer', primary: true },
      loopSeq: { name: 'loop_seq', type: 'integer' },
      time: { type: 'bigint' },
      type: { type: 'varchar', length: 64 },
      symbol: { type: 'varchar', length: 32, nullable: true },
      coid: { type: 'varchar', length: 96, nullable: true },
      tradeId: { name: 'trade_id', type: 'varchar', length: 96, nullable: true },
      strategyId: { name: 'strategy_id', type: 'varchar', length: 96, nullable: true },
      data: { type: 'text' },
    },
  });
}

export const journalEntities: Readonly<Record<JournalKind, EntitySchema<JournalRow>>> = Object.freeze(
  Object.fromEntries((Object.keys(JOURNAL_TABLES) as JournalKind[]).map((k) => [k, journalEntity(k)])) as Record<
    JournalKind,
    EntitySchema<JournalRow>
  >,
);
