import type { BookView } from '../../core/domain/book-view.js';
import type { DepthEvent, TradeEvent } from '../../core/domain/market.js';
import type { OrderChanges } from '../../core/domain/orders.js';
import type { Price, Quantity } from '../../core/domain/units.js';
import type { BrokerEventName, BrokerEvents, CancelReason } from '../../ports/broker-adapter.js';
import type { Clock } from '../../ports/clock.js';
import type { SeededRandom } from '../../ports/strategy.js';
import type { MarketView } from '../../plugins/sdk/contexts.js';
import { commissionFor, type CommissionParams } from './commission-model.js';
import type { SimAccount } from './sim-account.js';
import { activeLimit, isTerminal, leaves, type SimOrder } from './sim-order.js';

/** The part of SimulatedBrokerOptions the matcher reads (the broker passes its options object as is). */
export interface SimMatcherOptions {
  clock: Clock;
  market: MarketView;
  random: SeededRandom;
  commission: CommissionParams;
  queueModel: 'tail' | 'probabilistic';
  execPrefix: string;
}

export type SimEmit = <K extends BrokerEventName>(event: K, payload: BrokerEvents[K]) => void;

/**
 * The working orders of one symbol, in working order, and what a market event of that symbol needs to know about
 * them. Built whole from the working list after any change to an order, never changed in place, so a pass over it
 * sees the orders that were working when the event began.
 */
interface SymbolWork {
  orders: SimOrder[];
  /** Price levels holding a limit of ours on each side (buys rest on the bid), with the orders at each, in working order. */
  bidPrices: number[];
  bidOrders: SimOrder[][];
  askPrices: number[];
  askOrders: SimOrder[][];
  /** The highest limit a buy could fill at (+Infinity: a market buy), -Infinity when no buy can fill. */
  maxBuy: number;
  /** The lowest limit a sell could fill at (-Infinity: a market sell), +Infinity when no sell can fill. */
  minSell: number;
}

/**
 * The simulated venue's matching: the working orders, their queue position at their limit, stop triggers on prints,
 * fills against the displayed book, and what a fill or cancel does to bracket children and OCA siblings. It runs on
 * every market event, so it is indexed by symbol and price level: a depth row updates the queue only of the orders
 * resting at its level, and the orders are offered the book only when its top reaches the best limit that could fill.
 * The index is rebuilt, at the next market event, after anything that changes which orders work or at what limit.
 */
export class SimMatcher {
  /** Every working order, in the order it started working (the order fills and random draws follow). */
  protected working: SimOrder[] = [];
  private execs = 0;
  private readonly bySymbol = new Map<string, SymbolWork>();
  /** The index no longer describes `working`. */
  private stale = false;
  /** The last symbol looked up: a replay is mostly one symbol, so the Map lookup per event becomes a comparison. */
  private lastSymbol: string | null = null;
  private lastWork: SymbolWork | undefined = undefined;

  constructor(
    private readonly o: SimMatcherOptions,
    /** Every order the broker tracks, by coid (shared with the broker, which adds to it). */
    private readonly orders: ReadonlyMap<string, SimOrder>,
    private readonly acct: SimAccount,
    private readonly emit: SimEmit,
  ) {}

  activate(o: SimOrder): void {
    if (o.live || isTerminal(o.status)) return;
    o.live = true;
    o.queueAhead = this.displayedAt(o);
    o.levelSeen = o.queueAhead;
    this.working.push(o);
    this.stale = true;
    this.tryFill(o, this.o.market.book(o.req.symbol));
  }

  /** A modification reached the venue: the order works with its new terms from now on. */
  amend(o: SimOrder, changes: OrderChanges): void {
    const repriced = changes.limitPrice !== undefined && changes.limitPrice !== o.req.limitPrice;
    o.req = { ...o.req, ...changes };
    if (repriced) o.queueAhead = this.displayedAt(o);
    this.stale = true;
  }

