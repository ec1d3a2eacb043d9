import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { JournalEntry } from '../../ports/journal.js';
import { csvCell } from '../../core/domain/csv-cell.js';

/** The audit tables: which rows each holds. Operator actions are also risk rows; they get a table of their own. */
export const EXPORT_TABLES: Readonly<Record<string, (r: JournalEntry) => boolean>> = {
  orders: (r) => r.kind === 'order',
  fills: (r) => r.kind === 'fill',
  trades: (r) => r.kind === 'trade',
  decisions: (r) => r.kind === 'decision',
  'risk-events': (r) => r.kind === 'risk' && !r.type.startsWith('operator.'),
  'operator-actions': (r) => r.type.startsWith('operator.'),
};

/** Fields holding prices or money in integer ten-thousandths; the CSV shows them in currency units. */
const MONEY = new Set([
  'price',
  'limitPrice',
  'triggerPrice',
  'avgPrice',
  'commission',
  'netPnl',
  'grossPnl',
  'entryPrice',
  'exitPrice',
  'realizedPnl',
  'equity',
]);

/**
 * Writes one file per audit table (`<session>-<table>.csv` or `.jsonl`). JSON lines keep the journal's integers and
 * add `timeIso`; CSV flattens `data` into columns (nested values as JSON) with prices and money in currency units and
 * times in the session's zone, for a spreadsheet or the broker's statement.
 */
export function exportSession(
  rows: readonly JournalEntry[],
  o: { sessionId: string; timeZone: string; format: 'csv' | 'jsonl'; outDir: string },
): { file: string; rows: number }[] {
  fs.mkdirSync(o.outDir, { recursive: true });
  const iso = (us: number) => DateTime.fromMillis(Math.floor(us / 1000), { zone: o.timeZone }).toISO({ includeOffset: true }) ?? '';
  const out: { file: string; rows: number }[] = [];
  for (const [table, keep] of Object.entries(EXPORT_TABLES)) {
    const list = rows.filter(keep);
    const file = path.join(o.outDir, `${o.sessionId}-${table}.${o.format}`);
    if (o.format === 'jsonl') {
      fs.writeFileSync(file, list.map((r) => JSON.stringify({ timeIso: iso(r.time), ...r })).join('\n') + (list.length ? '\n' : ''));
    } else {
      const base = ['time', 'loopSeq', 'type', 'symbol', 'coid', 'tradeId', 'strategyId'];
      const keys = [...new Set(list.flatMap((r) => Object.keys(r.data)))].sort();
      // A payload field named like a row column (symbol, coid…) keeps its own column, prefixed.
      const head = [...base, ...keys.map((k) => (base.includes(k) ? `data.${k}` : k))];
      const lines = [head.map(csvCell).join(',')];
      for (const r of list) {
        const d = r.data as Record<string, unknown>;
        lines.push(
          [
            iso(r.time),
            r.loopSeq,
            r.type,
            r.symbol ?? '',
            r.coid ?? '',
            r.tradeId ?? '',
            r.strategyId ?? '',
            ...keys.map((k) => cellValue(k, d[k])),
          ]
            .map(csvCell)
            .join(','),
        );
      }
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
    }
    out.push({ file, rows: list.length });
  }
  return out;
}

function cellValue(key: string, v: unknown): unknown {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number' && MONEY.has(key)) return (v / 10_000).toFixed(4);
  if (typeof v === 'object') return JSON.stringify(v);
  return v;
}
