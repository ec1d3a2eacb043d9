import { expect } from 'chai';
import fc from 'fast-check';
import type { BookSide, DepthEvent, DepthOperation } from '../../core/domain/market.js';
import { BOOK_CROSSED, OrderBook } from '../../core/domain/order-book.js';

type Row = { price: number; size: number };

/** The naive reference: plain arrays with splice, exactly as docs/tws-adapter.md#depth-rows words the rules. */
class ReferenceBook {
  bid: Row[] = [];
  ask: Row[] = [];
  /** `capacity`: rows a price-keyed side holds below the view (OrderBookOptions.capacity). */
  constructor(
    readonly maxLevels: number,
    readonly capacity: number = maxLevels,
  ) {}

  /** The rows a reader sees: at most maxLevels. */
  view(s: BookSide): Row[] {
    return this[s].slice(0, this.maxLevels);
  }

  apply(e: DepthEvent): void {
    if (e.operation === 'clear') {
      this.bid = [];
      this.ask = [];
      return;
    }
    if (!Number.isSafeInteger(e.size) || e.size < 0) return;
    if (e.operation !== 'delete' && (!Number.isSafeInteger(e.price) || e.price <= 0)) return;
    const rows = e.side === 'bid' ? this.bid : this.ask;
    if (e.position >= 0) this.row(rows, e);
    else if (e.position === -1) this.keyed(rows, e.side === 'bid', e);
  }

  private row(rows: Row[], e: DepthEvent): void {
    const p = e.position;
    if (e.operation === 'insert' || (e.operation === 'update' && p >= rows.length)) {
      rows.splice(Math.min(p, rows.length), 0, { price: e.price, size: e.size });
      if (rows.length > this.maxLevels) rows.splice(this.maxLevels);
    } else if (e.operation === 'update') rows[p] = { price: e.price, size: e.size };
    else if (p < rows.length) rows.splice(p, 1);
  }

  private keyed(rows: Row[], desc: boolean, e: DepthEvent): void {
    const i = rows.findIndex((r) => r.price === e.price);
    if (e.operation === 'delete' || e.size === 0) {
      if (i >= 0) rows.splice(i, 1);
      return;
    }
    if (i >= 0) {
      rows[i]!.size = e.size;
      return;
    }
    rows.push({ price: e.price, size: e.size });
    rows.sort((a, b) => (desc ? b.price - a.price : a.price - b.price));
    if (rows.length > this.capacity) rows.splice(this.capacity);
  }
}

const side = fc.constantFrom<BookSide>('bid', 'ask');
const op = fc.constantFrom<DepthOperation>('insert', 'insert', 'update', 'update', 'delete', 'clear');
const rowDelta = fc.record({
  side,
  op,
  position: fc.integer({ min: 0, max: 12 }),
  price: fc.integer({ min: 1, max: 40 }),
  size: fc.integer({ min: 0, max: 500 }),
});
const keyedDelta = fc.record({
  side,
  op: fc.constantFrom<DepthOperation>('insert', 'update', 'update', 'delete', 'delete'),
  position: fc.constant(-1),
  price: fc.integer({ min: 90, max: 110 }),
  size: fc.integer({ min: 0, max: 500 }),
});

function toEvent(x: { side: BookSide; op: DepthOperation; position: number; price: number; size: number }, i: number): DepthEvent {
  return {
    kind: 'depth',
    symbol: 'X',
    seq: i + 1,
    epoch: 0,
    recvTime: i,
    exchTime: null,
    side: x.side,
    position: x.position,
    operation: x.op,
    price: x.price,
    size: x.size,
    marketMaker: '',
    endOfBatch: true,
  };
}

