import type { DepthEvent, StreamKind, TradeEvent } from '../../../core/domain/market.js';
import type { Micros } from '../../../core/domain/units.js';
import { OP_CLEAR, OP_NAMES, TwsDepthBook } from './depth-book.js';
import type { TwsQuoteBuilder } from './quote-builder.js';
import type { StaleWatch } from '../../../core/engine/stale-watch.js';

/**
 * The depth half of a subscription: the emitted book, the one row held back until the next row or the end of the
 * socket read (IB marks no end of a batch, so the last row of a read carries `endOfBatch`), and the reused event.
 * The held row lives in plain fields, so holding and releasing a row allocates nothing.
 */
export class DepthStream {
  readonly book: TwsDepthBook;
  readonly out: DepthEvent;
  /** Consecutive batches that ended with the best bid at or above the best ask (K_cross). */
  crossedRun = 0;
  held = false;
  private bid = false;
  private op = 0;
  private position = 0;
  private price = 0;
  private size = 0;
  private mm = '';
  private recvAt: Micros = 0;

  constructor(symbol: string, levels: number, anomalyLimit: number, anomalyWindowUs: Micros) {
    this.book = new TwsDepthBook(levels, anomalyLimit, anomalyWindowUs);
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

  /** Holds the row the book just normalised (book.op/position/price/size); the receive time is the row's ingress. */
  hold(bid: boolean, marketMaker: string, now: Micros): void {
    const b = this.book;
    this.held = true;
    this.bid = bid;
    this.op = b.op;
    this.position = b.position;
    this.price = b.price;
    this.size = b.size;
    this.mm = marketMaker;
    this.recvAt = now;
  }

  /** The held row as the reused event (seq and epoch are the caller's). */
  take(endOfBatch: boolean): DepthEvent {
    this.held = false;
    const o = this.out;
    o.side = this.bid ? 'bid' : 'ask';
    o.operation = OP_NAMES[this.op]!;
    o.position = this.position;
    o.price = this.price;
    o.size = this.size;
    o.marketMaker = this.mm;
    o.endOfBatch = endOfBatch;
    o.recvTime = this.recvAt;
    return o;
  }

  /** A clear row, always a batch of its own; empties the book, which is invalid until the next batch ends. */
  clear(now: Micros): DepthEvent {
    this.book.clear();
    this.book.invalid = true;
    this.crossedRun = 0;
    const o = this.out;
    o.side = 'bid';
    o.operation = OP_NAMES[OP_CLEAR];
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
