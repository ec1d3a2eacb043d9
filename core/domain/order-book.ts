import type { BookView } from './book-view.js';
import type { BookSide, DepthEvent } from './market.js';
import { DepthRowSide, ROW_ANOMALY, ROW_BAD, ROW_DELETE, ROW_DROPPED, ROW_INSERT, ROW_OK, ROW_UPDATE } from './depth-rows.js';
import type { Micros, Price, Quantity } from './units.js';

/** Bits returned by {@link OrderBook.apply}; 0 means the delta was applied cleanly. */
export const BOOK_OK = 0;
/** After the delta the book is crossed or locked (best bid ≥ best ask). The delta was applied. */
export const BOOK_CROSSED = 1;
/**
 * A row position that does not exist: `position < -1`, or a row addressed past the end of its side under the rules
 * of core/domain/depth-rows.ts (insert/update appended, delete ignored; a delete beyond maxLevels is not flagged).
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
  /**
   * Rows a price-keyed side may hold (≥ maxLevels; default maxLevels). A feed that keeps this book
   * (ports/market-data-feed.ts `DepthBookKeeping`) asks for more, so levels below the view are not lost when the
   * levels above them go; reads still show at most maxLevels rows.
   */
  capacity?: number;
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

/** One side: the shared row model (core/domain/depth-rows.ts) plus the price-keyed helpers and top-N figures. */
class SideRows extends DepthRowSide {
  /** Sum of sizes over rows [0, topN). */
  topVolume = 0;
  /** Largest size over rows [0, topN). */
  maxTopSize = 0;
  /** BookView.changes: moved by every refresh and clear, which every change of a row is followed by. */
  changes = 0;

  /** Index of `price`, or -1. Rows of a price-keyed side are sorted, so the scan stops early. */
  indexOf(price: number, descending: boolean): number {
    for (let i = 0; i < this.length; i++) {
      const p = this.prices[i]!;
      if (p === price) return i;
      if (descending ? p < price : p > price) return -1;
    }
    return -1;
  }

  /** Sorted insertion point for a new price (first row that is worse than it). */
  insertionPoint(price: number, descending: boolean): number {
    let i = 0;
    while (i < this.length && (descending ? this.prices[i]! > price : this.prices[i]! < price)) i++;
    return i;
  }

  /**
   * After a change at row `at`: a change at or below row min(topN, levels) moves no row the top-N figures read
   * (inserts and removals shift only the rows below them), so only the count moves. Most changes of a deep
   * price-keyed book land there, and the rescan was a third of `apply` (bench/RESULTS.md, session 12).
   * `at` is NaN or beyond the side when nothing changed.
   */
  changedAt(at: number, topN: number): void {
    if (at < topN && at < this.levels) this.refreshTop(topN);
    else this.changes++;
  }

