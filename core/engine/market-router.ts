import type { BookView } from '../domain/book-view.js';
import type { DepthEvent, FeedStatusEvent, TradeEvent } from '../domain/market.js';
import { OrderBook } from '../domain/order-book.js';
import type { Disposer } from '../../ports/create-token.js';
import type { DepthBookKeeping } from '../../ports/market-data-feed.js';
import type { Strategy } from '../../ports/strategy.js';
import type { MarketView } from '../../plugins/sdk/contexts.js';
import type { EventBus } from '../events/event-bus.js';
import type { EventLoop } from './event-loop.js';
import type { Ledger } from './ledger.js';

type DepthHook = (event: DepthEvent, book: BookView) => void;
type TradeHook = (event: TradeEvent, book: BookView | undefined) => void;

/**
 * The per-event hot path: feed event → book → market hooks (the simulated broker) → strategies. It allocates
 * nothing per event: books are typed arrays, listener lists are arrays iterated by index, and strategy callbacks
 * are isolated with an inline try/catch rather than a closure.
 */
export class MarketRouter implements MarketView {
  private readonly books = new Map<string, OrderBook>();
  private readonly strategiesBySymbol = new Map<string, Strategy[]>();
  private depthHooks: DepthHook[] = [];
  private tradeHooks: TradeHook[] = [];
  private markListener: ((symbol: string) => void) | null = null;
  events = 0;
  anomalies = 0;
  /** Symbols whose feed reported a halt or gap; strategies see it through onStatus. */
  readonly halted = new Set<string>();
  /**
   * The last symbol's book and strategies: a replay is mostly one symbol, so two Map lookups per event become one
   * string comparison. Cleared whenever a book or a route is added.
   */
  private cachedSymbol: string | null = null;
  private cachedBook: OrderBook | undefined = undefined;
  private cachedList: Strategy[] | undefined = undefined;
  /** Whether the cached symbol's book is kept by the feed (it applied the row already). */
  private cachedKept = false;
  /** The feed that keeps the books (ports/market-data-feed.ts `DepthBookKeeping`), and the symbols it was lent. */
  private keeper: DepthBookKeeping | null = null;
  private readonly kept = new Set<string>();

  constructor(
    private readonly loop: EventLoop,
    private readonly bus: EventBus,
    private readonly ledger: Ledger,
    private readonly topN: number,
  ) {}

  addSymbol(symbol: string, maxLevels: number): OrderBook {
    let book = this.books.get(symbol);
    if (book === undefined) {
      const capacity = this.keeper?.capacity;
      book = new OrderBook(symbol, { maxLevels: Math.max(maxLevels, this.topN), topN: this.topN, capacity });
      this.books.set(symbol, book);
      this.cachedSymbol = null;
      this.lend(symbol, book);
    }
    return book;
  }

  /**
   * One book per symbol (docs/depth-rows.md#one-book): a feed with the `books` capability is lent every book, the
   * existing ones as they are and the later ones made as deep as it asks; their rows arrive already applied.
   * `null` takes the books back (the router applies rows again).
   */
  keepBooksBy(keeper: DepthBookKeeping | null): void {
    this.keeper = keeper;
    this.kept.clear();
    this.cachedSymbol = null;
    if (keeper !== null) for (const [symbol, book] of this.books) this.lend(symbol, book);
  }

  private lend(symbol: string, book: OrderBook): void {
    if (this.keeper === null) return;
    this.keeper.lend(symbol, book);
    this.kept.add(symbol);
  }

  route(strategy: Strategy, symbol: string): void {
    const list = this.strategiesBySymbol.get(symbol) ?? [];
    if (!list.includes(strategy)) list.push(strategy);
    this.strategiesBySymbol.set(symbol, list);
    this.cachedSymbol = null;
  }

  private select(symbol: string): void {
    if (symbol === this.cachedSymbol) return;
    this.cachedSymbol = symbol;
    this.cachedBook = this.books.get(symbol);
    this.cachedList = this.strategiesBySymbol.get(symbol);
    this.cachedKept = this.kept.has(symbol);
  }

  book(symbol: string): BookView | undefined {
    return this.books.get(symbol);
  }

  onDepth(listener: DepthHook): Disposer {
    this.depthHooks = [...this.depthHooks, listener];
    return () => {
      this.depthHooks = this.depthHooks.filter((l) => l !== listener);
    };
  }

  onTrade(listener: TradeHook): Disposer {
    this.tradeHooks = [...this.tradeHooks, listener];
    return () => {
      this.tradeHooks = this.tradeHooks.filter((l) => l !== listener);
    };
  }

  /**
   * Runtime risk monitors on marks: called after a print moved the ledger's mark of a symbol with an open position,
   * so an unrealised breach (daily loss) acts on the print that crossed it rather than on the next fill. Flat symbols
   * cost nothing beyond the ledger's one lookup per print.
   */
  onMark(listener: ((symbol: string) => void) | null): void {
    this.markListener = listener;
  }

  handleDepth(event: DepthEvent): void {
    this.select(event.symbol);
    const book = this.cachedBook;
    if (book === undefined) return;
    const entered = this.loop.begin();
    try {
      this.events++;
      if ((this.cachedKept ? book.flags : book.apply(event)) !== 0) this.anomalies++;
      const hooks = this.depthHooks;
      for (let i = 0; i < hooks.length; i++) hooks[i]!(event, book);
      if (!event.endOfBatch) return;
      // Re-read after the hooks: a hook may have routed a strategy or added a book (clearing the cache).
      this.select(event.symbol);
      const list = this.cachedList;
      if (list === undefined) return;
      for (let i = 0; i < list.length; i++) {
        const s = list[i]!;
        if (s.onBook === undefined) continue;
        try {
          s.onBook(book, event);
        } catch (error) {
          this.bus.reportListenerError(s.id, 'onBook', error);
        }
      }
    } finally {
      if (entered) this.loop.end();
    }
  }

  handleTrade(event: TradeEvent): void {
    const entered = this.loop.begin();
    try {
      this.events++;
      this.select(event.symbol);
      const book = this.cachedBook;
      const open = this.ledger.mark(event.symbol, event.price);
      if (this.markListener !== null && open !== 0) this.markListener(event.symbol);
      const hooks = this.tradeHooks;
      for (let i = 0; i < hooks.length; i++) hooks[i]!(event, book);
      this.select(event.symbol);
      const list = this.cachedList;
      if (list === undefined) return;
      for (let i = 0; i < list.length; i++) {
        const s = list[i]!;
        if (s.onTrade === undefined) continue;
        try {
          s.onTrade(event, book);
        } catch (error) {
          this.bus.reportListenerError(s.id, 'onTrade', error);
        }
      }
    } finally {
      if (entered) this.loop.end();
    }
  }

  handleStatus(event: FeedStatusEvent): void {
    const entered = this.loop.begin();
    try {
      this.events++;
      if (event.status === 'halted' || event.status === 'gap' || event.status === 'interrupted') this.halted.add(event.symbol);
      else if (event.status === 'resumed' || event.status === 'trading') this.halted.delete(event.symbol);
      const list = this.strategiesBySymbol.get(event.symbol) ?? [];
      for (const s of list) {
        if (s.onStatus === undefined) continue;
        try {
          s.onStatus(event);
        } catch (error) {
          this.bus.reportListenerError(s.id, 'onStatus', error);
        }
      }
    } finally {
      if (entered) this.loop.end();
    }
  }

  countQuote(): void {
    this.events++;
  }
}
