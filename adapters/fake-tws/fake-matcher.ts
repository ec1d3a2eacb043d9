import type { MarketEvent } from '../../core/domain/market.js';
import type { Price, Quantity } from '../../core/domain/units.js';

export interface MatcherOrder {
  orderId: number;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit' | 'stop' | 'stop-limit';
  quantity: Quantity;
  limitPrice?: Price;
  triggerPrice?: Price;
}

export interface MatcherChanges {
  quantity?: Quantity;
  limitPrice?: Price;
  triggerPrice?: Price;
}

/** Receives the matcher's verdicts; the server turns them into execDetails/orderStatus frames. */
export interface MatcherSink {
  fill(orderId: number, quantity: Quantity, price: Price): void;
  /** The matcher refused or dropped the order; the client sees 201 and Cancelled. */
  reject(orderId: number, reason: string): void;
}

/**
 * What the fake TWS needs from a matching engine. The simulated broker (adapters/simulated) can sit behind it once it
 * lands; {@link TouchMatcher} is the built-in stand-in.
 *
 * Invariants: fills for one order never exceed its quantity; nothing fills after `cancel`; all calls are synchronous
 * and fills are reported through the sink during the call that caused them.
 */
export interface FakeMatcher {
  setSink(sink: MatcherSink): void;
  submit(order: MatcherOrder): void;
  modify(orderId: number, changes: MatcherChanges): void;
  cancel(orderId: number): void;
  /** Best bid/ask after a quote or a depth batch; null for an empty side. */
  onTouch(symbol: string, bid: Price | null, ask: Price | null): void;
  onTrade(symbol: string, price: Price, size: Quantity): void;
  /** Every market event, before the touch/trade calls it leads to; for matchers that keep their own books. */
  onEvent?(event: MarketEvent): void;
}

interface Working extends MatcherOrder {
  remaining: Quantity;
  triggered: boolean;
}

/**
 * Fills against the touch: marketable orders fill at the opposite best (limit orders at no worse than their limit),
 * resting limit orders fill when the touch or a trade reaches them, stops trigger on touch or trade. With
 * `partialFills`, every fill takes half the remaining quantity (at least one share), so each order fills in steps.
 */
export class TouchMatcher implements FakeMatcher {
  private sink: MatcherSink = { fill: () => undefined, reject: () => undefined };
  private readonly orders = new Map<number, Working>();
  private readonly touch = new Map<string, { bid: Price | null; ask: Price | null; last: Price | null }>();

  constructor(private readonly opts: { partialFills?: boolean } = {}) {}

  setSink(sink: MatcherSink): void {
    this.sink = sink;
  }

  submit(order: MatcherOrder): void {
    const w: Working = { ...order, remaining: order.quantity, triggered: order.type !== 'stop' && order.type !== 'stop-limit' };
    this.orders.set(order.orderId, w);
    this.check(w);
  }

  modify(orderId: number, changes: MatcherChanges): void {
    const w = this.orders.get(orderId);
    if (!w) return;
    if (changes.quantity !== undefined) {
      const filled = w.quantity - w.remaining;
      w.quantity = Math.max(changes.quantity, filled);
      w.remaining = w.quantity - filled;
    }
    if (changes.limitPrice !== undefined) w.limitPrice = changes.limitPrice;
    if (changes.triggerPrice !== undefined) w.triggerPrice = changes.triggerPrice;
    if (w.remaining <= 0) this.orders.delete(orderId);
    else this.check(w);
  }

  cancel(orderId: number): void {
    this.orders.delete(orderId);
  }

  onTouch(symbol: string, bid: Price | null, ask: Price | null): void {
    const t = this.touchOf(symbol);
    t.bid = bid;
    t.ask = ask;
    this.sweep(symbol, null);
  }

  onTrade(symbol: string, price: Price, _size: Quantity): void {
    this.touchOf(symbol).last = price;
    this.sweep(symbol, price);
  }

  private touchOf(symbol: string): { bid: Price | null; ask: Price | null; last: Price | null } {
    let t = this.touch.get(symbol);
    if (!t) this.touch.set(symbol, (t = { bid: null, ask: null, last: null }));
    return t;
  }

  private sweep(symbol: string, trade: Price | null): void {
    for (const w of [...this.orders.values()]) if (w.symbol === symbol) this.check(w, trade);
  }

  private check(w: Working, trade: Price | null = null): void {
    const t = this.touchOf(w.symbol);
    const buy = w.side === 'buy';
    const opposite = buy ? t.ask : t.bid;
    let byTrade = false;
    if (!w.triggered) {
      const ref = trade ?? opposite;
      if (ref === null || w.triggerPrice === undefined) return;
      if (buy ? ref < w.triggerPrice : ref > w.triggerPrice) return;
      w.triggered = true;
      byTrade = trade !== null;
    }
    let price: Price | null = null;
    if (w.type === 'market' || w.type === 'stop') {
      price = opposite ?? trade ?? t.last;
      // A stop triggered by a print fills at that print or worse: the touch may not show yet the levels it took
      // (the same rule as the simulated broker, adapters/simulated/sim-matcher.ts).
      if (byTrade && price !== null && trade !== null) price = buy ? Math.max(price, trade) : Math.min(price, trade);
    } else if (w.limitPrice !== undefined) {
      const lim = w.limitPrice;
      if (opposite !== null && (buy ? opposite <= lim : opposite >= lim)) price = opposite;
      else if (trade !== null && (buy ? trade < lim : trade > lim)) price = lim;
    }
    if (price === null) return;
    const qty = this.opts.partialFills && w.remaining > 1 ? Math.ceil(w.remaining / 2) : w.remaining;
    w.remaining -= qty;
    if (w.remaining <= 0) this.orders.delete(w.orderId);
    this.sink.fill(w.orderId, qty, price);
  }
}
