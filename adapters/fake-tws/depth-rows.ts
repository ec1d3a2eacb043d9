import { DepthRowSide, ROW_DELETE, ROW_DROPPED, ROW_INSERT, ROW_UPDATE } from '../../core/domain/depth-rows.js';
import type { DepthEvent } from '../../core/domain/market.js';
import type { Price, Quantity } from '../../core/domain/units.js';

/** IB depth codes: operation 0 insert / 1 update / 2 delete; side 0 ask / 1 bid. */
export interface RowChange {
  operation: 0 | 1 | 2;
  side: 0 | 1;
  position: number;
  price: Price;
  size: Quantity;
}

interface Level {
  price: Price;
  size: Quantity;
}

/** Rows the fake keeps per side: deeper than any IB subscription (≤ 20) so trimming always has rows to pull in. */
const FULL_DEPTH = 256;

/**
 * Full-depth book per symbol that turns Harvester depth events (row-based or price-keyed) into IB row operations,
 * and trims them to a subscriber's `numRows` the way TWS keeps a client's book at most N rows deep. Row-based events
 * follow the shared row rules of core/domain/depth-rows.ts (a row addressed past the end is appended or dropped,
 * never applied to the last row).
 *
 * Invariant: after every change, replaying the emitted row operations on an empty row book reproduces the first
 * `numRows` levels of each side.
 */
export class RowBook {
  private readonly sides: [DepthRowSide, DepthRowSide] = [new DepthRowSide(FULL_DEPTH), new DepthRowSide(FULL_DEPTH)];

  level(side: 0 | 1, position: number): Level | undefined {
    const s = this.sides[side];
    return position >= 0 && position < s.length ? { price: s.prices[position]!, size: s.sizes[position]! } : undefined;
  }

  depth(side: 0 | 1): number {
    return this.sides[side].length;
  }

  /** Applies one event and calls `emit` after each elementary row change, with the book already updated. */
  apply(ev: DepthEvent, emit: (c: RowChange, lenAfter: number) => void): void {
    if (ev.operation === 'clear') {
      for (const side of [1, 0] as const) {
        const rows = this.sides[side];
        while (rows.length > 0) {
          const at = rows.length - 1;
          const price = rows.prices[at]!;
          const size = rows.sizes[at]!;
          rows.removeAt(at);
          emit({ operation: 2, side, position: at, price, size }, rows.length);
        }
      }
      return;
    }
    const side: 0 | 1 = ev.side === 'bid' ? 1 : 0;
    const rows = this.sides[side];
    if (ev.position >= 0) {
      const op = ev.operation === 'insert' ? ROW_INSERT : ev.operation === 'update' ? ROW_UPDATE : ROW_DELETE;
      if (rows.apply(op, ev.position, ev.price, ev.size) & ROW_DROPPED) return;
      emit({ operation: rows.op as 0 | 1 | 2, side, position: rows.position, price: rows.price, size: rows.size }, rows.length);
      return;
    }
    const at = findPrice(rows, ev.price, side);
    const exists = at < rows.length && rows.prices[at] === ev.price;
    if (ev.operation === 'delete' || ev.size <= 0) {
      if (!exists) return;
      rows.removeAt(at);
      emit({ operation: 2, side, position: at, price: ev.price, size: 0 }, rows.length);
    } else if (exists) {
      rows.sizes[at] = ev.size;
      emit({ operation: 1, side, position: at, price: ev.price, size: ev.size }, rows.length);
    } else if (at < FULL_DEPTH) {
      rows.insertAt(at, ev.price, ev.size);
      emit({ operation: 0, side, position: at, price: ev.price, size: ev.size }, rows.length);
    }
  }
}

/** Index of `price` or of where it would be inserted; bids sort descending, asks ascending. */
function findPrice(rows: DepthRowSide, price: Price, side: 0 | 1): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = rows.prices[mid]!;
    const before = side === 1 ? p > price : p < price;
    if (before) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Trims full-depth row changes to the first `numRows` rows: a change below the window is dropped, an insert that
 * pushes a row out of the window is followed by its delete, and a delete that pulls a hidden row in is followed by
 * its insert.
 */
export function trimToWindow(book: RowBook, c: RowChange, lenAfter: number, numRows: number, out: (c: RowChange) => void): void {
  if (c.position >= numRows) return;
  out(c);
  if (c.operation === 0 && lenAfter > numRows) {
    const pushed = book.level(c.side, numRows);
    out({ operation: 2, side: c.side, position: numRows, price: pushed?.price ?? 0, size: 0 });
  } else if (c.operation === 2 && lenAfter >= numRows) {
    const pulled = book.level(c.side, numRows - 1);
    if (pulled) out({ operation: 0, side: c.side, position: numRows - 1, price: pulled.price, size: pulled.size });
  }
}
