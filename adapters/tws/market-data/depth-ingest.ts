import { ROW_ANOMALY, ROW_DELETE, ROW_DROPPED } from '../../../core/domain/depth-rows.js';
import type { Micros } from '../../../core/domain/units.js';
import type { FeedEventName, FeedEvents } from '../../../ports/market-data-feed.js';
import { MALFORMED, depthSide, positivePrice, shareSize } from '../mapping/market-data.js';
import type { FeedSub } from './feed-sub.js';

/** What releasing a held row did: left the batch open, closed it, or resynced the line. */
const OPEN = 0;
const CLOSED = 1;
const RESYNCED = 2;

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
 * docs/conformance-cards.md#feed-10). Each row is checked and held until the next row or the end of the read, so the last row of a
 * read carries `endOfBatch`. A held row is applied to the subscription's book (the kernel's when lent, docs/depth-rows.md#one-book)
 * by `OrderBook.ingest` right before it is delivered, which normalises it under the shared row rules; a row the book drops is not
 * delivered, and when it was the read's last row the batch is closed by restating a row the book holds. Batch ends are judged on
 * that book: K_cross consecutive crossed books, or K_depth anomalies inside the window, make it suspect and resync it
 * (suspect → clear → new epoch); the next clean batch resumes.
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
      !(operation >= 0 && operation <= ROW_DELETE) ||
      (operation !== ROW_DELETE && (p === MALFORMED || s === MALFORMED || s === null))
    ) {
      return this.host.countMalformed(
        sub,
        `depth row side ${side} position ${position} operation ${operation} price ${price} size ${size}`,
      );
    }
    // A burst of anomalies in the held row resyncs the line: this row belongs to the cancelled request.
    if (d.held && this.release(sub, false, true) === RESYNCED) return;
    d.hold(bid === 1, operation, position, p, s ?? 0, mm, now);
    this.host.queue(sub);
  }

  /** End of the read: the held row closes the batch, and the book it leaves is judged. */
  endOfBatch(sub: FeedSub): void {
    const d = sub.depth!;
    // Judged only when a batch was closed here (not after a resync, nor when no row of the read was delivered).
    if (!d.held || this.release(sub, true, true) !== CLOSED) return;
    if (!d.book.crossed) {
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
    if (d.held) this.release(sub, true, false);
    const e = d.clear(now);
    d.book.ingest(e);
    this.deliver(sub);
  }

  /**
   * Applies the held row to the book and delivers it unless the book dropped it (an insert or update beyond a full
   * side; a delete of a missing row is delivered as sent, as the replay feed does); a dropped last row of an open
   * batch is replaced by the book's closing restatement. A row that completes a K_depth burst closes the batch and, when
   * `mayResync` (not when the caller is clearing anyway), resyncs the line.
   */
  private release(sub: FeedSub, endOfBatch: boolean, mayResync: boolean): typeof OPEN | typeof CLOSED | typeof RESYNCED {
    const d = sub.depth!;
    const e = d.take(endOfBatch);
    const book = d.book;
    const r = book.ingest(e);
    const burst = (r & ROW_ANOMALY) !== 0 && this.countBeyondBook(sub, e.recvTime) && mayResync;
    const close = endOfBatch || burst;
    let closed = false;
    if ((r & ROW_DROPPED) === 0) {
      e.endOfBatch = close;
      this.deliver(sub);
      closed = close;
    } else if (close && d.batchOpen && book.heldRows(e.side) > 0) {
      book.ingest(d.closer());
      this.deliver(sub);
      closed = true;
    }
    if (!burst) return closed ? CLOSED : OPEN;
    this.resync(sub, 'depth-anomaly');
    return RESYNCED;
  }

  /** Counts a row addressed beyond the book; true when it completes K_depth inside the window (the count starts over). */
  private countBeyondBook(sub: FeedSub, now: Micros): boolean {
    this.beyondBook++;
    return sub.depth!.anomalies.hit(now);
  }

  /** The book cannot be trusted: suspect → clear → a new request under a new epoch (usage unchanged). */
  private resync(sub: FeedSub, reason: 'crossed' | 'depth-anomaly'): void {
    sub.suspect = true;
    this.host.emit('feed.suspect', { symbol: sub.symbol, stream: 'depth', reason });
    this.host.resubscribe(sub, true);
  }

  /** Numbers the stream's event (the row just applied to the book) and emits it. */
  private deliver(sub: FeedSub): void {
    const d = sub.depth!;
    const e = d.out;
    e.seq = ++sub.seq;
    e.epoch = sub.epoch;
    d.batchOpen = !e.endOfBatch;
    this.host.emit('depth.updated', e);
  }
}
