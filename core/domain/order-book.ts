import type { BookView } from './book-view.js';
import type { BookSide, DepthEvent } from './market.js';
import type { Micros, Price, Quantity } from './units.js';

/** Bits returned by {@link OrderBook.apply}; 0 means the delta was applied cleanly. */
export const BOOK_OK = 0;
/** After the delta the book is crossed or locked (best bid ≥ best ask). The delta was applied. */
export const BOOK_CROSSED = 1;
/**
 * A row position that does not exist: `position < -1`, insert past the end (appended), update past the end
 * (applied as an append, docs/tws-adapter.md#depth-rows), delete past the end (ignored).
 */
export const BOOK_BAD_POSITION = 2;
/** Size negative or not an integer; the delta was ignored. */
export const BOOK_BAD_SIZE = 4;
/** Price-keyed delete for a price the book does not hold (and could hold: not beyond a full side); ignored. */
export const BOOK_UNKNOWN_PRICE = 8;
/** Price-keyed insert for a price the book already holds; applied as an update of that level's size. */
export const BOOK_DUPLICATE_PRICE = 16;
/** Price not a positive integer on insert/update; the delta was ignored. */
export const BOOK_BAD_PRICE = 32;

export const BOOK_DEFAULT_MAX_LEVELS = 20;
export const BOOK_DEFAULT_TOP_N = 5;
export const BOOK_MAX_TOP_N = 20;

export interface OrderBookOptions {
  /** Rows kept per side (default 20); inserts beyond it are truncated, as IB's numRows does. */
  maxLevels?: number;
  /** Rows summed by topVolume / scanned by maxBidSizeTopN, 1..20 (default 5). */
  topN?: number;
}

/** Human-readable names of the set bits of an apply() result, for logs. */
export function describeBookFlags(flags: number): string[] {
  const out: string[] = [];
  if (flags & BOOK_CROSSED) out.push('crossed');
  if (flags & BOOK_BAD_POSITION) out.push('bad-position');
  if (flags & BOOK_BAD_SIZE) out.push('bad-size');
  if (flags & BOOK_UNKNOWN_PRICE) out.push('unknown-price');
  if (flags & BOOK_DUPLICATE_PRICE) out.push('duplicate-price');
  if (flags & BOOK_BAD_PRICE) out.push('bad-price');
  return out;
}

/**
 * One side's rows in preallocated typed arrays. Float64 holds every integer price/size below 2^53 exactly, so
 * no conversion is needed and no range check on Int32 overflow is required.
 */
class SideRows {
  readonly prices: Float64Array;
  readonly sizes: Float64Array;
  count = 0;
  /** Sum of sizes over rows [0, topN). */
  topVolume = 0;
  /** Largest size over rows [0, topN). */
  maxTopSize = 0;

  constructor(readonly capacity: number) {
    this.prices = new Float64Array(capacity);
    this.sizes = new Float64Array(capacity);
  }

  /** Row p and below move down one (the last row falls off when full); row p becomes (price, size). */
  insertAt(p: number, price: number, size: number): void {
    const last = this.count < this.capacity ? this.count : this.capacity - 1;
    this.prices.copyWithin(p + 1, p, last);
    this.sizes.copyWithin(p + 1, p, last);
    this.prices[p] = price;
    this.sizes[p] = size;
    if (this.count < this.capacity) this.count++;
  }

  /** Row p is removed and the rows below move up one. */
  removeAt(p: number): void {
    this.prices.copyWithin(p, p + 1, this.count);
    this.sizes.copyWithin(p, p + 1, this.count);
    this.count--;
    this.prices[this.count] = 0;
    this.sizes[this.count] = 0;
  }

  /** Index of `price`, or -1. Rows of a price-keyed side are sorted, so the scan stops early. */
  indexOf(price: number, descending: boolean): number {
    for (let i = 0; i < this.count; i++) {
      const p = this.prices[i]!;
      if (p === price) return i;
      if (descending ? p < price : p > price) return -1;
    }
    return -1;
  }

