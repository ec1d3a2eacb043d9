import type { OrderSide, Position } from '../../../core/domain/orders.js';
import { applyFillToCost, averageCostPrice, type CostBasis } from '../../../core/domain/position-cost.js';
import type { Money, Price, Quantity } from '../../../core/domain/units.js';

type Holding = CostBasis;

export interface HoldingView {
  symbol: string;
  qty: Quantity;
  avgPrice: Price;
  realizedPnl: Money;
}

/**
 * Positions as the adapter's fills built them, in integer units. A fill moves the position; reconciliation can set
 * it to the broker's record (the broker wins, and the difference is reported, never silently absorbed).
 */
export class TwsHoldings {
  private readonly bySymbol = new Map<string, Holding>();
  /** Cash moved by fills (buys pay, sells receive), in Money units; commissions are counted by the order flow. */
  cashFlow: Money = 0;

  applyFill(symbol: string, side: OrderSide, qty: Quantity, price: Price): HoldingView {
    const h = this.get(symbol);
    const signed = side === 'buy' ? qty : -qty;
    this.cashFlow -= price * signed;
    applyFillToCost(h, signed, price);
    return this.view(symbol);
  }

  /**
   * An execution revised from (oldQty @ oldPrice) to (newQty @ newPrice): the position moves by the difference only,
   * never by a second fill. A price revision changes the cost basis when the fill added to the position, and the
   * realized PnL when it reduced it (judged against the current side, which a correction does not flip); a quantity
   * revision is applied as a fill of the difference at the new price.
   */
  correct(symbol: string, side: OrderSide, oldQty: Quantity, oldPrice: Price, newQty: Quantity, newPrice: Price): HoldingView {
    const h = this.get(symbol);
    const sign = side === 'buy' ? 1 : -1;
    const kept = Math.min(oldQty, newQty);
    const priceDelta = (newPrice - oldPrice) * kept;
    this.cashFlow -= sign * priceDelta;
    if (h.quantity !== 0 && Math.sign(h.quantity) === sign) h.cost += sign * priceDelta;
    else h.realized -= sign * priceDelta;
    const qtyDelta = newQty - oldQty;
    if (qtyDelta > 0) return this.applyFill(symbol, side, qtyDelta, newPrice);
    if (qtyDelta < 0) return this.applyFill(symbol, side === 'buy' ? 'sell' : 'buy', -qtyDelta, oldPrice);
    return this.view(symbol);
  }

  /** Cost basis of every open position (Money): what the positions are carried at without a mark. */
  carried(): Money {
    let sum = 0;
    for (const h of this.bySymbol.values()) sum += h.cost;
    return sum;
  }

  /** Sets a position to the broker's record; returns the signed difference (broker − local). */
  setFromBroker(symbol: string, qty: Quantity, avgPrice: Price): Quantity {
    const h = this.get(symbol);
    const delta = qty - h.quantity;
    h.quantity = qty;
    h.cost = qty === 0 ? 0 : avgPrice * qty;
    return delta;
  }

  quantity(symbol: string): Quantity {
    return this.bySymbol.get(symbol)?.quantity ?? 0;
  }

  symbols(): string[] {
    return [...this.bySymbol.keys()];
  }

  view(symbol: string): HoldingView {
    const h = this.get(symbol);
    return { symbol, qty: h.quantity, avgPrice: averageCostPrice(h), realizedPnl: h.realized };
  }

  positions(): Position[] {
    return [...this.bySymbol.entries()]
      .filter(([, h]) => h.quantity !== 0)
      .map(([symbol, h]) => ({ symbol, quantity: h.quantity, averagePrice: averageCostPrice(h), realizedPnl: h.realized }));
  }

  realized(): Money {
    let sum = 0;
    for (const h of this.bySymbol.values()) sum += h.realized;
    return sum;
  }

  private get(symbol: string): Holding {
    let h = this.bySymbol.get(symbol);
    if (h === undefined) this.bySymbol.set(symbol, (h = { quantity: 0, cost: 0, realized: 0 }));
    return h;
  }
}
