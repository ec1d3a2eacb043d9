import type { OrderIntent, RiskContext } from '../../../ports/risk-policy.js';
import { staticRiskContext, type RiskSnapshot } from '../../../core/risk/static-risk-context.js';
import type { Micros } from '../../../core/domain/units.js';
import { DEFAULT_START } from '../broker/broker-suite.js';
import type { KillSwitchSettings } from './risk-types.js';

/** Limit names of docs/conformance-kit.md#risk-limits; a policy declares the ones it implements. */
export type RiskLimitName =
  | 'dailyLoss'
  | 'consecutiveLosses'
  | 'maxOpenPositions'
  | 'maxTradesPerDay'
  | 'riskPerTrade'
  | 'maxShares'
  | 'maxPositionValue'
  | 'maxReentriesPerSymbol'
  | 'cooldownAfterStop'
  | 'tradingWindow'
  | 'dataFreshness'
  | 'brokerHealth';

/** The limit values the RISK cards assume (docs/conformance-kit.md#risk-limits). A factory configures its policy with these. */
export const CARD_LIMITS = Object.freeze({
  equity: 250_000_000,
  dailyLossPct: 1.0,
  dailyLoss: 2_500_000,
  consecutiveLosses: 3,
  maxOpenPositions: 1,
  maxTradesPerDay: 5,
  riskPerTradePct: 0.25,
  riskPerTrade: 625_000,
  maxShares: 500,
  maxPositionValue: 50_000_000,
  maxReentriesPerSymbol: 2,
  cooldownAfterStopSec: 180,
  tradingWindow: Object.freeze({ start: '09:30', end: '11:15', timeZone: 'America/New_York' }),
  staleAfterMs: 5_000,
  killAfterMs: 30_000,
});
export type CardLimits = typeof CARD_LIMITS;

/** The kill switch the runtime cards assume unless a card overrides a part (RISK-11, RISK-14; docs/conformance-cards.md#risk-11). */
export const CARD_KILL_SWITCH: KillSwitchSettings = Object.freeze({
  reconnectLoop: { count: 3, windowMs: 300_000 },
  outage: { timeoutMs: 30_000, action: 'SAFE_MODE', safeModeOnDegraded: false, quietWindows: [] },
  staleData: { staleMs: CARD_LIMITS.staleAfterMs, killMs: CARD_LIMITS.killAfterMs },
  rejects: { count: 3, windowMs: 60_000 },
}) as KillSwitchSettings;

const S = 1_000_000;

/** Builds the cards' default context (docs/conformance-kit.md#risk-limits): equity 250,000,000, RUNNING, 10:00 New York, fresh quotes. */
export function riskContext(partial: Partial<RiskSnapshot> = {}): RiskContext {
  const now: Micros = partial.now ?? DEFAULT_START;
  return staticRiskContext({
    now,
    state: 'RUNNING',
    startEquity: CARD_LIMITS.equity,
    equity: CARD_LIMITS.equity,
    dailyPnl: 0,
    quotes: { XYZ: { bid: 123400, ask: 123500, time: now }, ABC: { bid: 99900, ask: 100000, time: now } },
    ...partial,
  });
}

let intentSeq = 0;

/** An entry: LMT BUY at 123500 with its stop 300 below and a take-profit 600 above. */
export function entry(symbol = 'XYZ', quantity = 100, over: Partial<OrderIntent> = {}): OrderIntent {
  const limit = symbol === 'ABC' ? 100000 : 123500;
  return {
    intentId: `I${++intentSeq}`,
    strategyId: 'kit',
    symbol,
    kind: 'entry',
    side: 'buy',
    type: 'limit',
    quantity,
    limitPrice: limit,
    stopLoss: limit - 300,
    takeProfit: limit + 600,
    reason: 'kit',
    ...over,
  };
}

export function exit(symbol = 'XYZ', quantity = 100, over: Partial<OrderIntent> = {}): OrderIntent {
  return {
    intentId: `I${++intentSeq}`,
    strategyId: 'kit',
    symbol,
    kind: 'exit',
    side: 'sell',
    type: 'market',
    quantity,
    reason: 'kit',
    ...over,
  };
}

export const long = (symbol: string, quantity: number, averagePrice = 123500) => ({ symbol, quantity, averagePrice, realizedPnl: 0 });

/** New York wall time on 2026-03-10 (EDT, UTC−4) as µs. */
export function ny(h: number, m: number, s = 0, ms = 0): Micros {
  return (Date.UTC(2026, 2, 10, h + 4, m, s) + ms) * 1000;
}

export const seconds = (n: number): Micros => n * S;