function check(book: OrderBook, ref: ReferenceBook, flags: number): void {
  for (const s of ['bid', 'ask'] as const) {
    const want = ref.view(s);
    expect(book.levels(s)).to.equal(want.length);
    expect(book.heldRows(s)).to.equal(ref[s].length);
    for (let i = 0; i < want.length; i++) {
      expect(book.priceAt(s, i)).to.equal(want[i]!.price);
      expect(book.sizeAt(s, i)).to.equal(want[i]!.size);
    }
    const top = want.slice(0, book.topN);
    expect(book.topVolume(s)).to.equal(top.reduce((a, r) => a + r.size, 0));
    expect(book.maxSizeTopN(s)).to.equal(top.reduce((a, r) => Math.max(a, r.size), 0));
  }
  expect(book.maxBidSizeTopN).to.equal(
    ref
      .view('bid')
      .slice(0, book.topN)
      .reduce((a, r) => Math.max(a, r.size), 0),
  );
  const crossed = ref.bid.length > 0 && ref.ask.length > 0 && ref.bid[0]!.price >= ref.ask[0]!.price;
  expect(book.crossed).to.equal(crossed);
  expect((flags & BOOK_CROSSED) !== 0).to.equal(crossed);
  if (crossed) return;
  expect(book.spread).to.equal(ref.bid.length && ref.ask.length ? ref.ask[0]!.price - ref.bid[0]!.price : 0);
}

function run(
  deltas: Array<{ side: BookSide; op: DepthOperation; position: number; price: number; size: number }>,
  maxLevels: number,
  topN: number,
  capacity: number = maxLevels,
): void {
  const book = new OrderBook('X', { maxLevels, topN, capacity });
  const ref = new ReferenceBook(maxLevels, capacity);
  const seen = { bid: '[]', ask: '[]' };
  const count = { bid: book.changes('bid'), ask: book.changes('ask') };
  deltas.forEach((x, i) => {
    const e = toEvent(x, i);
    const flags = book.apply(e);
    ref.apply(e);
    check(book, ref, flags);
    // BookView.changes: a side whose rows differ from the last read must not report the same count.
    for (const s of ['bid', 'ask'] as const) {
      const rows = JSON.stringify(ref[s]);
      if (rows !== seen[s]) expect(book.changes(s), `${s} changed at delta ${i}`).to.not.equal(count[s]);
      seen[s] = rows;
      count[s] = book.changes(s);
    }
  });
}

describe('OrderBook property: equals a naive splice model', () => {
  it('IB row deltas (insert/update/delete/clear at any position, truncation)', () => {
    fc.assert(
      fc.property(
        fc.array(rowDelta, { maxLength: 120 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 20 }),
        (deltas, maxLevels, topN) => run(deltas, maxLevels, topN),
      ),
      { numRuns: 300 },
    );
  });

  it('price-keyed deltas (sorted sides, unknown updates insert, size 0 deletes)', () => {
    fc.assert(
      fc.property(
        fc.array(keyedDelta, { maxLength: 150 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 20 }),
        (deltas, maxLevels, topN) => run(deltas, maxLevels, topN),
      ),
      { numRuns: 300 },
    );
  });

  it("price-keyed deltas on a side deeper than its view (capacity > maxLevels, the replay feed's book)", () => {
    // The top-N figures are rescanned only when a change lands in the top rows; changes below the view (and below
    // topN) must leave them right, and rows pushed out of the view must come back when the levels above them go.
    fc.assert(
      fc.property(
        fc.array(keyedDelta, { maxLength: 200 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 1, max: 20 }),
        (deltas, maxLevels, extra, topN) => run(deltas, maxLevels, topN, maxLevels + extra),
      ),
      { numRuns: 300 },
    );
  });

  it('setTopN recomputes sums over the new window', () => {
    fc.assert(
      fc.property(fc.array(keyedDelta, { maxLength: 60 }), fc.integer({ min: 1, max: 20 }), (deltas, n) => {
        const book = new OrderBook('X', { maxLevels: 20, topN: 5 });
        const ref = new ReferenceBook(20);
        deltas.forEach((x, i) => {
          const e = toEvent(x, i);
          book.apply(e);
          ref.apply(e);
        });
        book.setTopN(n);
        check(book, ref, book.crossed ? BOOK_CROSSED : 0);
      }),
      { numRuns: 200 },
    );
  });
});
