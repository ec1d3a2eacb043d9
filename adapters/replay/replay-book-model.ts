import { OrderBook } from '../../core/domain/order-book.js';
import type { BookSide, DepthEvent } from '../../core/domain/market.js';

/**
 * Rows per side the replay feed needs its book to hold: price-keyed sources (LOBSTER, the generator) can be deeper
 * than the rows subscribed, and a resync restates all of them. IB depth asks for at most 20 rows.
 */
export const REPLAY_BOOK_CAPACITY = 256;

/** `ingest` results, the shared row model's bits (core/domain/depth-rows.ts): applied; addressed beyond the book; not to be delivered. */
export { ROW_ANOMALY, ROW_DROPPED, ROW_OK } from '../../core/domain/depth-rows.js';

/**
 * The feed's own book for a depth subscription when the kernel lent none (a feed used on its own, the conformance
 * kit): the same OrderBook, `levels` rows in view (at most 20, as IB allows).
 */
export function ownBook(symbol: string, levels: number): OrderBook {
  const rows = Math.min(20, Math.max(1, levels));
  return new OrderBook(symbol, { maxLevels: rows, topN: 1, capacity: REPLAY_BOOK_CAPACITY });
}

/**
 * A copy of a book's held rows (bids best first, then asks), taken before a resync clears the book so the snapshot
 * can restate them. Preallocated: a resync allocates nothing.
 */
export class BookCopy {
  private readonly prices = new Float64Array(2 * REPLAY_BOOK_CAPACITY);
  private readonly sizes = new Float64Array(2 * REPLAY_BOOK_CAPACITY);
  private bids = 0;
  rows = 0;

  take(book: OrderBook): void {
    const nb = Math.min(book.heldRows('bid'), REPLAY_BOOK_CAPACITY);
    const na = Math.min(book.heldRows('ask'), REPLAY_BOOK_CAPACITY);
    for (let i = 0; i < nb; i++) {
      this.prices[i] = book.heldPrice('bid', i);
      this.sizes[i] = book.heldSize('bid', i);
    }
    for (let i = 0; i < na; i++) {
      this.prices[nb + i] = book.heldPrice('ask', i);
      this.sizes[nb + i] = book.heldSize('ask', i);
    }
    this.bids = nb;
    this.rows = nb + na;
  }

  /** Row `i` of the copy written into `out` as an insert, keyed as the source was (`priceKeyed`: position −1). */
  row(i: number, out: DepthEvent, priceKeyed: boolean): void {
    const onBid = i < this.bids;
    out.side = onBid ? 'bid' : 'ask';
    out.operation = 'insert';
    out.position = priceKeyed ? -1 : onBid ? i : i - this.bids;
    out.price = this.prices[i]!;
    out.size = this.sizes[i]!;
  }
}

/** The closing mark for a batch whose last row was not delivered: the side's last row restated, as an update. */
export function restateLast(book: OrderBook, side: BookSide, out: DepthEvent): void {
  const last = book.heldRows(side) - 1;
  out.side = side;
  out.operation = 'update';
  out.position = last;
  out.price = last >= 0 ? book.heldPrice(side, last) : 0;
  out.size = last >= 0 ? book.heldSize(side, last) : 0;
}
