import { expect } from 'chai';
import fc from 'fast-check';
import {
  DepthRowSide,
  ROW_ANOMALY,
  ROW_BAD,
  ROW_DELETE,
  ROW_DROPPED,
  ROW_INSERT,
  ROW_OK,
  ROW_UPDATE,
} from '../../core/domain/depth-rows.js';
import type { DepthEvent } from '../../core/domain/market.js';
import { BOOK_BAD_POSITION, OrderBook } from '../../core/domain/order-book.js';
import { RowBook, type RowChange } from '../../adapters/fake-tws/depth-rows.js';
import { ownBook } from '../../adapters/replay/replay-book-model.js';

type Row = [number, number];

/** The rules of core/domain/depth-rows.ts written the naive way: plain arrays and splice. */
function reference(rows: Row[], levels: number, op: number, p: number, price: number, size: number): { flags: number; rows: Row[] } {
  const r = rows.slice();
  if (!Number.isSafeInteger(p) || p < 0 || !Number.isSafeInteger(size) || size < 0) return { flags: ROW_BAD | ROW_DROPPED, rows: r };
  if (op === ROW_DELETE) {
    if (p >= r.length) return { flags: ROW_DROPPED | (p < levels ? ROW_ANOMALY : 0), rows: r };
    r.splice(p, 1);
    return { flags: ROW_OK, rows: r };
  }
  if (!Number.isSafeInteger(price) || price <= 0) return { flags: ROW_BAD | ROW_DROPPED, rows: r };
  if (op === ROW_UPDATE && p < r.length) {
    r[p] = [price, size];
    return { flags: ROW_OK, rows: r };
  }
  const anomaly = p > r.length || op === ROW_UPDATE ? ROW_ANOMALY : 0;
  const at = Math.min(p, r.length);
  if (at >= levels) return { flags: anomaly | ROW_DROPPED, rows: r };
  r.splice(at, 0, [price, size]);
  return { flags: anomaly, rows: r.slice(0, levels) };
}

const rowsOf = (s: DepthRowSide): Row[] => Array.from({ length: s.length }, (_, i) => [s.prices[i]!, s.sizes[i]!]);

describe('depth rows (core/domain/depth-rows: the one IB row model)', () => {
  it('matches the plain-array reference on any row sequence, edge cases included', () => {
    const row = fc.record({
      op: fc.constantFrom(ROW_INSERT, ROW_UPDATE, ROW_DELETE),
      p: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constantFrom(-1, 25, 0.5)),
      price: fc.oneof(fc.integer({ min: 1, max: 50 }), fc.constantFrom(0, -3)),
      size: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constantFrom(-1, 1.5)),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(row, { maxLength: 80 }), (levels, seq) => {
        const side = new DepthRowSide(levels);
        let ref: Row[] = [];
        for (const r of seq) {
          const want = reference(ref, levels, r.op, r.p, r.price, r.size);
          expect(side.apply(r.op, r.p, r.price, r.size)).to.equal(want.flags);
          ref = want.rows;
          expect(rowsOf(side)).to.deep.equal(ref);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('one rule per edge case', () => {
    const s = new DepthRowSide(3);
    expect(s.apply(ROW_INSERT, 0, 100, 1)).to.equal(ROW_OK);
    expect(s.apply(ROW_INSERT, 4, 99, 1), 'insert past the end').to.equal(ROW_ANOMALY);
    expect([s.op, s.position]).to.deep.equal([ROW_INSERT, 1]);
    expect(s.apply(ROW_UPDATE, 7, 98, 1), 'update past the end').to.equal(ROW_ANOMALY);
    expect([s.op, s.position]).to.deep.equal([ROW_INSERT, 2]);
    expect(s.apply(ROW_INSERT, 3, 97, 1), 'beyond max depth').to.equal(ROW_DROPPED);
    expect(s.apply(ROW_UPDATE, 3, 97, 1), 'update beyond a full side').to.equal(ROW_ANOMALY | ROW_DROPPED);
    expect(s.apply(ROW_DELETE, 3, 0, 0), 'delete at max depth: the pushed-out row').to.equal(ROW_DROPPED);
    s.apply(ROW_DELETE, 2, 0, 0);
    expect(s.apply(ROW_DELETE, 2, 0, 0), 'delete past the end inside the window').to.equal(ROW_DROPPED | ROW_ANOMALY);
    expect(s.apply(ROW_UPDATE, 0, 100, -1), 'negative size').to.equal(ROW_BAD | ROW_DROPPED);
    expect(s.apply(ROW_UPDATE, 0, 100, 0), 'zero size kept as sent').to.equal(ROW_OK);
    expect(rowsOf(s)).to.deep.equal([
      [100, 0],
      [99, 1],
    ]);
  });

  it('every user applies the same rule to a delete past the end of a side (they used to disagree)', () => {
    const levels = 3;
    const rows = (e: Partial<DepthEvent>): DepthEvent =>
      ({
        kind: 'depth',
        symbol: 'X',
        seq: 0,
        epoch: 1,
        recvTime: 0,
        exchTime: 0,
        side: 'bid',
        position: 0,
        operation: 'insert',
        price: 100,
        size: 1,
        marketMaker: '',
        endOfBatch: true,
        ...e,
      }) as DepthEvent;
    const book = new OrderBook('X', { maxLevels: levels });
    book.apply(rows({}));
    expect(book.apply(rows({ operation: 'delete', position: 2 })) & BOOK_BAD_POSITION, 'kernel: inside the window').to.not.equal(0);
    expect(book.apply(rows({ operation: 'delete', position: 5 })) & BOOK_BAD_POSITION, 'kernel: beyond maxLevels').to.equal(0);
    // The replay and TWS feeds apply rows with OrderBook.ingest (the kernel's book when it lends one).
    const replay = ownBook('XYZ', levels);
    replay.ingest(rows({}));
    expect(replay.ingest(rows({ operation: 'delete', position: 2 }))).to.equal(ROW_ANOMALY);
    // The fake TWS deleted its last row here, and updated the last row for an update past the end.
    const fake = new RowBook();
    const out: RowChange[] = [];
    fake.apply(rows({}), (c) => out.push(c));
    fake.apply(rows({ operation: 'delete', position: 2 }), (c) => out.push(c));
    fake.apply(rows({ operation: 'update', position: 4, price: 99 }), (c) => out.push(c));
    expect(out.map((c) => [c.operation, c.position, c.price])).to.deep.equal([
      [0, 0, 100],
      [0, 1, 99],
    ]);
    expect(fake.depth(1)).to.equal(2);
  });
});
