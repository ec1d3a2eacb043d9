import type { Money } from '../domain/units.js';
import type { Position } from '../domain/orders.js';
import type { VenueExecution } from '../../ports/broker-adapter.js';
import type { JournalEntry } from '../../ports/journal.js';

export interface EodDiscrepancy {
  kind: 'execution-not-journaled' | 'execution-not-at-venue' | 'commission-differs' | 'commission-missing' | 'position-differs';
  execId?: string;
  symbol?: string;
  journal?: number | null;
  venue?: number | null;
}

export interface EodReport {
  status: 'clean' | 'discrepancies';
  /** Executions the venue listed (null: the adapter cannot list them) and the journal holds. */
  executions: { venue: number | null; journal: number };
  commissions: { venue: Money | null; journal: Money };
  positions: { symbol: string; ledger: number; broker: number }[];
  discrepancies: EodDiscrepancy[];
}

/**
 * End-of-day reconciliation (docs/operations.md): the session's journal against the venue's own record — every
 * execution by exec id (both ways) and its commission, and every position, ledger against broker. Pure: the caller
 * hands in the journal's fill rows, the venue's executions and both position lists, and journals the report.
 */
export function endOfDayReport(
  fillRows: readonly JournalEntry[],
  venue: readonly VenueExecution[] | null,
  ledger: readonly Position[],
  broker: readonly Position[],
): EodReport {
  const journal = new Map<string, { commission: number | null }>();
  for (const r of fillRows) {
    const d = r.data as { execId?: string; commission?: number | null; amount?: number };
    if (d.execId === undefined) continue;
    if (r.type === 'order.filled') journal.set(d.execId, { commission: d.commission ?? null });
    else if (r.type === 'commission.reported' && d.amount !== undefined) {
      const j = journal.get(d.execId);
      if (j !== undefined) j.commission = (j.commission ?? 0) + d.amount;
    }
  }
  const discrepancies: EodDiscrepancy[] = [];
  let venueCommission: number | null = null;
  if (venue !== null) {
    venueCommission = 0;
    const seen = new Set<string>();
    for (const v of venue) {
      seen.add(v.execId);
      venueCommission += v.commission ?? 0;
      const j = journal.get(v.execId);
      if (j === undefined) discrepancies.push({ kind: 'execution-not-journaled', execId: v.execId, symbol: v.symbol, venue: v.qty });
      else if (v.commission !== null && j.commission === null)
        discrepancies.push({ kind: 'commission-missing', execId: v.execId, venue: v.commission, journal: null });
      else if (v.commission !== null && j.commission !== v.commission)
        discrepancies.push({ kind: 'commission-differs', execId: v.execId, venue: v.commission, journal: j.commission });
    }
    for (const id of journal.keys()) if (!seen.has(id)) discrepancies.push({ kind: 'execution-not-at-venue', execId: id });
  }
  const symbols = [...new Set([...ledger.map((p) => p.symbol), ...broker.map((p) => p.symbol)])].sort();
  const positions = symbols.map((symbol) => ({
    symbol,
    ledger: ledger.find((p) => p.symbol === symbol)?.quantity ?? 0,
    broker: broker.find((p) => p.symbol === symbol)?.quantity ?? 0,
  }));
  for (const p of positions)
    if (p.ledger !== p.broker) discrepancies.push({ kind: 'position-differs', symbol: p.symbol, journal: p.ledger, venue: p.broker });
  let journalCommission = 0;
  for (const j of journal.values()) journalCommission += j.commission ?? 0;
  return {
    status: discrepancies.length === 0 ? 'clean' : 'discrepancies',
    executions: { venue: venue === null ? null : venue.length, journal: journal.size },
    commissions: { venue: venueCommission, journal: journalCommission },
    positions,
    discrepancies,
  };
}
