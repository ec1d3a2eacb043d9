import type { BookSide } from './market.js';
import type { Micros, Price, Quantity } from './units.js';

/**
 * Read-only view of one symbol's L2 book, as strategies and the simulated broker see it. Every read is O(1):
 * the book keeps best prices, top-N volume sums and the largest bid size in the top N incrementally.
 * Rows are 0-based from the best price. A missing side reads as price 0 and size 0.
 */
export interface BookView {
  readonly symbol: string;
  readonly bestBid: Price;
  readonly bestAsk: Price;
  readonly bestBidSize: Quantity;
  readonly bestAskSize: Quantity;
  /** ask − bid, or 0 when either side is empty. */
  readonly spread: Price;
  /** bid + ask (twice the mid, kept integer), or 0 when either side is empty. */
  readonly mid2: Price;
  /** Number of rows present on a side. */
  levels(side: BookSide): number;
  priceAt(side: BookSide, row: number): Price;
  sizeAt(side: BookSide, row: number): Quantity;
  /** Sum of sizes over the top N rows of a side (N fixed at construction, 1..20). */
  topVolume(side: BookSide): Quantity;
  /** Largest bid size within the top N rows. */
  readonly maxBidSizeTopN: Quantity;
  readonly topN: number;
  /** True while the book is crossed or locked (bid ≥ ask); such a state is reported, never silently kept. */
  readonly crossed: boolean;
  /**
   * A count that moves whenever a row of `side` may have changed (any applied row, a clear, a new top N). Equal
   * values at two reads mean the side's rows are the same, so a reader can skip a rescan (LMP's shelf). It may move
   * without a visible change; it never stays put across one.
   */
  changes(side: BookSide): number;
  /** Receive time and exchange time of the last applied delta. */
  readonly lastRecvTime: Micros;
  readonly lastExchTime: Micros | null;
}
