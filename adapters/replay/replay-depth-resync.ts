import type { DepthEvent } from '../../core/domain/market.js';
import type { Micros } from '../../core/domain/units.js';
import type { FeedEventName, FeedEvents, SubscriptionHandle } from '../../ports/market-data-feed.js';
import type { OrderBook } from '../../core/domain/order-book.js';
import type { BookCopy } from './replay-book-model.js';

/** The part of a replay subscription the depth checks read and move. */
export interface ResyncSub {
  readonly handle: SubscriptionHandle;
  seq: number;
  epoch: number;
  /** Data arrives but cannot be trusted (a gap, a crossed book) until it flows (depth: a clean batch) again. */
  suspect: boolean;
  /**
   * Depth only: the book as delivered, the kernel's when it lent one (ports/market-data-feed.ts `DepthBookKeeping`),
   * to judge batches and to restate a resubscription's snapshot. Every delivered row is applied to it first.
   */
  book: OrderBook | null;
  /** Whether the last source row was price-keyed: a snapshot is restated in the same keying. */
  priceKeyed: boolean;
  crossedRun: number;
  /** Depth rows delivered since the last end-of-batch mark. */
  batchOpen: boolean;
}

export interface ResyncHost {
  /** K_cross: consecutive crossed batch ends before the book is suspect. */
  readonly kCross: number;
  /** Rows addressed beyond the book (card FEED-13 counter `depth-beyond-book`, docs/conformance-cards.md#feed-13). */
  beyondBook: number;
  /** The one row object the feed itself emits (clears and snapshots); listeners copy what they keep. */
  readonly synth: DepthEvent;
  /** Scratch for a resync: the book's rows, copied before it is cleared. */
  readonly copy: BookCopy;
  emit<K extends FeedEventName>(event: K, payload: FeedEvents[K]): void;
  /** Numbers the row in the subscription's (epoch, seq) and emits it. */
  deliver(sub: ResyncSub, e: DepthEvent): void;
}

export function newSynthRow(): DepthEvent {
  return {
    kind: 'depth',
    symbol: '',
    side: 'bid',
    position: 0,
    operation: 'clear',
    price: 0,
    size: 0,
    marketMaker: '',
    endOfBatch: true,
    seq: 0,
    epoch: 1,
    recvTime: 0,
    exchTime: null,
  };
}

/**
 * Card FEED-20 b (docs/conformance-cards.md#feed-20): a book crossed at K_cross batch ends in a row is out of sync; the next clean batch
 * resumes it. `last`: the batch's closing row (its time is read only for a resync: a time passed as a number would be
 * boxed at every batch end, bench/alloc-profile.ts).
 */
export function judgeBatch(host: ResyncHost, sub: ResyncSub, last: DepthEvent): void {
  if (!sub.book!.crossed) {
    sub.crossedRun = 0;
    if (sub.suspect) {
      sub.suspect = false;
      host.emit('feed.resumed', { symbol: sub.handle.symbol, stream: 'depth' });
    }
  } else if (!sub.suspect && ++sub.crossedRun >= host.kCross) {
    resync(host, sub, 'crossed', last.recvTime);
  }
}

/**
 * What a live feed does by cancelling and re-requesting depth (cards FEED-13, 14 b, 20 b, 40 c; docs/conformance-cards.md#feed-13): a clear
 * in a batch of its own, a new epoch, then the source's book as a fresh batch of inserts. A recording cannot be asked again, so
 * the fresh batch is the book as delivered so far, copied before the clear empties it: the book ends with the same rows,
 * under epoch + 1. While
 * suspect, crossed batches start no further resync (no resubscribe loop).
 */
export function resync(host: ResyncHost, sub: ResyncSub, reason: 'crossed' | 'gap' | 'depth-anomaly' | null, now: Micros): void {
  const { symbol } = sub.handle;
  if (reason !== null) {
    sub.suspect = true;
    host.emit('feed.suspect', { symbol, stream: 'depth', reason });
  }
  const book = sub.book!;
  const copy = host.copy;
  copy.take(book);
  const row = host.synth;
  row.symbol = symbol;
  row.recvTime = now;
  row.operation = 'clear';
  row.side = 'bid';
  row.position = 0;
  row.price = 0;
  row.size = 0;
  row.endOfBatch = true;
  book.ingestRestated(row);
  host.deliver(sub, row);
  sub.epoch++;
  sub.seq = 0;
  sub.crossedRun = 0;
  sub.batchOpen = false;
  host.emit('feed.resubscribed', { symbol, stream: 'depth', epoch: sub.epoch });
  const n = copy.rows;
  for (let i = 0; i < n; i++) {
    copy.row(i, row, sub.priceKeyed);
    row.endOfBatch = i === n - 1;
    book.ingestRestated(row);
    host.deliver(sub, row);
  }
  if (n > 0) judgeBatch(host, sub, row);
}
