import type { OrderSide } from '../domain/orders.js';
import type { Micros, Money, Price, Quantity } from '../domain/units.js';
import type { ClosedTrade } from '../../ports/strategy.js';
import { roundHalfAway } from '../domain/position-cost.js';

/** The tracker's whole state, for runtime checkpoints. */
export interface TrackerSnapshot {
  open: OpenTrade[];
  entriesBySymbol: [string, number][];
  stopOuts: [string, Micros][];
  tradesToday: number;
  closedToday: number;
  consecutiveLosses: number;
}

export interface OpenTrade {
  tradeId: string;
  strategyId: string;
  symbol: string;
  side: 'long' | 'short';
  quantity: Quantity;
  maxQuantity: Quantity;
  entryQty: Quantity;
  entryNotional: Money;
  exitQty: Quantity;
  exitNotional: Money;
  commission: Money;
  entryTime: Micros;
  /** Lowest and highest mark seen since entry (best bid for a long, best ask for a short); 0 before the first. */
  lowMark: Price;
  highMark: Price;
}

/**
 * Round trips per (strategy, symbol): a trade opens when the strategy's position leaves zero and closes when it
 * returns to zero. Also keeps the day's counters risk policies read (trades, entries per symbol, consecutive
 * losses, last stop-out).
 */
export class TradeTracker {
  private readonly open = new Map<string, OpenTrade>();
  /** The open trades as a list, so that marking them per book batch iterates by index and allocates nothing. */
  private openList: OpenTrade[] = [];
  private readonly entriesBySymbol = new Map<string, number>();
  private readonly stopOuts = new Map<string, Micros>();
  tradesToday = 0;
  closedToday = 0;
  consecutiveLosses = 0;

  /** The open trade of a strategy in a symbol, if any. */
  current(strategyId: string, symbol: string): OpenTrade | undefined {
    return this.open.get(key(strategyId, symbol));
  }

  /**
   * Apply a fill of one of the strategy's orders. Returns the closed trade when this fill flattened the position.
   * `tradeId` is the id the order manager allocated when the entry intent was sent.
   */
  applyFill(
    strategyId: string,
    symbol: string,
    tradeId: string,
    side: OrderSide,
    qty: Quantity,
    price: Price,
    commission: Money,
    time: Micros,
    exitReason: string,
  ): ClosedTrade | null {
    const k = key(strategyId, symbol);
    let trade = this.open.get(k);
    const signed = side === 'buy' ? qty : -qty;
    if (trade === undefined) {
      trade = {
        tradeId,
        strategyId,
        symbol,
        side: signed > 0 ? 'long' : 'short',
        quantity: 0,
        maxQuantity: 0,
        entryQty: 0,
        entryNotional: 0,
        exitQty: 0,
        exitNotional: 0,
        commission: 0,
        entryTime: time,
        lowMark: price,
        highMark: price,
      };
      this.open.set(k, trade);
      this.openList.push(trade);
      this.tradesToday++;
      this.entriesBySymbol.set(symbol, (this.entriesBySymbol.get(symbol) ?? 0) + 1);
    }
    trade.commission += commission;
    const adding = (trade.side === 'long') === signed > 0;
    if (adding) {
      trade.entryQty += qty;
      trade.entryNotional += qty * price;
      trade.quantity += qty;
      if (trade.quantity > trade.maxQuantity) trade.maxQuantity = trade.quantity;
      return null;
    }
    const closing = Math.min(qty, trade.quantity);
    trade.exitQty += closing;
    trade.exitNotional += closing * price;
    trade.quantity -= closing;
    if (trade.quantity > 0) return null;
    this.open.delete(k);
    this.openList = this.openList.filter((t) => t !== trade);
    // Exact when fully closed: Σ exits − Σ entries (sign by direction), both integer.
    const direction = trade.side === 'long' ? 1 : -1;
    const entryAvg = roundHalfAway(trade.entryNotional / trade.entryQty);
    const exitAvg = roundHalfAway(trade.exitNotional / trade.exitQty);
    const grossPnl = direction * (trade.exitNotional - roundHalfAway((trade.entryNotional * trade.exitQty) / trade.entryQty));
    const netPnl = grossPnl - trade.commission;
    this.closedToday++;
    this.consecutiveLosses = netPnl < 0 ? this.consecutiveLosses + 1 : 0;
    if (exitReason === 'stop-loss' || exitReason === 'stop') this.stopOuts.set(symbol, time);
    // A fill larger than the position (a close that raced a stop) went through zero: the rest is a new position the
    // other way, as in the ledger, so that it is seen, covered and closed rather than dropped.
    const excess = qty - closing;
    if (excess > 0) this.applyFill(strategyId, symbol, `${trade.tradeId}.over`, side, excess, price, 0, time, exitReason);
    return {
      tradeId: trade.tradeId,
      strategyId,
      symbol,
      side: trade.side,
      quantity: trade.maxQuantity,
      entryPrice: entryAvg,
      exitPrice: exitAvg,
      entryTime: trade.entryTime,
      exitTime: time,
      grossPnl,
      commission: trade.commission,
      netPnl,
      exitReason,
      ...excursion(trade, entryAvg, direction, price),
    };
  }

