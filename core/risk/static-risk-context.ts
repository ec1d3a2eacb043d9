import type { Position } from '../domain/orders.js';
import type { Micros, Money, Price } from '../domain/units.js';
import type { RiskContext, TradingState } from '../../ports/risk-policy.js';

/** Plain data from which a {@link RiskContext} is built: for tests, `config check` previews and the conformance kit. */
export interface RiskSnapshot {
  now: Micros;
  state: TradingState;
  startEquity: Money;
  equity: Money;
  dailyPnl: Money;
  positions: readonly Position[];
  openOrderCount: number;
  ordersToday: number;
  tradesToday: number;
  consecutiveLosses: number;
  entries: Readonly<Record<string, number>>;
  stopOuts: Readonly<Record<string, Micros>>;
  quotes: Readonly<Record<string, { bid: Price; ask: Price; time: Micros }>>;
  paused: readonly string[];
}

export const EMPTY_SNAPSHOT: RiskSnapshot = Object.freeze({
  now: 0,
  state: 'RUNNING',
  startEquity: 100_000 * 10_000,
  equity: 100_000 * 10_000,
  dailyPnl: 0,
  positions: [],
  openOrderCount: 0,
  ordersToday: 0,
  tradesToday: 0,
  consecutiveLosses: 0,
  entries: {},
  stopOuts: {},
  quotes: {},
  paused: [],
}) as RiskSnapshot;

/** An immutable RiskContext over a snapshot; unspecified fields come from {@link EMPTY_SNAPSHOT}. */
export function staticRiskContext(partial: Partial<RiskSnapshot> = {}): RiskContext {
  const s: RiskSnapshot = { ...EMPTY_SNAPSHOT, ...partial };
  const paused: ReadonlySet<string> = new Set(s.paused);
  return Object.freeze({
    now: s.now,
    state: s.state,
    startEquity: s.startEquity,
    equity: s.equity,
    dailyPnl: s.dailyPnl,
    positions: s.positions,
    position: (symbol: string) => s.positions.find((p) => p.symbol === symbol),
    openOrderCount: s.openOrderCount,
    ordersToday: s.ordersToday,
    tradesToday: s.tradesToday,
    consecutiveLosses: s.consecutiveLosses,
    entriesToday: (symbol: string) => s.entries[symbol] ?? 0,
    lastStopOutAt: (symbol: string) => s.stopOuts[symbol] ?? null,
    quote: (symbol: string) => s.quotes[symbol] ?? null,
    pausedSymbols: paused,
  });
}
