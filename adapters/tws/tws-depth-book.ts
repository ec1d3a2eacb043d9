import { BurstWindow } from '../../core/domain/burst-window.js';
import type { Micros } from '../../core/domain/units.js';

/** Operation codes as IB numbers them (0 insert, 1 update, 2 delete), plus the feed's own clear. */
export const OP_INSERT = 0;
export const OP_UPDATE = 1;
export const OP_DELETE = 2;
export const OP_CLEAR = 3;
export const OP_NAMES = ['insert', 'update', 'delete', 'clear'] as const;

/** Rows kept per side; IB serves at most 20 depth rows, so a sane source never gets near it. */
const CAPACITY = 64;

/** One side as parallel typed arrays: applying a row allocates nothing. */
class SideRows {
  readonly prices = new Float64Array(CAPACITY);
  readonly sizes = new Float64Array(CAPACITY);
  length = 0;

  insertAt(at: number, price: number, size: number, limit: number): void {
    const end = Math.min(this.length, CAPACITY - 1);
    this.prices.copyWithin(at + 1, at, end);
    this.sizes.copyWithin(at + 1, at, end);
    this.prices[at] = price;
    this.sizes[at] = size;
    this.length = Math.min(end + 1, limit);
  }

  removeAt(p: number): void {
    this.prices.copyWithin(p, p + 1, this.length);
    this.sizes.copyWithin(p, p + 1, this.length);
    this.length--;
  }
}

/**
 * The depth book as the feed has emitted it, per IB row semantics (docs/tws-adapter.md#depth-rows): insert
 * shifts rows down and cuts the side to the requested rows, update replaces in place, delete shifts up. It is kept
 * so the feed can normalise what IB gets wrong and judge batches:
 * - an update (or insert) at a position beyond the side's length is appended at the end, never padded with
 *   placeholder rows, and counted as a depth anomaly (ib_async #33: such rows happen on live books);
 * - an update beyond a full side, or a delete of a row that is not there, has nothing to change: dropped, counted;
 * - a delete carries the price and size of the row it removes;
 * - K_depth anomalies inside the window mean the book is out of sync with TWS (`anomalyBurst`), and the feed
 *   resyncs it (card FEED-13, docs/conformance-cards.md#feed-13).
 *
 * `apply` writes the row to emit into `op`, `position`, `price`, `size` (no result object per row).
 */
export class TwsDepthBook {
  readonly bids = new SideRows();
  readonly asks = new SideRows();
  /** After a reset (317) until the next batch end: the book is being rebuilt, so it is not judged. */
  invalid = false;
  op = OP_UPDATE;
  position = 0;
  price = 0;
  size = 0;
  /** Whether the last `apply` was an anomaly (the caller counts it). */
  anomaly = false;
  private readonly anomalies: BurstWindow;

  constructor(readonly levels: number, anomalyLimit: number, anomalyWindowUs: Micros) {
    this.anomalies = new BurstWindow(anomalyLimit, anomalyWindowUs);
  }

  /** Applies one IB row. Returns false when it changes nothing and emits nothing (an anomaly or a bad operation). */
  apply(bid: boolean, position: number, operation: number, price: number, size: number): boolean {
    const s = bid ? this.bids : this.asks;
    this.anomaly = false;
    this.price = price;
    this.size = size;
    if (operation === OP_INSERT || (operation === OP_UPDATE && position >= s.length)) {
      if (position > s.length || operation === OP_UPDATE) this.anomaly = true;
      const at = Math.min(position, s.length);
      if (at >= this.levels) return false; // beyond a full side: outside the requested rows
      s.insertAt(at, price, size, this.levels);
      this.op = OP_INSERT;
      this.position = at;
      return true;
    }
    if (operation === OP_UPDATE) {
      s.prices[position] = price;
      s.sizes[position] = size;
      this.op = OP_UPDATE;
      this.position = position;
      return true;
    }
    if (operation === OP_DELETE) {
      if (position >= s.length) {
        // A delete at or past the requested row count names the row an insert just pushed out of the window, which
        // the side already cut (docs/tws-adapter.md#depth-rows: whether TWS sends it is unverified; the fake TWS does).
        // Only a missing row inside the window means the book is out of step.
        this.anomaly = position < this.levels;
        return false;
      }
      this.price = s.prices[position]!;
      this.size = s.sizes[position]!;
      s.removeAt(position);
      this.op = OP_DELETE;
      this.position = position;
      return true;
    }
    return false;
  }

  /** Records an anomaly at `now`; true when K_depth of them fell inside the window (then the count starts over). */
  anomalyBurst(now: Micros): boolean {
    return this.anomalies.hit(now);
  }

  /** Both sides present and the best bid at or above the best ask (docs/tws-adapter.md#depth-batches: suspect after K_cross batches). */
  crossed(): boolean {
    return this.bids.length > 0 && this.asks.length > 0 && this.bids.prices[0]! >= this.asks.prices[0]!;
  }

  clear(): void {
    this.bids.length = 0;
    this.asks.length = 0;
  }
}