  /**
   * Mark the open trades in `symbol` with the book's best bid and ask (called at each batch end): integer min/max
   * per trade, the raw material of MAE/MFE. Allocates nothing.
   */
  mark(symbol: string, bestBid: Price, bestAsk: Price): void {
    const list = this.openList;
    for (let i = 0; i < list.length; i++) {
      const t = list[i]!;
      if (t.symbol !== symbol) continue;
      const m = t.side === 'long' ? bestBid : bestAsk;
      if (m <= 0) continue;
      if (m < t.lowMark) t.lowMark = m;
      if (m > t.highMark) t.highMark = m;
    }
  }

  /** Commission reported after its fill (IB sends it separately); it belongs to the open trade if still open. */
  addCommission(strategyId: string, symbol: string, amount: Money): void {
    const trade = this.open.get(key(strategyId, symbol));
    if (trade !== undefined) trade.commission += amount;
  }

  entriesToday(symbol: string): number {
    return this.entriesBySymbol.get(symbol) ?? 0;
  }

  lastStopOutAt(symbol: string): Micros | null {
    return this.stopOuts.get(symbol) ?? null;
  }

  snapshot(): TrackerSnapshot {
    return {
      open: [...this.open.values()].map((t) => ({ ...t })),
      entriesBySymbol: [...this.entriesBySymbol.entries()],
      stopOuts: [...this.stopOuts.entries()],
      tradesToday: this.tradesToday,
      closedToday: this.closedToday,
      consecutiveLosses: this.consecutiveLosses,
    };
  }

  /** A restart of the same trading day continues its counters and open trades (risk policies read them). */
  restore(s: TrackerSnapshot): void {
    this.open.clear();
    for (const t of s.open) this.open.set(key(t.strategyId, t.symbol), { ...t });
    this.entriesBySymbol.clear();
    for (const [k, v] of s.entriesBySymbol) this.entriesBySymbol.set(k, v);
    this.stopOuts.clear();
    for (const [k, v] of s.stopOuts) this.stopOuts.set(k, v);
    this.tradesToday = s.tradesToday;
    this.closedToday = s.closedToday;
    this.consecutiveLosses = s.consecutiveLosses;
  }

  /**
   * A position found at the broker that no trade of this process covers (left by a crashed run or placed by hand):
   * an open trade so that flatten, halt and session end close it. Not counted as a trade of the day.
   */
  adopt(strategyId: string, symbol: string, tradeId: string, quantity: Quantity, averagePrice: Price, time: Micros): void {
    const side = quantity > 0 ? 'long' : 'short';
    const qty = Math.abs(quantity);
    this.open.set(key(strategyId, symbol), {
      tradeId,
      strategyId,
      symbol,
      side,
      quantity: qty,
      maxQuantity: qty,
      entryQty: qty,
      entryNotional: qty * averagePrice,
      exitQty: 0,
      exitNotional: 0,
      commission: 0,
      entryTime: time,
      lowMark: averagePrice,
      highMark: averagePrice,
    });
  }

  /** Drops the open trade of a strategy in a symbol (the broker reported that position otherwise). */
  forget(strategyId: string, symbol: string): void {
    this.open.delete(key(strategyId, symbol));
  }

  openTrades(): OpenTrade[] {
    return [...this.open.values()];
  }
}

/** MAE/MFE per share against the average entry; the last fill price counts as a mark too. */
function excursion(t: OpenTrade, entryAvg: Price, direction: number, lastPrice: Price): { maxAdverse: Price; maxFavourable: Price } {
  const low = Math.min(t.lowMark, lastPrice);
  const high = Math.max(t.highMark, lastPrice);
  const adverse = direction > 0 ? entryAvg - low : high - entryAvg;
  const favourable = direction > 0 ? high - entryAvg : entryAvg - low;
  return { maxAdverse: Math.max(0, adverse), maxFavourable: Math.max(0, favourable) };
}

function key(strategyId: string, symbol: string): string {
  return `${strategyId}\u0000${symbol}`;
}
