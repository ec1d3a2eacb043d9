import type { OrderSide } from '../domain/orders.js';
import type { ErrorCode } from '../domain/error-codes.js';
import type { TrackedOrder } from './order-registry.js';
import type { OrderManagerDeps } from './order-manager-deps.js';

/**
 * The bookkeeping of a position being closed and what happens when its close keeps failing: the per-position
 * `Closing` record, which orders count as protection while it closes, the marketable price of a retried close, and
 * the escalation to the operator after MAX_CLOSE_FAILURES (journaled as critical, trading halted). Separate from the
 * submission path in order-manager.ts because none of it builds or sends an order: it decides how a close is
 * retried and when retrying stops (docs/conformance-cards.md#risk-13).
 */

/** Failed attempts to close one position before it is escalated to the operator (seed 002, edge case 13). */
export const MAX_CLOSE_FAILURES = 3;

export interface Closing {
  key: string;
  strategyId: string;
  symbol: string;
  /** 'exit': a strategy's close, re-issued through risk; 'flatten': the kill switch's, sent directly. */
  role: 'exit' | 'flatten';
  reason: string;
  failures: number;
  /** A close was refused because the link is down: nothing more goes out until the broker is back and reconciled. */
  waitingForLink: boolean;
  escalated: boolean;
}

export function closingKey(strategyId: string, symbol: string): string {
  return `${strategyId}\u0000${symbol}`;
}

/** A stop on a position's reducing side: a bracket's stop-loss or a strategy's exit stop (a break-even stop). */
export function isProtective(o: TrackedOrder): boolean {
  return o.role === 'stop-loss' || o.role === 'take-profit' || (o.role === 'exit' && (o.type === 'stop' || o.type === 'stop-limit'));
}

/** A marketable limit for a retried close: `attempt` spreads through the touch (a sell at or below the bid). */
export function crossingPrice(d: OrderManagerDeps, symbol: string, side: OrderSide, attempt: number): number | undefined {
  const q = d.risk.quote(symbol);
  if (q === null || q.ask <= q.bid) return undefined;
  const spread = q.ask - q.bid;
  const price = side === 'sell' ? q.bid - attempt * spread : q.ask + attempt * spread;
  return price > 0 ? price : undefined;
}

/**
 * The close of `o` failed MAX_CLOSE_FAILURES times: mark it escalated (no further close goes out), journal and emit
 * the critical alert, and ask for HALT. The shares are still held; an operator must act.
 */
export function escalateClose(d: OrderManagerDeps, c: Closing, o: TrackedOrder, code: ErrorCode, reason: string): void {
  c.escalated = true;
  const held = d.tracker.current(o.strategyId, o.symbol)?.quantity ?? 0;
  const alert = {
    severity: 'critical' as const,
    strategyId: o.strategyId,
    symbol: o.symbol,
    qty: held,
    attempts: c.failures,
    code,
    reason,
    at: d.clock.now(),
  };
  // Journaled as flatten.escalated so the operator alert rules (flatten-failed, critical) pick it up. The row keeps
  // `quantity` (events say `qty`): renaming a journal key would change every digest of a session that escalated.
  const { qty: _qty, ...row } = alert;
  d.journal.write('risk', 'flatten.escalated', { ...row, quantity: held }, { symbol: o.symbol, strategyId: o.strategyId, coid: o.coid });
  d.bus.emit('flatten.escalated', alert);
  d.escalate?.('HALT', {
    code: 'RISK.CLOSE_FAILED',
    limit: 'order-manager.maxCloseFailures',
    observed: c.failures,
    threshold: MAX_CLOSE_FAILURES,
    message: `closing ${held} ${o.symbol} failed ${c.failures} times (${reason}); an operator must act`,
  });
}
