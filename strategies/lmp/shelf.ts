import type { BookView } from '../../core/domain/book-view.js';
import type { Micros, Price, Quantity } from '../../core/domain/units.js';

/**
 * Median of the first `n` entries of `scratch`, sorting them in place (no allocation: an insertion sort of the
 * top N ≤ 20 sizes instead of `subarray(0, n).sort()`, whose view cost ~80 bytes per book event). Ascending, NaN
 * last, as a typed array's sort orders them.
 */
export function medianInPlace(scratch: Float64Array, n: number): number {
  if (n <= 0) return 0;
  for (let i = 1; i < n; i++) {
    const v = scratch[i]!;
    let j = i - 1;
    while (j >= 0 && after(scratch[j]!, v)) {
      scratch[j + 1] = scratch[j]!;
      j--;
    }
    scratch[j + 1] = v;
  }
  return n % 2 === 1 ? scratch[(n - 1) >> 1]! : (scratch[n / 2 - 1]! + scratch[n / 2]!) / 2;
}

/** Whether `a` sorts after `b` in a typed array's default order (numeric; NaN after every number). */
function after(a: number, b: number): boolean {
  return a > b || (a !== a && b === b);
}

/**
 * The support shelf (docs/lmp.md#lmp-5): a bid level within the top N whose size is ≥ K · median(top-N bid sizes), persisting.
 *
 * Invariants: the tracked shelf keeps its price while that level still qualifies (so persistence is not reset by
 * a larger level appearing elsewhere); a new shelf is the largest qualifying level (ties: the higher price);
 * `since` is the Clock time the tracked price first qualified. `update` allocates nothing after construction.
 */
export class ShelfTracker {
  price: Price = 0;
  size: Quantity = 0;
  since: Micros = 0;
  median = 0;
  present = false;
  /** True on the update where a shelf that had persisted long enough stopped qualifying. */
  justLost = false;
  private readonly scratch: Float64Array;
  /** The top-N bid sizes in book order (scratch is sorted in place): read from the book once per update. */
  private readonly sizes: Float64Array;
  /** The book and its bid side's change count at the last full update (BookView.changes). */
  private seenBook: BookView | null = null;
  private seenChanges = -1;

  constructor(
    private readonly k: number,
    private readonly topN: number,
    private readonly persistMicros: Micros,
  ) {
    this.scratch = new Float64Array(topN);
    this.sizes = new Float64Array(topN);
  }

  update(book: BookView, now: Micros): void {
    // Bids as they were at the last update give the same shelf, size and median (the result does not depend on
    // `now` unless a shelf is lost, and with the same rows none is): only `justLost` needs clearing.
    const changes = book.changes('bid');
    if (book === this.seenBook && changes === this.seenChanges) {
      this.justLost = false;
      return;
    }
    this.seenBook = book;
    this.seenChanges = changes;
    const rows = Math.min(this.topN, book.levels('bid'));
    for (let r = 0; r < rows; r++) {
      const size = book.sizeAt('bid', r);
      this.sizes[r] = size;
      this.scratch[r] = size;
    }
    this.median = medianInPlace(this.scratch, rows);
    const threshold = this.k * this.median;
    const wasPersistent = this.present && this.persistent(now);
    let keepRow = -1;
    let bestRow = -1;
    let bestSize = -1;
    for (let r = 0; r < rows; r++) {
      const size = this.sizes[r]!;
      if (this.median <= 0 || size < threshold) continue;
      const price = book.priceAt('bid', r);
      if (this.present && price === this.price) keepRow = r;
      if (size > bestSize) {
        bestSize = size;
        bestRow = r;
      }
    }
    this.justLost = false;
    if (keepRow >= 0) {
      this.size = this.sizes[keepRow]!;
    } else if (bestRow >= 0) {
      this.present = true;
      this.price = book.priceAt('bid', bestRow);
      this.size = bestSize;
      this.since = now;
      this.justLost = wasPersistent;
    } else {
      this.justLost = wasPersistent;
      this.present = false;
      this.size = 0;
    }
    this.sizeRatio = this.present && this.median > 0 ? this.size / this.median : 0;
  }

  persistence(now: Micros): Micros {
    return this.present ? now - this.since : 0;
  }

  persistent(now: Micros): boolean {
    return this.present && now - this.since >= this.persistMicros;
  }

  /**
   * size / median, 0 when absent: a field `update` sets, not a getter, because a getter that computes a double and
   * is not inlined returns it boxed (a heap number per book event, bench/alloc-profile.ts).
   */
  sizeRatio = 0;

  reset(): void {
    this.seenBook = null;
    this.present = false;
    this.justLost = false;
    this.price = 0;
    this.size = 0;
    this.sizeRatio = 0;
  }
}

/**
 * Replenishment heuristic (docs/lmp.md#lmp-3, anti-fake): after a sell print hits the best bid, the bid holds (same price and
 * refills by ≥ `refillRatio` of the hit size) or steps up. Refills are counted in a small time ring; a step down
 * cancels the pending hit. One hit is pending at a time (the latest), which is enough for a repeat-count signal.
 */
export class ReplenishmentTracker {
  private hitPrice: Price = 0;
  private hitSize: Quantity = 0;
  private lowSize: Quantity = 0;
  private hitAt: Micros = 0;
  private pending = false;
  private readonly times = new Float64Array(64);
  private head = 0;
  private count = 0;

  constructor(
    private readonly windowMicros: Micros,
    private readonly refillRatio: number,
  ) {}

  /** A seller-initiated print at `price` of `size`; `book` as it stands when the print arrives. */
  onSellHit(price: Price, size: Quantity, book: BookView, now: Micros): void {
    if (book.bestBid === 0 || price < book.bestBid) return;
    this.pending = true;
    this.hitPrice = book.bestBid;
    this.hitSize = size;
    this.lowSize = book.bestBidSize;
    this.hitAt = now;
  }

  /** Book at a batch end: detect a refill or a step down of the hit bid. */
  onBook(book: BookView, now: Micros): void {
    if (!this.pending) return;
    // Each side read once: called from LmpMetrics.onBook after its budget for inlining is spent, every getter
    // here is a call (bench/cpu-profile.ts lmp).
    const bid = book.bestBid;
    if (now - this.hitAt > this.windowMicros || bid === 0 || bid < this.hitPrice) {
      this.pending = false;
      return;
    }
    if (bid > this.hitPrice) return this.record(now);
    const size = book.bestBidSize;
    if (size < this.lowSize) this.lowSize = size;
    else if (size >= this.lowSize + this.refillRatio * this.hitSize) this.record(now);
  }

  /** Refills within the window ending now. */
  refills(now: Micros): number {
    const cutoff = now - this.windowMicros;
    while (this.count > 0 && this.times[this.head]! <= cutoff) {
      this.head = (this.head + 1) % this.times.length;
      this.count--;
    }
    return this.count;
  }

  private record(now: Micros): void {
    this.pending = false;
    if (this.count === this.times.length) {
      this.head = (this.head + 1) % this.times.length;
      this.count--;
    }
    this.times[(this.head + this.count) % this.times.length] = now;
    this.count++;
  }
}
