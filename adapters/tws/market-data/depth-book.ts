import { BurstWindow } from '../../../core/domain/burst-window.js';
import { DepthRowSide, ROW_ANOMALY, ROW_DROPPED, ROW_UPDATE } from '../../../core/domain/depth-rows.js';
import type { Micros } from '../../../core/domain/units.js';

/** Operation codes as IB numbers them (0 insert, 1 update, 2 delete), plus the feed's own clear. */
export { ROW_INSERT as OP_INSERT, ROW_UPDATE as OP_UPDATE, ROW_DELETE as OP_DELETE } from '../../../core/domain/depth-rows.js';
export const OP_CLEAR = 3;
export const OP_NAMES = ['insert', 'update', 'delete', 'clear'] as const;

/**
 * The depth book as the feed has emitted it, under the shared row rules of core/domain/depth-rows.ts (IB row
 * semantics, docs/tws-adapter.md). It is kept so the feed can normalise what IB gets wrong and judge batches: rows
 * addressed past the end are appended or dropped and counted as depth anomalies (ib_async #33: such rows happen on
 * live books); a burst of anomalies inside the window means the book is out of sync with TWS (`anomalyBurst`), and
 * the feed resyncs it.
 *
 * `apply` writes the row to emit into `op`, `position`, `price`, `size` (no result object per row).
 */
export class TwsDepthBook {
  readonly bids: DepthRowSide;
  readonly asks: DepthRowSide;
  /** After a reset (317) until the next batch end: the book is being rebuilt, so it is not judged. */
  invalid = false;
  op = ROW_UPDATE;
  position = 0;
  price = 0;
  size = 0;
  /** Whether the last `apply` was an anomaly (the caller counts it). */
  anomaly = false;
  private readonly anomalies: BurstWindow;

  constructor(
    readonly levels: number,
    anomalyLimit: number,
    anomalyWindowUs: Micros,
  ) {
    this.anomalies = new BurstWindow(anomalyLimit, anomalyWindowUs);
    this.bids = new DepthRowSide(levels);
    this.asks = new DepthRowSide(levels);
  }

  /** Applies one IB row. Returns false when it changes nothing and emits nothing (an anomaly or a bad operation). */
  apply(bid: boolean, position: number, operation: number, price: number, size: number): boolean {
    const s = bid ? this.bids : this.asks;
    const flags = s.apply(operation, position, price, size);
    this.anomaly = (flags & ROW_ANOMALY) !== 0;
    this.op = s.op;
    this.position = s.position;
    this.price = s.price;
    this.size = s.size;
    return (flags & ROW_DROPPED) === 0;
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
    this.bids.clear();
    this.asks.clear();
  }
}
