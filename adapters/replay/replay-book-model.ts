import {
  DepthRowSide,
  ROW_ANOMALY,
  ROW_BAD,
  ROW_DELETE,
  ROW_DROPPED,
  ROW_INSERT,
  ROW_OK,
  ROW_UPDATE,
} from '../../core/domain/depth-rows.js';
import type { BookSide, DepthEvent } from '../../core/domain/market.js';

/** Rows kept per side; IB depth asks for at most 20, so this is never reached by a sane source. */
const CAPACITY = 256;

/** `apply` results, as the shared row model's bits (core/domain/depth-rows.ts): applied; addressed beyond the book; not to be delivered. */
export { ROW_ANOMALY, ROW_DROPPED, ROW_OK } from '../../core/domain/depth-rows.js';

/** The row model's side plus a binary search for price-keyed sources (LOBSTER, the generator keep deeper books). */
class SideRows extends DepthRowSide {
  constructor(
    levels: number,
    private readonly descending: boolean,
  ) {
    super(levels, CAPACITY);
  }

  /** Index of `price` in a price-keyed side, or −(insertion point) − 1 (binary search on the sort order). */
  find(price: number): number {
    let lo = 0;
    let hi = this.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const x = this.prices[mid]!;
      if (x === price) return mid;
      if (this.descending ? x > price : x < price) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }
}

/**
 * The source's depth book as the feed has delivered it, so the feed can judge batches (crossed) and replay a
 * resubscription's snapshot. Row-keyed rows (position ≥ 0) follow the row-array model of the conformance cards
 * (docs/tws-adapter.md#depth-rows): insert shifts down and cuts to the requested rows, update replaces (or appends beyond the end), delete
 * shifts up; what a source addresses beyond the book is normalised as a live feed does
 * (card FEED-13, `applyRow`; docs/conformance-cards.md#feed-13). Price-keyed rows (position −1: LOBSTER, the generator) locate their level
 * by price.
 */
export class ReplayBookModel {
  readonly bids: SideRows;
  readonly asks: SideRows;
  /** Whether the last row was price-keyed: a snapshot is replayed in the same keying. */
  priceKeyed = false;

  constructor(levels: number) {
    this.bids = new SideRows(levels, true);
    this.asks = new SideRows(levels, false);
  }

  /** Applies one row; returns ROW_* bits (row-keyed rows may be rewritten in place, see `applyRow`). */
  apply(e: DepthEvent): number {
    if (e.operation === 'clear') {
      this.bids.clear();
      this.asks.clear();
      return ROW_OK;
    }
    const side = e.side === 'bid' ? this.bids : this.asks;
    if (e.position >= 0) return this.applyRow(side, e);
    this.applyPriceKeyed(side, e);
    return ROW_OK;
  }

  /** Best price of a side, or 0 when the side is empty. */
  best(side: BookSide): number {
    const s = side === 'bid' ? this.bids : this.asks;
    return s.length > 0 ? s.prices[0]! : 0;
  }

  /** Both sides present and the best bid at or above the best ask. */
  crossed(): boolean {
    return this.bids.length > 0 && this.asks.length > 0 && this.bids.prices[0]! >= this.asks.prices[0]!;
  }

  rows(): number {
    return this.bids.length + this.asks.length;
  }

  /** Row `i` of the snapshot order (bids best first, then asks) written into `out` as an insert. */
  snapshotRow(i: number, out: DepthEvent): void {
    const onBid = i < this.bids.length;
    const s = onBid ? this.bids : this.asks;
    const p = onBid ? i : i - this.bids.length;
    out.side = onBid ? 'bid' : 'ask';
    out.operation = 'insert';
    out.position = this.priceKeyed ? -1 : p;
    out.price = s.prices[p]!;
    out.size = s.sizes[p]!;
  }

  /**
   * Row semantics of core/domain/depth-rows.ts, normalised in place on `e` as a live feed does to its source: an
   * update or insert beyond the side's end becomes an insert at the end (never padded) and is an anomaly; a row that
   * would land outside the requested rows changes nothing and is not delivered; a delete of a row that is not there
   * changes nothing (an anomaly inside the requested rows) and is delivered as recorded; a malformed row is an
   * anomaly and is not delivered.
   */
  private applyRow(side: SideRows, e: DepthEvent): number {
    this.priceKeyed = false;
    const op = e.operation === 'insert' ? ROW_INSERT : e.operation === 'update' ? ROW_UPDATE : ROW_DELETE;
    const flags = side.apply(op, e.position, e.price, e.size);
    if (flags & ROW_BAD) return ROW_ANOMALY | ROW_DROPPED;
    if (op === ROW_DELETE) return flags & ROW_ANOMALY;
    if (flags & ROW_DROPPED) return flags;
    e.operation = side.op === ROW_INSERT ? 'insert' : 'update';
    e.position = side.position;
    return flags;
  }

  /** The closing mark for a batch whose last row was not delivered: the side's last row restated, as an update. */
  restateLast(side: BookSide, out: DepthEvent): void {
    const s = side === 'bid' ? this.bids : this.asks;
    out.side = side;
    out.operation = 'update';
    out.position = s.length - 1;
    out.price = s.prices[s.length - 1]!;
    out.size = s.sizes[s.length - 1]!;
  }

  private applyPriceKeyed(side: SideRows, e: DepthEvent): void {
    this.priceKeyed = true;
    const at = side.find(e.price);
    if (e.operation === 'delete') {
      if (at >= 0) side.removeAt(at);
    } else if (at >= 0) {
      side.sizes[at] = e.size;
    } else if (side.length < CAPACITY) {
      side.insertAt(-at - 1, e.price, e.size);
    }
  }
}
