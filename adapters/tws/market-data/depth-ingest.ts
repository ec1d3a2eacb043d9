import type { Micros } from '../../../core/domain/units.js';
import type { FeedEventName, FeedEvents } from '../../../ports/market-data-feed.js';
import { MALFORMED, depthSide, positivePrice, shareSize } from '../mapping/market-data.js';
import { OP_DELETE } from './depth-book.js';
import type { FeedSub } from './feed-sub.js';

export interface DepthIngestHost {
  emit<K extends FeedEventName>(event: K, payload: FeedEvents[K]): void;
  countMalformed(sub: FeedSub, reason: string): void;
  /** Ask for the end-of-read flush, which calls `endOfBatch`. */
  queue(sub: FeedSub): void;
  /** A new request under a new epoch; `clear` first clears the book through `clear` below. */
  resubscribe(sub: FeedSub, clear: boolean): void;
}

/**
 * IB depth rows → `depth.updated` deltas for one feed (cards FEED-10..14, 20 b; docs/tws-adapter.md#depth-rows, #depth-batches;
 * docs/conformance-cards.md#feed-10). Each row is checked, normalised by the subscription's TwsDepthBook and held until the next row or the
 * end of the read, so the last row of a read carries `endOfBatch`. Batch ends are judged: K_cross consecutive crossed books, or K_depth
 * anomalies inside the window, make the book suspect and resync it (suspect → clear → new epoch); the next clean batch resumes.
 */
export class TwsDepthIngest {
  /** Rows addressed beyond the book (card FEED-13 counter `depth-beyond-book`, docs/conformance-cards.md#feed-13). */
  beyondBook = 0;

  constructor(
    private readonly host: DepthIngestHost,
    private readonly crossedBatches: number,
  ) {}

  row(sub: FeedSub, position: number, operation: number, side: number, price: number, size: number, mm: string, now: Micros): void {
    const d = sub.depth!;
    const bid = depthSide(side);
    const p = positivePrice(price);
    const s = shareSize(size);
    // A delete needs no price or size of its own: it carries those of the row it removes.
    if (
      bid < 0 ||
      !Number.isSafeInteger(position) ||
      position < 0 ||
      !(operation >= 0 && operation <= OP_DELETE) ||
      (operation !== OP_DELETE && (p === MALFORMED || s === MALFORMED || s === null))
    ) {
      return this.host.countMalformed(
        sub,
        `depth row side ${side} position ${position} operation ${operation} price ${price} size ${size}`,
      );
    }
    if (d.book.apply(bid === 1, position, operation, p, s ?? 0)) {
      if (d.held) this.emitRow(sub, false);
      d.hold(bid === 1, mm, now);
      this.host.queue(sub);
    }
    if (d.book.anomaly) {
      this.beyondBook++;
      if (d.book.anomalyBurst(now)) this.resync(sub, 'depth-anomaly');
    }
  }

  /** End of the read: the held row closes the batch, and the book it leaves is judged. */
  endOfBatch(sub: FeedSub): void {
    const d = sub.depth!;
    if (!d.held) return;
    this.emitRow(sub, true);
    d.book.invalid = false;
    if (!d.book.crossed()) {
      d.crossedRun = 0;
      if (sub.suspect) {
        sub.suspect = false;
        this.host.emit('feed.resumed', { symbol: sub.symbol, stream: sub.stream });
      }
    } else if (++d.crossedRun >= this.crossedBatches) this.resync(sub, 'crossed');
  }

  /** A clear in a batch of its own (a held row is closed first): 317, a lost link, or before a resubscribe. */
  clear(sub: FeedSub, now: Micros): void {
    const d = sub.depth;
    if (d === null) return;
    if (d.held) this.emitRow(sub, true);
    const e = d.clear(now);
    e.seq = ++sub.seq;
    e.epoch = sub.epoch;
    this.host.emit('depth.updated', e);
  }

  /** The book cannot be trusted: suspect → clear → a new request under a new epoch (usage unchanged). */
  private resync(sub: FeedSub, reason: 'crossed' | 'depth-anomaly'): void {
    if (sub.depth!.held) this.emitRow(sub, true);
    sub.suspect = true;
    this.host.emit('feed.suspect', { symbol: sub.symbol, stream: 'depth', reason });
    this.host.resubscribe(sub, true);
  }

  private emitRow(sub: FeedSub, endOfBatch: boolean): void {
    const e = sub.depth!.take(endOfBatch);
    e.seq = ++sub.seq;
    e.epoch = sub.epoch;
    this.host.emit('depth.updated', e);
  }
}
