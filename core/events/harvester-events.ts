import type { Micros } from '../domain/units.js';
import type { ErrorCode } from '../domain/error-codes.js';
import type { BrokerEvents } from '../../ports/broker-adapter.js';
import type { FeedEvents } from '../../ports/market-data-feed.js';
import type { MemoryEvents } from '../../ports/memory-store.js';
import type { RiskAction, RiskReason, TradingState } from '../../ports/risk-policy.js';
import type { ClosedTrade } from '../../ports/strategy.js';

/** Events the kernel itself publishes, beyond the ones it re-publishes from the broker, feed and memory ports. */
export interface KernelEvents {
  /** A listener or plugin callback threw; the loop went on. */
  'plugin.error': { pluginId: string; event: string; code: string; message: string; at: Micros };
  'risk.approved': { intentId: string; strategyId: string; symbol: string; qty: number; at: Micros };
  'risk.denied': { intentId: string; strategyId: string; action: RiskAction; reasons: readonly RiskReason[]; at: Micros };
  'risk.state-changed': { from: TradingState; to: TradingState; reason: RiskReason; by: string; at: Micros };
  'risk.clear-refused': { reasons: readonly RiskReason[]; at: Micros };
  'intent.sent': { intentId: string; strategyId: string; coids: readonly string[]; tradeId: string | null; at: Micros };
  'trade.closed': ClosedTrade;
  'kill-switch.flattened': { positions: number; cancelled: number; reason: string; at: Micros };
  /** Operator-visible: closing a position failed MAX_CLOSE_FAILURES times; the shares are still held. */
  'flatten.escalated': {
    severity: 'critical';
    strategyId: string;
    symbol: string;
    qty: number;
    attempts: number;
    code: ErrorCode;
    reason: string;
    at: Micros;
  };
  /** An execution the kernel cannot trust (unknown or external order, or beyond the order's quantity): not applied. */
  'fill.refused': {
    severity: 'critical';
    coid: string;
    execId: string;
    symbol: string;
    qty: number;
    why: 'unknown-order' | 'external-order' | 'overfill';
    at: Micros;
  };
  'session.started': { sessionId: string; mode: string; at: Micros };
  'session.ended': { sessionId: string; status: string; at: Micros };
}

export type HarvesterEvents = KernelEvents & BrokerEvents & FeedEvents & MemoryEvents;
export type HarvesterEventName = keyof HarvesterEvents;
