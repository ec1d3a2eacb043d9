import type { JournalRow } from './entities/journal-row.entity.js';

/** One buffered journal row and the table it goes to. */
export interface PendingRow {
  table: string;
  row: JournalRow;
}

/** The journal's columns in insert order (the names the migration creates). */
export const JOURNAL_COLUMNS = [
  'session_id',
  'ordinal',
  'loop_seq',
  'time',
  'type',
  'symbol',
  'coid',
  'trade_id',
  'strategy_id',
  'data',
] as const;

export function rowValues(r: JournalRow): (string | number | null)[] {
  return [r.sessionId, r.ordinal, r.loopSeq, r.time, r.type, r.symbol, r.coid, r.tradeId, r.strategyId, r.data];
}

/**
 * Where the journal's synchronous commits go. `commit` returns only once the rows are committed (one transaction,
 * in the given order) and throws otherwise; it never returns early. `ready` settles once the sink can commit
 * (rejecting with the reason it cannot).
 */
export interface CommitSink {
  readonly ready: Promise<void>;
  commit(rows: readonly PendingRow[]): void;
  close(): Promise<void>;
}
