/**
 * One side of a depth book addressed by row position, IB `reqMktDepth` style: the single row model shared by the
 * kernel's OrderBook, the replay feed, the TWS feed, the fake TWS and the conformance kit (docs/depth-rows.md).
 *
 * Rules, one per case (`levels` = rows the subscriber asked for):
 * - insert at p ≤ length: rows p.. move down one; the side is cut to `levels` (the last row falls off).
 * - update at p < length: row p is replaced in place.
 * - delete at p < length: row p is removed; the rows below move up one. The removed row is reported.
 * - insert past the end (p > length): appended at `length`, never padded with placeholder rows — ANOMALY.
 * - update past the end (p ≥ length): appended at `length` as an insert — ANOMALY.
 * - an insert/append landing at or beyond `levels` (a full side): changes nothing, not to be delivered — DROPPED
 *   (and ANOMALY when it was also past the end or an update).
 * - delete past the end (p ≥ length): changes nothing — DROPPED; ANOMALY only when p < `levels`: a delete at or
 *   beyond the requested rows names the row an insert already pushed out of the window.
 * - position not a non-negative integer, size negative or not an integer, or price not a positive integer on
 *   insert/update: changes nothing — BAD | DROPPED.
 * - zero size: kept as sent (rows are positional, not price-keyed, so a zero row is the venue's view).
 * - crossed result: rows never look at the other side; the caller judges crossing on the whole book.
 *
 * After `apply`, `op`/`position`/`price`/`size` hold the row as applied (normalised; a delete carries the removed
 * row's price and size), so a feed can deliver it without building an object. Nothing here allocates.
 */
export const ROW_INSERT = 0;
export const ROW_UPDATE = 1;
export const ROW_DELETE = 2;

/** `apply` result bits; 0 means applied exactly as addressed. */
export const ROW_OK = 0;
export const ROW_ANOMALY = 1;
export const ROW_DROPPED = 2;
export const ROW_BAD = 4;

export class DepthRowSide {
  readonly prices: Float64Array;
  readonly sizes: Float64Array;
  length = 0;
  op = ROW_UPDATE;
  position = 0;
  price = 0;
  size = 0;

  /** `capacity` ≥ `levels` leaves room for price-keyed use of the same arrays (LOBSTER keeps deeper books). */
  constructor(
    readonly levels: number,
    readonly capacity: number = levels,
  ) {
    if (!Number.isSafeInteger(levels) || levels < 1 || capacity < levels) throw new RangeError(`bad depth levels ${levels}/${capacity}`);
    this.prices = new Float64Array(capacity);
    this.sizes = new Float64Array(capacity);
  }

  /** Applies one row (operation ROW_INSERT/UPDATE/DELETE); returns ROW_* bits. */
  apply(operation: number, position: number, price: number, size: number): number {
    this.price = price;
    this.size = size;
    this.position = position;
    this.op = operation;
    if (!Number.isSafeInteger(position) || position < 0 || !Number.isSafeInteger(size) || size < 0) return ROW_BAD | ROW_DROPPED;
    const len = this.length;
    if (operation === ROW_DELETE) {
      if (position >= len) return position < this.levels ? ROW_DROPPED | ROW_ANOMALY : ROW_DROPPED;
      this.price = this.prices[position]!;
      this.size = this.sizes[position]!;
      this.removeAt(position);
      return ROW_OK;
    }
    if (!Number.isSafeInteger(price) || price <= 0 || (operation !== ROW_INSERT && operation !== ROW_UPDATE)) return ROW_BAD | ROW_DROPPED;
    if (operation === ROW_UPDATE && position < len) {
      this.prices[position] = price;
      this.sizes[position] = size;
      return ROW_OK;
    }
    const flags = position > len || operation === ROW_UPDATE ? ROW_ANOMALY : ROW_OK;
    const at = Math.min(position, len);
    if (at >= this.levels) return flags | ROW_DROPPED;
    this.insertAt(at, price, size, this.levels);
    this.op = ROW_INSERT;
    this.position = at;
    return flags;
  }

  /** Row p and below move down one; the side keeps at most `limit` rows. */
  insertAt(p: number, price: number, size: number, limit: number = this.capacity): void {
    const end = this.length < this.capacity ? this.length : this.capacity - 1;
    this.prices.copyWithin(p + 1, p, end);
    this.sizes.copyWithin(p + 1, p, end);
    this.prices[p] = price;
    this.sizes[p] = size;
    this.length = end + 1 < limit ? end + 1 : limit;
  }

  /** Row p is removed and the rows below move up one. */
  removeAt(p: number): void {
    this.prices.copyWithin(p, p + 1, this.length);
    this.sizes.copyWithin(p, p + 1, this.length);
    this.length--;
    this.prices[this.length] = 0;
    this.sizes[this.length] = 0;
  }

  clear(): void {
    this.prices.fill(0, 0, this.length);
    this.sizes.fill(0, 0, this.length);
    this.length = 0;
  }
}