  /** A depth update: cancellations at our levels first, then anything the new book makes marketable. */
  onDepth(e: DepthEvent, book: BookView): void {
    if (this.working.length === 0) return;
    const w = this.work(e.symbol);
    if (w === undefined) return;
    const prices = e.side === 'bid' ? w.bidPrices : w.askPrices;
    for (let i = 0; i < prices.length; i++) {
      if (prices[i] !== e.price) continue;
      const at = (e.side === 'bid' ? w.bidOrders : w.askOrders)[i]!;
      for (let j = 0; j < at.length; j++) this.levelChanged(at[j]!, e.size);
      break;
    }
    if (!this.reachable(w, book)) return;
    const orders = w.orders;
    for (let i = 0; i < orders.length; i++) {
      const o = orders[i]!;
      if (o.live) this.tryFill(o, book);
    }
  }

  /**
   * Whether the book's top is at or through the best limit that could fill. Short of it, `tryFill` stops at the first
   * row for every order without touching anything, so not offering them the book changes nothing.
   */
  private reachable(w: SymbolWork, book: BookView): boolean {
    if (w.maxBuy > Number.NEGATIVE_INFINITY && book.levels('ask') > 0 && book.priceAt('ask', 0) <= w.maxBuy) return true;
    return w.minSell < Number.POSITIVE_INFINITY && book.levels('bid') > 0 && book.priceAt('bid', 0) >= w.minSell;
  }

  /**
   * Size leaving our price level other than by prints is cancellations. 'tail' assumes they all come from behind
   * us; 'probabilistic' lets each cancelled share be ahead of us with probability queueAhead / level size.
   */
  protected levelChanged(o: SimOrder, size: Quantity): void {
    const cancelled = o.levelSeen - size;
    if (cancelled > 0 && o.queueAhead > 0 && this.o.queueModel === 'probabilistic') {
      const share = Math.min(1, o.queueAhead / Math.max(o.levelSeen, 1));
      let ahead = 0;
      for (let i = 0; i < cancelled; i += 100) if (this.o.random.next() < share) ahead += Math.min(100, cancelled - i);
      o.queueAhead = Math.max(0, o.queueAhead - ahead);
    }
    o.levelSeen = size;
  }

  onTrade(t: TradeEvent, book: BookView | undefined): void {
    if (this.working.length === 0) return;
    const w = this.work(t.symbol);
    if (w === undefined) return;
    const orders = w.orders;
    for (let i = 0; i < orders.length; i++) {
      const o = orders[i]!;
      if (o.live && !isTerminal(o.status)) this.printed(o, t, book);
    }
  }

  /** One print of the order's symbol: stop triggers, fills through or at the limit (queue first), or the book. */
  protected printed(o: SimOrder, t: TradeEvent, book: BookView | undefined): void {
    const type = o.req.type;
    if ((type === 'stop' || type === 'stop-limit') && !o.triggered) {
      const trig = o.req.triggerPrice!;
      if (!((o.req.side === 'sell' && t.price <= trig) || (o.req.side === 'buy' && t.price >= trig))) return;
      o.triggered = true;
      o.queueAhead = 0;
      this.stale = true;
      this.emit('order.triggered', { coid: o.req.coid, at: this.now() });
      // A stop-market becomes a market order at this print, which traded through every bid above it (every offer
      // below it, for a buy). A recording gives a sweep's print before the depth rows that remove those levels,
      // so the displayed book is stale here: filling against it sold above the trigger, and a fake shelf's sweep
      // cost LMP −0.4 R instead of a full stop (docs/learning.md). It fills at the print or worse.
      if (activeLimit(o) === null) {
        this.tryFill(o, book, t.price);
        return;
      }
    }
    const limit = activeLimit(o);
    if (limit !== null) {
      const through = o.req.side === 'buy' ? t.price < limit : t.price > limit;
      if (through) {
        this.fill(o, leaves(o), limit);
        return;
      }
      if (t.price === limit && t.aggressor !== o.req.side) {
        o.levelSeen -= t.size;
        o.queueAhead -= t.size;
        if (o.queueAhead < 0) {
          this.fill(o, Math.min(leaves(o), -o.queueAhead), limit);
          o.queueAhead = 0;
        }
        return;
      }
    }
    this.tryFill(o, book);
  }

