import type { DepthEvent } from '../../core/domain/market.js';
import { BurstWindow } from '../../core/domain/burst-window.js';
import { ROW_ANOMALY, ROW_DROPPED, restateLast } from './replay-book-model.js';
import { judgeBatch, resync, type ResyncHost, type ResyncSub } from './replay-depth-resync.js';

/** Depth state of a replay subscription beyond the book itself. */
export interface DepthRowsSub extends ResyncSub {
  /** K_depth anomalies within the window (card FEED-13, docs/conformance-cards.md#feed-13). */
  anomalies: BurstWindow | null;
  /** K_depth anomalies were reached inside the current batch: resync when it ends. */
  burst: boolean;
}

/**
 * One recorded depth row for a live depth subscription (cards FEED-10..15, 20 b; docs/conformance-cards.md#feed-10). The delivered book
 * normalises it in place (row semantics, FEED-13; docs/conformance-cards.md#feed-13): a row addressed beyond the book is appended and
 * counted (`beyondBook`), a row beyond a full side is not delivered; if such a row carried the batch's mark, the batch is closed by
 * restating the side's last row (no change to the book), so no batch is left open and none is empty. At the batch end the book is
 * judged; K_depth anomalies within the window resync it instead (suspect{depth-anomaly} → clear → epoch + 1 → the
 * delivered copy), once the batch is complete.
 */
export function ingestDepth(host: ResyncHost, sub: DepthRowsSub, d: DepthEvent): void {
  const book = sub.book!;
  if (d.operation !== 'clear') sub.priceKeyed = d.position < 0;
  const r = book.ingest(d);
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
    restateLast(book, d.side, row);
    row.endOfBatch = true;
    book.ingestRestated(row);
    host.deliver(sub, row);
    sub.batchOpen = false;
  } else closed = false;
  if (!d.endOfBatch) return;
  if (sub.burst) {
    sub.burst = false;
    resync(host, sub, 'depth-anomaly', d.recvTime);
  } else if (closed) judgeBatch(host, sub, d);
}
