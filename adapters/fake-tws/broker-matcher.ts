import type { BookSide, DepthEvent, MarketEvent, TradeEvent } from '../../core/domain/market.js';
import type { BookView } from '../../core/domain/book-view.js';
import type { Micros, Price, Quantity } from '../../core/domain/units.js';
import type { Disposer } from '../../ports/create-token.js';
import type { IBrokerAdapter } from '../../ports/broker-adapter.js';
import type { MarketView } from '../../plugins/sdk/contexts.js';
import { RowBook } from './depth-rows.js';
import type { FakeMatcher, MatcherChanges, MatcherOrder, MatcherSink } from './fake-matcher.js';

const TOP_N = 5;

/** A read-only BookView over the fake's full-depth RowBook (prices already in Price units). */
class RowBookView implements BookView {
  lastRecvTime: Micros = 0;
  lastExchTime: Micros | null = null;
  constructor(
    readonly symbol: string,
    readonly rows: RowBook,
  ) {}
  private side(s: BookSide): 0 | 1 {
    return s === 'bid' ? 1 : 0;
  }
  get bestBid(): Price {
    return this.rows.level(1, 0)?.price ?? 0;
  }
  get bestAsk(): Price {
    return this.rows.level(0, 0)?.price ?? 0;
  }
  get bestBidSize(): Quantity {
    return this.rows.level(1, 0)?.size ?? 0;
  }
  get bestAskSize(): Quantity {
    return this.rows.level(0, 0)?.size ?? 0;
  }
  get spread(): Price {
    return this.bestAsk - this.bestBid;
  }
  get mid2(): Price {
    return this.bestAsk + this.bestBid;
  }
  get topN(): number {
    return TOP_N;
  }
  get crossed(): boolean {
    return this.bestBid > 0 && this.bestAsk > 0 && this.bestBid >= this.bestAsk;
  }
  get maxBidSizeTopN(): Quantity {
    let max = 0;
    for (let i = 0; i < Math.min(TOP_N, this.rows.depth(1)); i++) max = Math.max(max, this.rows.level(1, i)!.size);
    return max;
  }
  private reads = 0;
  /** The fake's rows are changed behind this view, so every read counts as changed (allowed by BookView.changes). */
  changes(): number {
    return ++this.reads;
  }
  levels(side: BookSide): number {
    return this.rows.depth(this.side(side));
  }
  priceAt(side: BookSide, row: number): Price {
    return this.rows.level(this.side(side), row)?.price ?? 0;
  }
  sizeAt(side: BookSide, row: number): Quantity {
    return this.rows.level(this.side(side), row)?.size ?? 0;
  }
  topVolume(side: BookSide): Quantity {
    let v = 0;
    for (let i = 0; i < Math.min(TOP_N, this.levels(side)); i++) v += this.sizeAt(side, i);
    return v;
  }
}

/**
 * The market as an adapter context sees it (`AdapterContext.market`), fed by the fake's market hub: pass it to a
 * broker such as the simulated broker so that it matches against the same events the TWS clients receive.
 */
export class FakeMarketView implements MarketView {
  private readonly books = new Map<string, RowBookView>();
  private readonly depthListeners = new Set<(e: DepthEvent, b: BookView) => void>();
  private readonly tradeListeners = new Set<(e: TradeEvent, b: BookView | undefined) => void>();

  book(symbol: string): BookView | undefined {
    return this.books.get(symbol);
  }
  onDepth(listener: (event: DepthEvent, book: BookView) => void): Disposer {
    this.depthListeners.add(listener);
    return () => this.depthListeners.delete(listener);
  }
  onTrade(listener: (event: TradeEvent, book: BookView | undefined) => void): Disposer {
    this.tradeListeners.add(listener);
    return () => this.tradeListeners.delete(listener);
  }

  feed(ev: MarketEvent): void {
    if (ev.kind === 'depth') {
      let view = this.books.get(ev.symbol);
      if (!view) this.books.set(ev.symbol, (view = new RowBookView(ev.symbol, new RowBook())));
      view.rows.apply(ev, () => undefined);
      view.lastRecvTime = ev.recvTime;
      view.lastExchTime = ev.exchTime;
      for (const l of this.depthListeners) l(ev, view);
    } else if (ev.kind === 'trade') {
      for (const l of this.tradeListeners) l(ev, this.books.get(ev.symbol));
    }
  }
}

/**
 * Puts any `IBrokerAdapter` (e.g. the simulated broker) behind the fake TWS: orders go to `broker.submit/modify/
 * cancel` with coid = the TWS order id, and its `order.filled` events come back as TWS fills. The broker sees the
 * market through `view`, which this matcher feeds with every event the hub publishes.
 */
export class BrokerBackedMatcher implements FakeMatcher {
  private sink: MatcherSink = { fill: () => undefined, reject: () => undefined };
  private readonly offs: Disposer[];

  constructor(
    private readonly broker: IBrokerAdapter,
    readonly view: FakeMarketView = new FakeMarketView(),
  ) {
    this.offs = [
      broker.on('order.filled', (f) => {
        const id = Number(f.coid);
        if (Number.isInteger(id)) this.sink.fill(id, f.qty, f.price);
      }),
      broker.on('order.rejected', (r) => {
        const id = Number(r.coid);
        if (Number.isInteger(id)) this.sink.reject(id, `${r.code}: ${r.reason}`);
      }),
    ];
  }

  setSink(sink: MatcherSink): void {
    this.sink = sink;
  }

  submit(o: MatcherOrder): void {
    const receipt = this.broker.submit({
      coid: String(o.orderId),
      symbol: o.symbol,
      side: o.side,
      type: o.type,
      quantity: o.quantity,
      limitPrice: o.limitPrice,
      triggerPrice: o.triggerPrice,
      tif: 'day',
      orderRef: `fake-tws-${o.orderId}`,
    });
    if (receipt.status === 'rejected') this.sink.reject(o.orderId, `${receipt.code}: ${receipt.reason}`);
  }

  modify(orderId: number, changes: MatcherChanges): void {
    this.broker.modify(String(orderId), changes);
  }
  cancel(orderId: number): void {
    this.broker.cancel(String(orderId));
  }
  onTouch(): void {}
  onTrade(): void {}
  onEvent(ev: MarketEvent): void {
    this.view.feed(ev);
  }

  dispose(): void {
    for (const off of this.offs) off();
  }
}