  /** The working orders of `symbol`, the index rebuilt first if an order changed since. */
  private work(symbol: string): SymbolWork | undefined {
    if (this.stale) this.reindex();
    else if (symbol === this.lastSymbol) return this.lastWork;
    this.lastSymbol = symbol;
    this.lastWork = this.bySymbol.get(symbol);
    return this.lastWork;
  }

  private reindex(): void {
    this.stale = false;
    this.lastSymbol = null;
    this.bySymbol.clear();
    for (const o of this.working) {
      let w = this.bySymbol.get(o.req.symbol);
      if (w === undefined) {
        w = {
          orders: [],
          bidPrices: [],
          bidOrders: [],
          askPrices: [],
          askOrders: [],
          maxBuy: Number.NEGATIVE_INFINITY,
          minSell: Number.POSITIVE_INFINITY,
        };
        this.bySymbol.set(o.req.symbol, w);
      }
      w.orders.push(o);
      const buy = o.req.side === 'buy';
      const price = o.req.limitPrice;
      if (price !== undefined) {
        const prices = buy ? w.bidPrices : w.askPrices;
        const lists = buy ? w.bidOrders : w.askOrders;
        const at = prices.indexOf(price);
        if (at >= 0) lists[at]!.push(o);
        else {
          prices.push(price);
          lists.push([o]);
        }
      }
      // What tryFill would cross at: nothing for a stop not yet triggered (or an order already done).
      if (isTerminal(o.status) || ((o.req.type === 'stop' || o.req.type === 'stop-limit') && !o.triggered)) continue;
      const limit = activeLimit(o);
      if (buy) w.maxBuy = Math.max(w.maxBuy, limit ?? Number.POSITIVE_INFINITY);
      else w.minSell = Math.min(w.minSell, limit ?? Number.NEGATIVE_INFINITY);
    }
  }

  /**
   * Cross against the displayed opposite side while it is at or better than our limit. `worst`: a price the fill
   * cannot beat (a stop triggered by a print fills at the print or worse).
   */
  tryFill(o: SimOrder, book: BookView | undefined, worst?: Price): void {
    if (book === undefined || isTerminal(o.status)) return;
    if ((o.req.type === 'stop' || o.req.type === 'stop-limit') && !o.triggered) return;
    const limit = activeLimit(o);
    const side = o.req.side === 'buy' ? 'ask' : 'bid';
    const rows = book.levels(side);
    for (let row = 0; row < rows && leaves(o) > 0 && !isTerminal(o.status); row++) {
      const price = book.priceAt(side, row);
      if (limit !== null && (o.req.side === 'buy' ? price > limit : price < limit)) break;
      const at = worst === undefined ? price : o.req.side === 'buy' ? Math.max(price, worst) : Math.min(price, worst);
      this.fill(o, Math.min(leaves(o), book.sizeAt(side, row)), at);
    }
  }

