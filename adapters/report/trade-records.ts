import type { JournalEntry } from '../../ports/journal.js';
import type { GateMark, TradeRecord, TrailStep } from './report-model.js';

interface ClosedRow {
  tradeId: string;
  symbol: string;
  side: 'long' | 'short';
  quantity: number;
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  grossPnl: number;
  netPnl: number;
  commission: number;
  exitReason: string;
}
interface RequestedRow {
  coid: string;
  intentId?: string;
  role?: string;
  limitPrice?: number;
  triggerPrice?: number;
  side?: string;
  type?: string;
}
interface FillRow {
  coid: string;
  price: number;
  qty: number;
  side: string;
}
interface DecisionRow {
  stage?: string;
  outcome?: string;
  note?: string;
  intentId?: string;
  memoryVersion?: number | null;
  gates?: Record<string, { pass: boolean; value: unknown; threshold?: unknown }>;
}

/**
 * Joins each closed trade with the orders its decisions sent: the entry order's price and the bracket's initial stop
 * (for R), the entry fills (for slippage) and the decision trail. Only journal rows are read, so a report of a live
 * session and of its replay are computed the same way.
 */
export function tradeRecords(rows: readonly JournalEntry[]): TradeRecord[] {
  const requested = new Map<string, RequestedRow>();
  const byIntent = new Map<string, RequestedRow[]>();
  const fills = new Map<string, FillRow[]>();
  const decisions = new Map<string, { row: JournalEntry; d: DecisionRow }[]>();
  const closed: ClosedRow[] = [];
  for (const row of rows) {
    if (row.type === 'order.requested') {
      const r = row.data as unknown as RequestedRow;
      requested.set(r.coid, r);
      if (r.intentId !== undefined) push(byIntent, r.intentId, r);
    } else if (row.type === 'order.filled') {
      const f = row.data as unknown as FillRow;
      push(fills, f.coid, f);
    } else if (row.kind === 'decision' && row.tradeId !== undefined) {
      push(decisions, row.tradeId, { row, d: row.data as DecisionRow });
    } else if (row.type === 'trade.closed') {
      closed.push(row.data as unknown as ClosedRow);
    }
  }
  return closed.map((c) => {
    const trail = decisions.get(c.tradeId) ?? [];
    const entryDecision = trail.find((s) => s.d.stage === 'entry' && s.d.intentId !== undefined);
    const legs = entryDecision ? (byIntent.get(entryDecision.d.intentId!) ?? []) : [];
    const entry = legs.find((l) => l.role === 'entry');
    const stop = legs.find((l) => l.role === 'stop-loss');
    const target = legs.find((l) => l.role === 'take-profit');
    const stopPrice = stop?.triggerPrice ?? null;
    const plannedRisk = stopPrice === null ? null : c.quantity * Math.abs(c.entryPrice - stopPrice);
    return {
      ...pick(c),
      stopPrice,
      targetPrice: target?.limitPrice ?? null,
      plannedRisk,
      r: plannedRisk === null || plannedRisk === 0 ? null : c.netPnl / plannedRisk,
      entrySlippage: entry === undefined ? null : slippage(entry, fills.get(entry.coid) ?? []),
      maePrice: null,
      mfePrice: null,
      maeR: null,
      mfeR: null,
      memoryVersion: entryDecision?.d.memoryVersion ?? null,
      trail: trail.map(({ row, d }) => trailStep(row, d)),
    };
  });
}

/** Adverse slippage per share against the order's own price: a buy filled above its limit (or stop) is positive. */
export function slippage(order: RequestedRow, orderFills: readonly FillRow[]): number | null {
  const ref = order.limitPrice ?? order.triggerPrice;
  if (ref === undefined || orderFills.length === 0) return null;
  let qty = 0;
  let cost = 0;
  for (const f of orderFills) {
    qty += f.qty;
    cost += (f.side === 'buy' ? f.price - ref : ref - f.price) * f.qty;
  }
  return qty === 0 ? null : cost / qty;
}

function trailStep(row: JournalEntry, d: DecisionRow): TrailStep {
  const gates: GateMark[] = Object.entries(d.gates ?? {}).map(([name, g]) => ({
    name,
    pass: g.pass,
    value: g.value,
    ...(g.threshold === undefined ? {} : { threshold: g.threshold }),
  }));
  return {
    time: row.time,
    stage: d.stage ?? row.type,
    outcome: d.outcome ?? '',
    note: d.note ?? '',
    memoryVersion: d.memoryVersion ?? null,
    failed: gates.filter((g) => !g.pass),
    passed: gates.filter((g) => g.pass).length,
  };
}

function pick(c: ClosedRow) {
  return {
    tradeId: c.tradeId,
    symbol: c.symbol,
    side: c.side,
    quantity: c.quantity,
    entryTime: c.entryTime,
    exitTime: c.exitTime,
    entryPrice: c.entryPrice,
    exitPrice: c.exitPrice,
    grossPnl: c.grossPnl,
    netPnl: c.netPnl,
    commission: c.commission,
    exitReason: c.exitReason,
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