  /** Sorted insertion point for a new price (first row that is worse than it). */
  insertionPoint(price: number, descending: boolean): number {
    let i = 0;
    while (i < this.count && (descending ? this.prices[i]! > price : this.prices[i]! < price)) i++;
    return i;
  }

  /** N ≤ 20, so a bounded rescan after each change is cheaper than bookkeeping every shift case. */
  refreshTop(topN: number): void {
    const n = this.count < topN ? this.count : topN;
    let sum = 0;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const s = this.sizes[i]!;
      sum += s;
      if (s > max) max = s;
    }
    this.topVolume = sum;
    this.maxTopSize = max;
  }

  clear(): void {
    this.prices.fill(0, 0, this.count);
    this.sizes.fill(0, 0, this.count);
    this.count = 0;
    this.topVolume = 0;
    this.maxTopSize = 0;
  }
}

/**
 * The L2 book of one symbol, fed by {@link DepthEvent}s in either of two styles:
 *
 * - **Rows** (`position >= 0`, IB `reqMktDepth`): insert at p shifts rows p.. down and truncates at maxLevels;
 *   update replaces row p in place; delete removes row p and shifts the rest up. Rows are not keyed by price, so
 *   a side may be unsorted or hold a price twice: that is the venue's view and is kept as sent.
 * - **Price-keyed** (`position === -1`, LOBSTER and the generator): each side is kept sorted (bids descending,
 *   asks ascending) with one row per price; insert adds a level, update sets its size (unknown price → insert,
 *   size 0 → delete), delete removes it.
 *
 * Invariants: sizes are never negative; every read is O(1); `apply` allocates nothing; anomalies come back as
 * flag bits and are never thrown; a crossed book is kept (the feed decides to resync) but flagged each time.
 */
export class OrderBook implements BookView {
  readonly maxLevels: number;
  private n: number;
  private readonly bid: SideRows;
  private readonly ask: SideRows;
  private recv: Micros = 0;
  private exch: Micros | null = null;