  private fill(o: SimOrder, qty: Quantity, price: Price): void {
    if (qty <= 0 || isTerminal(o.status)) return;
    o.filled += qty;
    if (o.budget !== undefined) {
      if (o.waitingFor === null) o.budget.cap = o.filled;
      else o.budget.filled += qty;
    }
    const done = o.filled >= o.req.quantity;
    o.status = done ? 'Filled' : 'PartiallyFilled';
    this.stale = true;
    const commission = commissionFor(this.o.commission, qty, price);
    const execId = `${this.o.execPrefix}-${++this.execs}`;
    this.emit('order.filled', {
      coid: o.req.coid,
      execId,
      symbol: o.req.symbol,
      side: o.req.side,
      qty,
      price,
      cumQty: o.filled,
      leavesQty: o.req.quantity - o.filled,
      status: done ? 'Filled' : 'PartiallyFilled',
      commission,
      orderRef: o.req.orderRef,
      at: this.now(),
    });
    const pos = this.acct.apply(o.req.symbol, o.req.side, qty, price, commission);
    this.emit('position.changed', {
      symbol: o.req.symbol,
      qty: pos.quantity,
      avgPrice: pos.averagePrice,
      realizedPnl: pos.realizedPnl,
      source: 'fill',
      at: this.now(),
    });
    // Children were transmitted with the parent and held at the venue: they work from the parent's first fill on,
    // for what it has filled so far (leaves() caps them by the shared budget), so a partly filled entry is protected.
    for (const child of o.children) {
      const c = this.orders.get(child);
      if (c !== undefined && !isTerminal(c.status)) this.activate(c);
    }
    if (!done) {
      // A child whose parent is done filling (cancelled after a partial fill) is done once the budget is used up.
      if (o.budget !== undefined && o.waitingFor !== null && o.budget.filled >= o.budget.cap && this.parentDone(o)) this.finishOca(o);
      return;
    }
    this.working = this.working.filter((w) => w !== o);
    if (o.req.ocaGroup !== undefined) this.finishOca(o);
  }

  private parentDone(child: SimOrder): boolean {
    const parent = child.waitingFor === null ? undefined : this.orders.get(child.waitingFor);
    return parent === undefined || isTerminal(parent.status);
  }

  /** One OCA member completed: the others are cancelled (at the venue or still held). */
  private finishOca(o: SimOrder): void {
    if (o.req.ocaGroup === undefined) return;
    for (const other of this.working.slice()) if (other !== o && other.req.ocaGroup === o.req.ocaGroup) this.cancelNow(other, 'oca');
    for (const other of this.orders.values())
      if (other !== o && !other.live && other.req.ocaGroup === o.req.ocaGroup && !isTerminal(other.status)) this.cancelNow(other, 'oca');
  }

  cancelNow(o: SimOrder, reason: CancelReason): void {
    if (isTerminal(o.status)) return;
    o.status = 'Cancelled';
    this.working = this.working.filter((w) => w !== o);
    this.stale = true;
    this.emit('order.cancelled', {
      coid: o.req.coid,
      filledQty: o.filled,
      cancelledQty: o.req.quantity - o.filled,
      reason,
      at: this.now(),
    });
    for (const child of o.children) {
      const c = this.orders.get(child);
      if (c === undefined || isTerminal(c.status)) continue;
      if (o.filled === 0) {
        this.cancelNow(c, 'parent-cancelled');
        continue;
      }
      // The parent stopped after a partial fill: its children keep protecting what it filled, and no more.
      const left = Math.max(0, o.filled - (o.budget?.filled ?? 0));
      if (left === 0) {
        this.cancelNow(c, 'oca');
        continue;
      }
      c.req = { ...c.req, quantity: c.filled + left };
      this.stale = true;
      this.emit('order.modified', {
        coid: c.req.coid,
        price: c.req.limitPrice ?? null,
        qty: c.req.quantity,
        triggerPrice: c.req.triggerPrice ?? null,
        leavesQty: leaves(c),
        reason: 'parent-cancelled-partly-filled',
        at: this.now(),
      });
    }
  }

  /** Displayed size at the order's limit on its own side: where a resting limit joins the queue. */
  displayedAt(o: SimOrder): Quantity {
    const book = this.o.market.book(o.req.symbol);
    const limit = o.req.limitPrice;
    if (book === undefined || limit === undefined) return 0;
    const side = o.req.side === 'buy' ? 'bid' : 'ask';
    for (let row = 0; row < book.levels(side); row++) if (book.priceAt(side, row) === limit) return book.sizeAt(side, row);
    return 0;
  }

  private now(): number {
    return this.o.clock.now();
  }
}
