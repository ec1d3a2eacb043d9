import type { BookView } from '../domain/book-view.js';
import type { Position } from '../domain/orders.js';
import type { Micros, Money, Price } from '../domain/units.js';
import type { Clock } from '../../ports/clock.js';
import type { RiskContext, TradingState } from '../../ports/risk-policy.js';
import type { Ledger } from '../engine/ledger.js';
import type { TradeTracker } from '../engine/trade-tracker.js';

export interface RiskContextSources {
  clock: Clock;
  ledger: Ledger;
  tracker: TradeTracker;
  state(): TradingState;
  book(symbol: string): BookView | undefined;
  openOrderCount(): number;
  ordersToday(): number;
  pausedSymbols: ReadonlySet<string>;
  /**
   * The account's equity where it is not the ledger's: in paper and live the broker's figure (core/engine/account-truth.ts,
   * docs/tws-account-and-reconciliation.md). Without it, the config's start equity plus the day's PnL.
   */
  account?: { equity(): Money; startEquity(): Money };
}

/** A live, read-only view over the kernel's state; built once, read by every evaluation (nothing copied per intent). */
export class RiskContextView implements RiskContext {
  constructor(private readonly s: RiskContextSources) {}

  get now(): Micros {
    return this.s.clock.now();
  }
  get state(): TradingState {
    return this.s.state();
  }
  get startEquity(): Money {
    return this.s.account?.startEquity() ?? this.s.ledger.startEquity;
  }
  get equity(): Money {
    return this.s.account?.equity() ?? this.s.ledger.equity();
  }
  get dailyPnl(): Money {
    return this.s.ledger.dailyPnl();
  }
  get positions(): readonly Position[] {
    return this.s.ledger.positions();
  }
  position(symbol: string): Position | undefined {
    return this.s.ledger.position(symbol);
  }
  get openOrderCount(): number {
    return this.s.openOrderCount();
  }
  get ordersToday(): number {
    return this.s.ordersToday();
  }
  get tradesToday(): number {
    return this.s.tracker.tradesToday;
  }
  get consecutiveLosses(): number {
    return this.s.tracker.consecutiveLosses;
  }
  entriesToday(symbol: string): number {
    return this.s.tracker.entriesToday(symbol);
  }
  lastStopOutAt(symbol: string): Micros | null {
    return this.s.tracker.lastStopOutAt(symbol);
  }
  quote(symbol: string): { bid: Price; ask: Price; time: Micros } | null {
    const b = this.s.book(symbol);
    if (b === undefined || b.bestBid === 0 || b.bestAsk === 0) return null;
    return { bid: b.bestBid, ask: b.bestAsk, time: b.lastRecvTime };
  }
  get pausedSymbols(): ReadonlySet<string> {
    return this.s.pausedSymbols;
  }
}