  constructor(readonly symbol: string, options: OrderBookOptions = {}) {
    this.n = checkTopN(options.topN ?? BOOK_DEFAULT_TOP_N);
    const max = options.maxLevels ?? BOOK_DEFAULT_MAX_LEVELS;
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`maxLevels must be a positive integer, got ${max}`);
    this.maxLevels = max;
    this.bid = new SideRows(max);
    this.ask = new SideRows(max);
  }

  get topN(): number { return this.n; }
  get bestBid(): Price { return this.bid.count > 0 ? this.bid.prices[0]! : 0; }
  get bestAsk(): Price { return this.ask.count > 0 ? this.ask.prices[0]! : 0; }
  get bestBidSize(): Quantity { return this.bid.count > 0 ? this.bid.sizes[0]! : 0; }
  get bestAskSize(): Quantity { return this.ask.count > 0 ? this.ask.sizes[0]! : 0; }
  get spread(): Price { return this.bid.count > 0 && this.ask.count > 0 ? this.ask.prices[0]! - this.bid.prices[0]! : 0; }
  get mid2(): Price { return this.bid.count > 0 && this.ask.count > 0 ? this.ask.prices[0]! + this.bid.prices[0]! : 0; }
  get maxBidSizeTopN(): Quantity { return this.bid.maxTopSize; }
  get crossed(): boolean { return this.bid.count > 0 && this.ask.count > 0 && this.bid.prices[0]! >= this.ask.prices[0]!; }
  get lastRecvTime(): Micros { return this.recv; }
  get lastExchTime(): Micros | null { return this.exch; }

  levels(side: BookSide): number { return this.rows(side).count; }

  priceAt(side: BookSide, row: number): Price {
    const r = this.rows(side);
    return row >= 0 && row < r.count ? r.prices[row]! : 0;
  }

  sizeAt(side: BookSide, row: number): Quantity {
    const r = this.rows(side);
    return row >= 0 && row < r.count ? r.sizes[row]! : 0;
  }

  topVolume(side: BookSide): Quantity { return this.rows(side).topVolume; }

  /** Largest size within the top N rows of either side (the BookView exposes the bid one as a property). */
  maxSizeTopN(side: BookSide): Quantity { return this.rows(side).maxTopSize; }

  setTopN(n: number): void {
    this.n = checkTopN(n);
    this.bid.refreshTop(this.n);
    this.ask.refreshTop(this.n);
  }

  /** Empties both sides; receive/exchange times are kept (they describe the last delta, not the book). */
  clear(): void {
    this.bid.clear();
    this.ask.clear();
  }

  /** Apply one delta; returns 0 or a bit set of BOOK_* flags. Never throws for bad input. */
  apply(event: DepthEvent): number {
    this.recv = event.recvTime;
    this.exch = event.exchTime;
    const op = event.operation;
    if (op === 'clear') {
      this.clear();
      return BOOK_OK;
    }
    const size = event.size;
    if (!Number.isSafeInteger(size) || size < 0) return BOOK_BAD_SIZE | this.crossedFlag();
    const price = event.price;
    if (op !== 'delete' && (!Number.isSafeInteger(price) || price <= 0)) return BOOK_BAD_PRICE | this.crossedFlag();
    const side = event.side === 'bid' ? this.bid : this.ask;
    const pos = event.position;
    let flags: number;
    if (pos >= 0 && Number.isSafeInteger(pos)) flags = this.applyRow(side, op, pos, price, size);
    else if (pos === -1) flags = this.applyPriceKeyed(side, event.side === 'bid', op, price, size);
    else flags = BOOK_BAD_POSITION;
    side.refreshTop(this.n);
    return flags | this.crossedFlag();
  }

  private applyRow(side: SideRows, op: 'insert' | 'update' | 'delete', pos: number, price: number, size: number): number {
    if (op === 'insert') {
      if (pos > side.count) {
        // IB sometimes addresses rows past the end; append rather than pad with placeholder rows.
        if (side.count < side.capacity) side.insertAt(side.count, price, size);
        return BOOK_BAD_POSITION;
      }
      if (pos >= side.capacity) return BOOK_OK; // beyond the requested depth: truncated, as TWS would
      side.insertAt(pos, price, size);
      return BOOK_OK;
    }
    if (op === 'update') {
      if (pos >= side.count) {
        if (side.count < side.capacity) side.insertAt(side.count, price, size);
        return BOOK_BAD_POSITION;
      }
      side.prices[pos] = price;
      side.sizes[pos] = size;
      return BOOK_OK;
    }
    if (pos >= side.count) return BOOK_BAD_POSITION;
    side.removeAt(pos);
    return BOOK_OK;
  }

  private applyPriceKeyed(side: SideRows, desc: boolean, op: 'insert' | 'update' | 'delete', price: number, size: number): number {
    const at = side.indexOf(price, desc);
    // Size 0 empties a level whatever the operation says: a zero-size row must never stay in the book.
    if (op === 'delete' || size === 0) {
      if (at >= 0) {
        side.removeAt(at);
        return BOOK_OK;
      }
      if (op !== 'delete') return BOOK_OK; // size 0 for a level we do not hold: already absent
      // A full side legitimately lost levels beyond its depth; deleting one of those is not an anomaly.
      const beyond = side.count === side.capacity && side.insertionPoint(price, desc) >= side.count;
      return beyond ? BOOK_OK : BOOK_UNKNOWN_PRICE;
    }
    if (at >= 0) {
      side.sizes[at] = size;
      return op === 'insert' ? BOOK_DUPLICATE_PRICE : BOOK_OK;
    }
    const k = side.insertionPoint(price, desc);
    if (k < side.capacity) side.insertAt(k, price, size);
    return BOOK_OK;
  }

  private crossedFlag(): number { return this.crossed ? BOOK_CROSSED : 0; }

  private rows(side: BookSide): SideRows { return side === 'bid' ? this.bid : this.ask; }
}

function checkTopN(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > BOOK_MAX_TOP_N) throw new RangeError(`topN must be 1..${BOOK_MAX_TOP_N}, got ${n}`);
  return n;
}
