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

/**
 * Full-depth book per symbol that turns Harvester depth events (row-based or price-keyed) into IB row operations,
 * and trims them to a subscriber's `numRows` the way TWS keeps a client's book at most N rows deep.
 *
 * Invariant: after every change, replaying the emitted row operations on an empty row book reproduces the first
 * `numRows` levels of each side.
 */
export class RowBook {
  private readonly sides: [Level[], Level[]] = [[], []];

  level(side: 0 | 1, position: number): Level | undefined {
    return this.sides[side][position];
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
          const gone = rows.pop()!;
          emit({ operation: 2, side, position: rows.length, price: gone.price, size: gone.size }, rows.length);
        }
      }
      return;
    }
    const side: 0 | 1 = ev.side === 'bid' ? 1 : 0;
    const rows = this.sides[side];
    if (ev.position >= 0) {
      this.applyRow(rows, side, ev, emit);
      return;
    }
    const at = findPrice(rows, ev.price, side);
    const exists = at < rows.length && rows[at]!.price === ev.price;
    if (ev.operation === 'delete' || ev.size <= 0) {
      if (!exists) return;
      rows.splice(at, 1);
      emit({ operation: 2, side, position: at, price: ev.price, size: 0 }, rows.length);
    } else if (exists) {
      rows[at]!.size = ev.size;
      emit({ operation: 1, side, position: at, price: ev.price, size: ev.size }, rows.length);
    } else {
      rows.splice(at, 0, { price: ev.price, size: ev.size });
      emit({ operation: 0, side, position: at, price: ev.price, size: ev.size }, rows.length);
    }
  }

  private applyRow(rows: Level[], side: 0 | 1, ev: DepthEvent, emit: (c: RowChange, lenAfter: number) => void): void {
    const p = Math.min(ev.position, ev.operation === 'insert' ? rows.length : rows.length - 1);
    if (p < 0) return;
    if (ev.operation === 'insert') rows.splice(p, 0, { price: ev.price, size: ev.size });
    else if (ev.operation === 'update') rows[p] = { price: ev.price, size: ev.size };
    else rows.splice(p, 1);
    const operation = ev.operation === 'insert' ? 0 : ev.operation === 'update' ? 1 : 2;
    emit({ operation, side, position: p, price: ev.price, size: ev.size }, rows.length);
  }
}

/** Index of `price` or of where it would be inserted; bids sort descending, asks ascending. */
function findPrice(rows: readonly Level[], price: Price, side: 0 | 1): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = rows[mid]!.price;
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
export function trimToWindow(book: RowBook, c: RowChange, lenAfter: number, numRows: number,
  out: (c: RowChange) => void): void {
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
