import type { OrderSide, OrderType, Position } from '../core/domain/orders.js';
import type { RiskCode } from '../core/domain/error-codes.js';
import type { Micros, Money, Price, Quantity } from '../core/domain/units.js';
import { createToken } from './create-token.js';

export type TradingState = 'RUNNING' | 'SAFE_MODE' | 'HALT';
export type RiskAction = 'allow' | 'reject' | 'halt';
/** What a policy does when its limit is breached; set per policy in config. */
export type BreachAction = 'warn' | 'reject' | 'halt';

/** What a strategy wants; the order manager turns an allowed intent into orders. */
export interface OrderIntent {
  intentId: string;
  strategyId: string;
  symbol: string;
  /** entry opens or adds; exit reduces or closes and is allowed in SAFE_MODE. */
  kind: 'entry' | 'exit';
  side: OrderSide;
  type: OrderType;
  quantity: Quantity;
  limitPrice?: Price;
  triggerPrice?: Price;
  /** Protective stop and take-profit; with both, the entry goes out as a bracket. */
  stopLoss?: Price;
  takeProfit?: Price;
  reason: string;
}

export interface RiskReason {
  code: RiskCode;
  /** Which limit: the policy id and parameter, e.g. 'daily-loss.maxLossPct'. */
  limit: string;
  observed: number;
  threshold: number;
  message?: string;
}

/** A decision is a value: policies never throw to their caller. `maxQty` lets a policy shrink instead of deny. */
export interface RiskDecision {
  action: RiskAction;
  reasons: readonly RiskReason[];
  warnings: readonly RiskReason[];
  maxQty?: Quantity;
}

export const ALLOW: RiskDecision = Object.freeze({ action: 'allow', reasons: Object.freeze([]), warnings: Object.freeze([]) });

/** A read-only view of what risk policies may look at. Policies must not mutate it. */
export interface RiskContext {
  now: Micros;
  state: TradingState;
  /** Account equity at session start and now, Money units. */
  startEquity: Money;
  equity: Money;
  /** Realized + unrealized PnL of the day, net of commissions. */
  dailyPnl: Money;
  positions: readonly Position[];
  position(symbol: string): Position | undefined;
  openOrderCount: number;
  ordersToday: number;
  tradesToday: number;
  consecutiveLosses: number;
  entriesToday(symbol: string): number;
  lastStopOutAt(symbol: string): Micros | null;
  /** Current best bid/ask for a symbol, or null when no book yet. */
  quote(symbol: string): { bid: Price; ask: Price; time: Micros } | null;
  pausedSymbols: ReadonlySet<string>;
}

/**
 * A pre-trade check, composed with others into a chain from config.
 *
 * Invariants (cards RISK, R1–R4):
 * - `evaluate` returns a value and never throws; an exception is turned into `RISK.POLICY_ERROR` and a halt.
 * - Every reject or halt carries at least one reason with code, limit, observed and threshold.
 * - The same intent and context give a deep-equal decision; inputs are never mutated.
 * - No order reaches a broker adapter without passing every policy in the chain.
 */
export interface RiskPolicy {
  readonly id: string;
  evaluate(intent: OrderIntent, context: RiskContext): RiskDecision;
  /**
   * Runtime monitoring: asked after every fill, trade close and timer tick whether the trading state must escalate.
   * Returns the state to escalate to (never lower than the current one) with its reason, or null.
   */
  monitor?(context: RiskContext): { to: TradingState; reason: RiskReason } | null;
}

export const RiskPolicy = createToken<RiskPolicy>('RiskPolicy');
