import type { BookView } from '../../core/domain/book-view.js';
import type { AccountSnapshot, OrderSide, Position } from '../../core/domain/orders.js';
import { applyFillToCost, averageCostPrice, type CostBasis } from '../../core/domain/position-cost.js';
import type { Micros, Money, Price, Quantity } from '../../core/domain/units.js';

type Holding = CostBasis;

/** The simulated venue's own account: positions at average cost, realized PnL and commissions, in integers. */
export class SimAccount {
  private readonly holdings = new Map<string, Holding>();
  private commissions = 0;
  private realized = 0;

  constructor(private readonly startEquity: Money) {}

  apply(symbol: string, side: OrderSide, qty: Quantity, price: Price, commission: Money): Position {
    const h = this.holdings.get(symbol) ?? { quantity: 0, cost: 0, realized: 0 };
    this.holdings.set(symbol, h);
    this.commissions += commission;
    this.realized += applyFillToCost(h, side === 'buy' ? qty : -qty, price);
    return this.position(symbol);
  }

  position(symbol: string): Position {
    const h = this.holdings.get(symbol) ?? { quantity: 0, cost: 0, realized: 0 };
    return { symbol, quantity: h.quantity, averagePrice: averageCostPrice(h), realizedPnl: h.realized };
  }

  positions(): Position[] {
    return [...this.holdings.keys()]
      .sort()
      .map((s) => this.position(s))
      .filter((p) => p.quantity !== 0);
  }

  snapshot(account: string, time: Micros, book: (symbol: string) => BookView | undefined): AccountSnapshot {
    let unrealized = 0;
    let cashOut = 0;
    for (const [symbol, h] of this.holdings) {
      if (h.quantity === 0) continue;
      const b = book(symbol);
      const mark = b !== undefined && b.mid2 > 0 ? Math.round(b.mid2 / 2) : averageCostPrice(h);
      unrealized += mark * h.quantity - h.cost;
      cashOut += h.cost;
    }
    const equity = this.startEquity + this.realized + unrealized - this.commissions;
    return {
      account,
      currency: 'USD',
      equity,
      cash: this.startEquity + this.realized - this.commissions - cashOut,
      buyingPower: equity * 4,
      realizedPnl: this.realized,
      unrealizedPnl: unrealized,
      time,
    };
  }
}