  /** N ≤ 20, so a bounded rescan after a change in the top rows is cheaper than bookkeeping every shift case. */
  refreshTop(topN: number): void {
    const visible = this.length < this.levels ? this.length : this.levels;
    const n = visible < topN ? visible : topN;
    let sum = 0;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const s = this.sizes[i]!;
      sum += s;
      if (s > max) max = s;
    }
    this.topVolume = sum;
    this.maxTopSize = max;
    this.changes++;
  }

  override clear(): void {
    super.clear();
    this.changes++;
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
  /**
   * NaN for none: a field that has held null boxes every later double it stores (a heap number per row on the
   * replay path, bench/alloc-profile.ts).
   */
  private exch: Micros = Number.NaN;

  constructor(
    readonly symbol: string,
    options: OrderBookOptions = {},
  ) {
    this.n = checkTopN(options.topN ?? BOOK_DEFAULT_TOP_N);
    const max = options.maxLevels ?? BOOK_DEFAULT_MAX_LEVELS;
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`maxLevels must be a positive integer, got ${max}`);
    this.maxLevels = max;
    const capacity = Math.max(max, options.capacity ?? max);
    if (!Number.isSafeInteger(capacity)) throw new RangeError(`capacity must be an integer, got ${options.capacity}`);
    this.bid = new SideRows(max, capacity);
    this.ask = new SideRows(max, capacity);
  }

  get topN(): number {
    return this.n;
  }
  get bestBid(): Price {
    return this.bid.length > 0 ? this.bid.prices[0]! : 0;
  }
  get bestAsk(): Price {
    return this.ask.length > 0 ? this.ask.prices[0]! : 0;
  }
  get bestBidSize(): Quantity {
    return this.bid.length > 0 ? this.bid.sizes[0]! : 0;
  }
  get bestAskSize(): Quantity {
    return this.ask.length > 0 ? this.ask.sizes[0]! : 0;
  }
  get spread(): Price {
    return this.bid.length > 0 && this.ask.length > 0 ? this.ask.prices[0]! - this.bid.prices[0]! : 0;
  }
  get mid2(): Price {
    return this.bid.length > 0 && this.ask.length > 0 ? this.ask.prices[0]! + this.bid.prices[0]! : 0;
  }
  get maxBidSizeTopN(): Quantity {
    return this.bid.maxTopSize;
  }
  get crossed(): boolean {
    return this.bid.length > 0 && this.ask.length > 0 && this.bid.prices[0]! >= this.ask.prices[0]!;
  }
  get lastRecvTime(): Micros {
    return this.recv;
  }
  get lastExchTime(): Micros | null {
    const x = this.exch;
    return x !== x ? null : x;
  }

  /** Rows in view: at most maxLevels, even where the side holds more (capacity). */
  levels(side: BookSide): number {
    const r = this.rows(side);
    return r.length < r.levels ? r.length : r.levels;
  }

  priceAt(side: BookSide, row: number): Price {
    return row >= 0 && row < this.levels(side) ? this.rows(side).prices[row]! : 0;
  }

  sizeAt(side: BookSide, row: number): Quantity {
    return row >= 0 && row < this.levels(side) ? this.rows(side).sizes[row]! : 0;
  }

  /** Every row a side holds, the view's and those below it (capacity): what a resync's snapshot must restate. */
  heldRows(side: BookSide): number {
    return this.rows(side).length;
  }

  /** Price of held row `row` (beyond the view too); the caller keeps `row` below heldRows. */
  heldPrice(side: BookSide, row: number): Price {
    return this.rows(side).prices[row]!;
  }

  heldSize(side: BookSide, row: number): Quantity {
    return this.rows(side).sizes[row]!;
  }

  topVolume(side: BookSide): Quantity {
    return this.rows(side).topVolume;
  }

  changes(side: BookSide): number {
    return this.rows(side).changes;
  }

  /** Largest size within the top N rows of either side (the BookView exposes the bid one as a property). */
  maxSizeTopN(side: BookSide): Quantity {
    return this.rows(side).maxTopSize;
  }

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

  /**
   * The feed's side of a kept book (ports/market-data-feed.ts `DepthBookKeeping`): applies one source row the way a
   * live feed treats its source (core/domain/depth-rows.ts) and returns ROW_* bits for the feed's depth checks:
   * ROW_ANOMALY for a row addressed beyond the book, ROW_DROPPED for one that must not be delivered. A row-keyed row
   * is normalised in place on `e` (what is delivered is what was applied); a delete of a row that is not there is
   * delivered as recorded. Price-keyed rows are applied as {@link apply} does. `flags` is left holding the BOOK_*
   * bits of the row as delivered, which the kernel counts instead of applying it again. Allocates nothing.
   */
  ingest(e: DepthEvent): number {
    const x = e.exchTime;
    this.rowExch = x === null ? Number.NaN : x;
    return this.ingestRow(e);
  }

  /**
   * {@link ingest} for a row the feed builds itself (a batch closer restated, a resync's clear and snapshot rows),
   * whose `exchTime` is null by definition and is not read. A replay's feed rows and its own rows are objects of two
   * shapes; when one site reads `exchTime` from both, V8 boxes the recorded row's double into a new heap number
   * (14 bytes per event in bench/alloc-profile.ts whenever a resync happened before `apply` was optimised;
   * bench/RESULTS.md session 12). Reading it only here keeps {@link ingest} on one shape.
   */
  ingestRestated(e: DepthEvent): number {
    this.rowExch = Number.NaN;
    return this.ingestRow(e);
  }

  /** The exchange time of the row being ingested, NaN for none (a slot, so no double crosses a call). */
  private rowExch = Number.NaN;

  private ingestRow(e: DepthEvent): number {
    const pos = e.position;
    if (e.operation === 'clear' || pos < 0) {
      this.recv = e.recvTime;
      this.exch = this.rowExch;
      this.flags = this.applyDelta(e);
      return ROW_OK;
    }
    const side = e.side === 'bid' ? this.bid : this.ask;
    const op = e.operation === 'insert' ? ROW_INSERT : e.operation === 'update' ? ROW_UPDATE : ROW_DELETE;
    const r = side.apply(op, pos, e.price, e.size);
    if (r & ROW_BAD) return ROW_ANOMALY | ROW_DROPPED;
    if (op !== ROW_DELETE && r & ROW_DROPPED) return r;
    this.recv = e.recvTime;
    this.exch = this.rowExch;
    if (op !== ROW_DELETE) {
      e.operation = side.op === ROW_INSERT ? 'insert' : 'update';
      e.position = side.position;
    }
    side.changedAt(side.position, this.n);
    // As delivered the row is clean (it was normalised), except a delete of a row that is not there.
    this.flags = (op === ROW_DELETE && r & ROW_ANOMALY ? BOOK_BAD_POSITION : BOOK_OK) | this.crossedFlag();
    return op === ROW_DELETE ? r & ROW_ANOMALY : r;
  }

  /** BOOK_* bits of the last {@link ingest} (the row as delivered). */
  flags = BOOK_OK;

  /** Apply one delta; returns 0 or a bit set of BOOK_* flags. Never throws for bad input. */
  apply(event: DepthEvent): number {
    this.recv = event.recvTime;
    const x = event.exchTime;
    this.exch = x === null ? Number.NaN : x;
    return this.applyDelta(event);
  }

  /** {@link apply} after the row's times are stored. */
  private applyDelta(event: DepthEvent): number {
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
    if (pos >= 0 && Number.isSafeInteger(pos)) {
      flags = this.applyRow(side, op, pos, price, size);
      side.changedAt(side.position, this.n);
    } else if (pos === -1) {
      flags = this.applyPriceKeyed(side, event.side === 'bid', op, price, size);
      side.changedAt(this.keyedAt, this.n);
    } else {
      flags = BOOK_BAD_POSITION;
      side.changedAt(Number.NaN, this.n);
    }
    return flags | this.crossedFlag();
  }

  private applyRow(side: SideRows, op: 'insert' | 'update' | 'delete', pos: number, price: number, size: number): number {
    const code = op === 'insert' ? ROW_INSERT : op === 'update' ? ROW_UPDATE : ROW_DELETE;
    return side.apply(code, pos, price, size) & ROW_ANOMALY ? BOOK_BAD_POSITION : BOOK_OK;
  }

  /** The row the last price-keyed delta changed, NaN when it changed none (read by SideRows.changedAt). */
  private keyedAt = Number.NaN;

  private applyPriceKeyed(side: SideRows, desc: boolean, op: 'insert' | 'update' | 'delete', price: number, size: number): number {
    const at = side.indexOf(price, desc);
    this.keyedAt = at >= 0 ? at : Number.NaN;
    // Size 0 empties a level whatever the operation says: a zero-size row must never stay in the book.
    if (op === 'delete' || size === 0) {
      if (at >= 0) {
        side.removeAt(at);
        return BOOK_OK;
      }
      if (op !== 'delete') return BOOK_OK; // size 0 for a level we do not hold: already absent
      // A full side legitimately lost levels beyond its depth; deleting one of those is not an anomaly.
      const beyond = side.length === side.capacity && side.insertionPoint(price, desc) >= side.length;
      return beyond ? BOOK_OK : BOOK_UNKNOWN_PRICE;
    }
    if (at >= 0) {
      side.sizes[at] = size;
      return op === 'insert' ? BOOK_DUPLICATE_PRICE : BOOK_OK;
    }
    const k = side.insertionPoint(price, desc);
    if (k < side.capacity) {
      side.insertAt(k, price, size);
      this.keyedAt = k;
    }
    return BOOK_OK;
  }

  private crossedFlag(): number {
    return this.crossed ? BOOK_CROSSED : 0;
  }

  private rows(side: BookSide): SideRows {
    return side === 'bid' ? this.bid : this.ask;
  }
}

function checkTopN(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > BOOK_MAX_TOP_N) throw new RangeError(`topN must be 1..${BOOK_MAX_TOP_N}, got ${n}`);
  return n;
}
