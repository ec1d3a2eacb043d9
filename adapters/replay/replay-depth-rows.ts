import type { DepthEvent } from '../../core/domain/market.js';
import type { Micros } from '../../core/domain/units.js';
import { ROW_ANOMALY, ROW_DROPPED } from './replay-book-model.js';
import { judgeBatch, resync, type ResyncHost, type ResyncSub } from './replay-depth-resync.js';

/**
 * K_depth anomalies within a window on the Clock (card FEED-13), in a ring of preallocated times: recording one
 * allocates nothing. After a burst the count starts over, so one burst resyncs once.
 */
export class AnomalyWindow {
  private readonly at: Float64Array;
  private next = 0;
  private count = 0;

  constructor(private readonly limit: number, private readonly windowUs: Micros) {
    this.at = new Float64Array(Math.max(1, limit));
  }

  /** Records an anomaly at `now`; true when `limit` of them fell inside the window. */
  hit(now: Micros): boolean {
    if (this.limit <= 0) return false;
    const k = this.at.length;
    this.at[this.next] = now;
    this.next = (this.next + 1) % k;
    if (this.count < k) this.count++;
    // The slot about to be overwritten holds the oldest of the last K anomalies.
    if (this.count < k || now - this.at[this.next]! > this.windowUs) return false;
    this.count = 0;
    return true;
  }
}

/** Depth state of a replay subscription beyond the book itself. */
export interface DepthRowsSub extends ResyncSub {
  anomalies: AnomalyWindow | null;
  /** K_depth anomalies were reached inside the current batch: resync when it ends. */
  burst: boolean;
}

/**
 * One recorded depth row for a live depth subscription (cards FEED-10..15, 20 b). The delivered book normalises it
 * in place (row semantics, FEED-13): a row addressed beyond the book is appended and counted (`beyondBook`), a row
 * beyond a full side is not delivered; if such a row carried the batch's mark, the batch is closed by restating the
 * side's last row (no change to the book), so no batch is left open and none is empty. At the batch end the book is
 * judged; K_depth anomalies within the window resync it instead (suspect{depth-anomaly} → clear → epoch + 1 → the
 * delivered copy), once the batch is complete.
 */
export function ingestDepth(host: ResyncHost, sub: DepthRowsSub, d: DepthEvent): void {
  const book = sub.book!;
  const r = book.apply(d);
  if ((r & ROW_ANOMALY) !== 0) {
    host.beyondBook++;
    if (sub.anomalies !== null && sub.anomalies.hit(d.recvTime)) sub.burst = true;
  }
  let closed = d.endOfBatch;
  if ((r & ROW_DROPPED) === 0) {
    host.deliver(sub, d);
    sub.batchOpen = !d.endOfBatch;
  } else if (d.endOfBatch && sub.batchOpen) {
    const row = host.synth;
    row.symbol = d.symbol;
    row.recvTime = d.recvTime;
    book.restateLast(d.side, row);
    row.endOfBatch = true;
    host.deliver(sub, row);
    sub.batchOpen = false;
  } else closed = false;
  if (!d.endOfBatch) return;
  if (sub.burst) {
    sub.burst = false;
    resync(host, sub, 'depth-anomaly', d.recvTime);
  } else if (closed) judgeBatch(host, sub, d.recvTime);
}
