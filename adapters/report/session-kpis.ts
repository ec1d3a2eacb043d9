import type { JournalEntry } from '../../ports/journal.js';
import type { Micros } from '../../core/domain/units.js';
import type { Kpis, PromotionDelta, TradeRecord } from './report-model.js';

/**
 * The roadmap's daily KPIs (docs/operations.md lists them), computed from journal rows alone. Anything the journal
 * does not hold (market-data latency) is filled in by the caller from the recording, or left null and said so.
 */
export function sessionKpis(rows: readonly JournalEntry[], trades: readonly TradeRecord[], span: { start: Micros; end: Micros }): Kpis {
  let connectedSince: Micros | null = null;
  let connectedUs = 0;
  let disconnects = 0;
  let gaps = 0;
  let sent = 0;
  let rejected = 0;
  let cancelled = 0;
  let fillsCount = 0;
  let transitions = 0;
  let promotions = 0;
  let rejections = 0;
  let rollbacks = 0;
  const filled = new Set<string>();
  const breaches: Record<string, number> = {};
  let slipQty = 0;
  let slipSum = 0;
  const refPrice = new Map<string, number>();
  for (const row of rows) {
    const d = row.data as Record<string, unknown>;
    switch (row.type) {
      case 'connection.changed': {
        const to = String(d.to);
        if (to === 'Connected' && connectedSince === null) connectedSince = row.time;
        if (to !== 'Connected' && connectedSince !== null) {
          connectedUs += row.time - connectedSince;
          connectedSince = null;
          if (d.reason !== 'requested') disconnects++;
        }
        break;
      }
      case 'feed.gap':
      case 'feed.interrupted':
        gaps++;
        break;
      case 'order.requested': {
        const ref = (d.limitPrice ?? d.triggerPrice) as number | undefined;
        if (ref !== undefined) refPrice.set(String(d.coid), ref);
        break;
      }
      case 'order.submitted':
        sent++;
        break;
      case 'order.rejected':
        rejected++;
        break;
      case 'order.cancelled':
        cancelled++;
        break;
      case 'order.filled': {
        fillsCount++;
        if (d.leavesQty === 0) filled.add(String(d.coid));
        const ref = refPrice.get(String(d.coid));
        if (ref !== undefined) {
          const qty = Number(d.qty);
          slipQty += qty;
          slipSum += (d.side === 'buy' ? Number(d.price) - ref : ref - Number(d.price)) * qty;
        }
        break;
      }
      case 'risk.denied': {
        for (const r of (d.reasons as { code?: string }[] | undefined) ?? []) count(breaches, r.code ?? 'unknown');
        break;
      }
      case 'risk.state-changed': {
        transitions++;
        count(breaches, `${String(d.to)}: ${String((d.reason as { code?: string } | undefined)?.code ?? 'unknown')}`);
        break;
      }
      // The learning loop journals one `learning.gate` verdict per candidate (core/learning/pipeline.ts).
      case 'learning.gate':
        if (d.promoted === true) promotions++;
        else if (d.pass === false) rejections++;
        break;
      case 'learning.rollback':
        rollbacks++;
        break;
      default:
    }
  }
  if (connectedSince !== null) connectedUs += Math.max(0, span.end - connectedSince);
  const total = Math.max(1, span.end - span.start);
  let peak = 0;
  let equity = 0;
  let maxDd = 0;
  for (const t of trades) {
    equity += t.netPnl;
    peak = Math.max(peak, equity);
    maxDd = Math.max(maxDd, peak - equity);
  }
  const rs = trades.map((t) => t.r).filter((r): r is number => r !== null);
  const verdicts = promotions + rejections;
  return {
    connectionUptimePct: Math.min(100, (100 * connectedUs) / total),
    disconnects,
    marketDataGaps: gaps,
    medianMarketDataLatencyUs: null,
    ordersSent: sent,
    ordersRejected: rejected,
    ordersCancelled: cancelled,
    ordersFilled: filled.size,
    fillRatio: sent === 0 ? 0 : filled.size / sent,
    avgSlippage: slipQty === 0 ? null : slipSum / slipQty,
    fills: fillsCount,
    trades: trades.length,
    wins: trades.filter((t) => t.netPnl > 0).length,
    grossPnl: sum(trades.map((t) => t.grossPnl)),
    netPnl: sum(trades.map((t) => t.netPnl)),
    commissions: sum(trades.map((t) => t.commission)),
    maxDrawdown: maxDd,
    riskBreaches: breaches,
    killSwitchTransitions: transitions,
    learningPromotions: promotions,
    learningRejections: rejections,
    learningRollbacks: rollbacks,
    learningSuccessRate: verdicts === 0 ? null : promotions / verdicts,
    expectancyR: rs.length === 0 ? null : sum(rs) / rs.length,
  };
}

/** Trades closed before and after each promotion (by exit time), so the effect of a memory version is visible. */
export function promotionDeltas(rows: readonly JournalEntry[], trades: readonly TradeRecord[]): PromotionDelta[] {
  const out: PromotionDelta[] = [];
  for (const row of rows) {
    if (row.type !== 'learning.gate' || (row.data as { promoted?: unknown }).promoted !== true) continue;
    const d = row.data as Record<string, unknown>;
    const before = trades.filter((t) => t.exitTime <= row.time);
    const after = trades.filter((t) => t.exitTime > row.time);
    out.push({ at: row.time, version: String(d.version ?? d.checksum ?? '?'), before: side(before), after: side(after) });
  }
  return out;
}

function side(ts: readonly TradeRecord[]) {
  const rs = ts.map((t) => t.r).filter((r): r is number => r !== null);
  return { trades: ts.length, netPnl: sum(ts.map((t) => t.netPnl)), expectancyR: rs.length === 0 ? null : sum(rs) / rs.length };
}

function count(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
