import { BurstWindow } from '../../../core/domain/burst-window.js';
import { ROW_DELETE } from '../../../core/domain/depth-rows.js';
import type { DepthEvent, StreamKind, TradeEvent } from '../../../core/domain/market.js';
import { OrderBook } from '../../../core/domain/order-book.js';
import type { Micros } from '../../../core/domain/units.js';
import type { TwsQuoteBuilder } from './quote-builder.js';
import type { StaleWatch } from '../../../core/engine/stale-watch.js';

/** Operation names by IB's numbers (0 insert, 1 update, 2 delete). */
const OP_NAMES = ['insert', 'update', 'delete'] as const;

/**
 * The depth half of a subscription: the book as delivered, the one row held back until the next row or the end of
 * the socket read (IB marks no end of a batch, so the last row of a read carries `endOfBatch`), and the reused event.
 *
 * The book is the kernel's when it lent one (ports/market-data-feed.ts `DepthBookKeeping`, docs/depth-rows.md#one-book),
 * else the stream's own. The held row is kept as IB sent it and applied to the book only when it is delivered, so a
 * listener of row N reads a book of exactly rows 1..N. It lives in plain fields: holding a row allocates nothing.
 */
export class DepthStream {
  book: OrderBook;
  /** K_depth rows addressed beyond the book within the window (card FEED-13, docs/conformance-cards.md#feed-13). */
  readonly anomalies: BurstWindow;
  readonly out: DepthEvent;
  /** Consecutive batches that ended with the best bid at or above the best ask (K_cross). */
  crossedRun = 0;
  held = false;
  /** Rows were delivered since the last end-of-batch mark. */
  batchOpen = false;
  private bid = false;
  private op = 0;
  private position = 0;
  private price = 0;
  private size = 0;
  private mm = '';
  private recvAt: Micros = 0;

  constructor(symbol: string, levels: number, anomalyLimit: number, anomalyWindowUs: Micros, lent: OrderBook | undefined) {
    this.book = lent ?? new OrderBook(symbol, { maxLevels: levels, topN: 1 });
    this.anomalies = new BurstWindow(anomalyLimit, anomalyWindowUs);
    this.out = {
      kind: 'depth',
      symbol,
      side: 'bid',
      position: 0,
      operation: 'update',
      price: 0,
      size: 0,
      marketMaker: '',
      endOfBatch: false,
      seq: 0,
      epoch: 1,
      recvTime: 0,
      exchTime: null,
    };
  }

  /** Holds a checked IB row (operation 0..2) as sent; the receive time is the row's ingress. */
  hold(bid: boolean, operation: number, position: number, price: number, size: number, marketMaker: string, now: Micros): void {
    this.held = true;
    this.bid = bid;
    this.op = operation;
    this.position = position;
    this.price = price;
    this.size = size;
    this.mm = marketMaker;
    this.recvAt = now;
  }

  /**
   * The held row as the reused event, not yet applied (seq and epoch are the caller's). A delete names the row it
   * will remove, as the book holds it; one addressed past the end carries no price or size.
   */
  take(endOfBatch: boolean): DepthEvent {
    this.held = false;
    const o = this.out;
    o.side = this.bid ? 'bid' : 'ask';
    o.operation = OP_NAMES[this.op]!;
    o.position = this.position;
    if (this.op === ROW_DELETE) {
      const there = this.position < this.book.heldRows(o.side);
      o.price = there ? this.book.heldPrice(o.side, this.position) : 0;
      o.size = there ? this.book.heldSize(o.side, this.position) : 0;
    } else {
      o.price = this.price;
      o.size = this.size;
    }
    o.marketMaker = this.mm;
    o.endOfBatch = endOfBatch;
    o.recvTime = this.recvAt;
    return o;
  }

  /**
   * The mark that closes a batch whose last row was not delivered (`out` still holds that row, an insert or update
   * beyond a full side): the side's last row restated as an update, which leaves the book as it is.
   */
  closer(): DepthEvent {
    const o = this.out;
    const last = this.book.heldRows(o.side) - 1;
    o.operation = 'update';
    o.position = last;
    o.price = this.book.heldPrice(o.side, last);
    o.size = this.book.heldSize(o.side, last);
    o.marketMaker = '';
    o.endOfBatch = true;
    return o;
  }

  /** A clear row, always a batch of its own (the caller applies it to the book). */
  clear(now: Micros): DepthEvent {
    this.crossedRun = 0;
    this.batchOpen = false;
    const o = this.out;
    o.side = 'bid';
    o.operation = 'clear';
    o.position = 0;
    o.price = 0;
    o.size = 0;
    o.marketMaker = '';
    o.endOfBatch = true;
    o.recvTime = now;
    return o;
  }
}

/** One (symbol, stream) line, shared by its holders; the IB request behind it changes with each epoch. */
export interface FeedSub {
  readonly key: string;
  readonly symbol: string;
  readonly stream: StreamKind;
  /** Handle ids of the holders; the line is released when the last one leaves. */
  readonly holders: Set<number>;
  /** The IB request id of the live request; -1 while none is out (link down, or not requested yet). */
  reqId: number;
  seq: number;
  epoch: number;
  readonly levels: number;
  readonly watch: StaleWatch;
  /** Interrupted (link lost, upstream lost) or restored: the next data emits `feed.resumed`. */
  resumePending: boolean;
  /** Reported `feed.suspect`; a clean depth batch emits `feed.resumed`. */
  suspect: boolean;
  released: boolean;
  /** In the feed's end-of-turn flush list. */
  queued: boolean;
  /** Waiting for its contract's qualification; the request goes out when it resolves. */
  qualifying: boolean;
  readonly quote: TwsQuoteBuilder | null;
  readonly depth: DepthStream | null;
  readonly trade: TradeEvent | null;
}

export function tradeEvent(symbol: string): TradeEvent {
  return {
    kind: 'trade',
    symbol,
    price: 0,
    size: 0,
    aggressor: 'unknown',
    aggressorSource: 'inferred',
    seq: 0,
    epoch: 1,
    recvTime: 0,
    exchTime: null,
  };
}
