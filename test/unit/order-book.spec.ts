import { expect } from 'chai';
import type { BookSide, DepthEvent, DepthOperation } from '../../core/domain/market.js';
import {
  BOOK_BAD_POSITION,
  BOOK_BAD_PRICE,
  BOOK_BAD_SIZE,
  BOOK_CROSSED,
  BOOK_DUPLICATE_PRICE,
  BOOK_UNKNOWN_PRICE,
  OrderBook,
  describeBookFlags,
} from '../../core/domain/order-book.js';

let seq = 0;
function d(side: BookSide, position: number, operation: DepthOperation, price: number, size: number): DepthEvent {
  seq++;
  return {
    kind: 'depth',
    symbol: 'X',
    seq,
    epoch: 0,
    recvTime: seq * 10,
    exchTime: null,
    side,
    position,
    operation,
    price,
    size,
    marketMaker: '',
    endOfBatch: true,
  };
}

function rows(book: OrderBook, side: BookSide): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < book.levels(side); i++) out.push([book.priceAt(side, i), book.sizeAt(side, i)]);
  return out;
}

describe('OrderBook: IB row semantics (position >= 0)', () => {
  it('insert at p shifts rows p.. down and truncates at maxLevels', () => {
    const book = new OrderBook('X', { maxLevels: 3, topN: 2 });
    expect(book.apply(d('bid', 0, 'insert', 100, 1))).to.equal(0);
    book.apply(d('bid', 1, 'insert', 99, 2));
    book.apply(d('bid', 0, 'insert', 101, 3));
    expect(rows(book, 'bid')).to.deep.equal([
      [101, 3],
      [100, 1],
      [99, 2],
    ]);
    book.apply(d('bid', 1, 'insert', 105, 7)); // rows are not keyed by price: kept unsorted as sent
    expect(rows(book, 'bid')).to.deep.equal([
      [101, 3],
      [105, 7],
      [100, 1],
    ]);
    expect(book.topVolume('bid')).to.equal(10);
    expect(book.maxBidSizeTopN).to.equal(7);
  });

  it('update replaces row p in place, price included', () => {
    const book = new OrderBook('X', { maxLevels: 5 });
    book.apply(d('ask', 0, 'insert', 200, 1));
    book.apply(d('ask', 1, 'insert', 201, 2));
    expect(book.apply(d('ask', 1, 'update', 202, 9))).to.equal(0);
    expect(rows(book, 'ask')).to.deep.equal([
      [200, 1],
      [202, 9],
    ]);
  });

  it('delete removes row p and shifts rows below up', () => {
    const book = new OrderBook('X', { maxLevels: 5 });
    for (let i = 0; i < 4; i++) book.apply(d('ask', i, 'insert', 200 + i, i + 1));
    book.apply(d('ask', 1, 'delete', 0, 0));
    expect(rows(book, 'ask')).to.deep.equal([
      [200, 1],
      [202, 3],
      [203, 4],
    ]);
    book.apply(d('ask', 0, 'delete', 0, 0));
    expect(book.bestAsk).to.equal(202);
    expect(book.bestAskSize).to.equal(3);
  });

  it('positions past the end are flagged: update appends, insert appends, delete is ignored', () => {
    const book = new OrderBook('X', { maxLevels: 5 });
    expect(book.apply(d('bid', 3, 'update', 100, 5))).to.equal(BOOK_BAD_POSITION);
    expect(book.apply(d('bid', 4, 'insert', 99, 5))).to.equal(BOOK_BAD_POSITION);
    expect(rows(book, 'bid')).to.deep.equal([
      [100, 5],
      [99, 5],
    ]);
    expect(book.apply(d('bid', 2, 'delete', 0, 0))).to.equal(BOOK_BAD_POSITION);
    expect(book.levels('bid')).to.equal(2);
    expect(book.apply(d('bid', -2, 'insert', 98, 1))).to.equal(BOOK_BAD_POSITION);
  });

  it('clear empties both sides', () => {
    const book = new OrderBook('X');
    book.apply(d('bid', 0, 'insert', 100, 5));
    book.apply(d('ask', 0, 'insert', 101, 5));
    expect(book.apply(d('bid', 0, 'clear', 0, 0))).to.equal(0);
    expect(book.levels('bid') + book.levels('ask')).to.equal(0);
    expect(book.bestBid).to.equal(0);
    expect(book.spread).to.equal(0);
    expect(book.topVolume('bid')).to.equal(0);
  });
});

describe('OrderBook: price-keyed deltas (position -1)', () => {
  it('keeps each side sorted with one row per price', () => {
    const book = new OrderBook('X', { maxLevels: 10, topN: 3 });
    book.apply(d('bid', -1, 'insert', 100, 1));
    book.apply(d('bid', -1, 'insert', 102, 2));
    book.apply(d('bid', -1, 'insert', 101, 3));
    book.apply(d('ask', -1, 'insert', 105, 4));
    book.apply(d('ask', -1, 'insert', 103, 5));
    expect(rows(book, 'bid')).to.deep.equal([
      [102, 2],
      [101, 3],
      [100, 1],
    ]);
    expect(rows(book, 'ask')).to.deep.equal([
      [103, 5],
      [105, 4],
    ]);
    expect(book.spread).to.equal(1);
    expect(book.mid2).to.equal(205);
    expect(book.topVolume('bid')).to.equal(6);
  });

  it('update sets the size, inserts an unknown price silently, and size 0 deletes', () => {
    const book = new OrderBook('X');
    book.apply(d('bid', -1, 'insert', 100, 1));
    expect(book.apply(d('bid', -1, 'update', 100, 7))).to.equal(0);
    expect(book.apply(d('bid', -1, 'update', 99, 4))).to.equal(0);
    expect(rows(book, 'bid')).to.deep.equal([
      [100, 7],
      [99, 4],
    ]);
    expect(book.apply(d('bid', -1, 'update', 100, 0))).to.equal(0);
    expect(rows(book, 'bid')).to.deep.equal([[99, 4]]);
  });

  it('flags unknown deletes and duplicate inserts, but not deletes beyond a full side', () => {
    const book = new OrderBook('X', { maxLevels: 2 });
    book.apply(d('ask', -1, 'insert', 100, 1));
    expect(book.apply(d('ask', -1, 'delete', 101, 0))).to.equal(BOOK_UNKNOWN_PRICE);
    expect(book.apply(d('ask', -1, 'insert', 100, 3))).to.equal(BOOK_DUPLICATE_PRICE);
    expect(book.bestAskSize).to.equal(3);
    book.apply(d('ask', -1, 'insert', 102, 1));
    book.apply(d('ask', -1, 'insert', 104, 1)); // truncated: side holds 2 rows
    expect(rows(book, 'ask')).to.deep.equal([
      [100, 3],
      [102, 1],
    ]);
    expect(book.apply(d('ask', -1, 'delete', 104, 0))).to.equal(0);
  });

  it('reports bad sizes and prices and leaves the book unchanged', () => {
    const book = new OrderBook('X');
    book.apply(d('bid', -1, 'insert', 100, 1));
    expect(book.apply(d('bid', -1, 'insert', 101, -1))).to.equal(BOOK_BAD_SIZE);
    expect(book.apply(d('bid', -1, 'insert', 101, 1.5))).to.equal(BOOK_BAD_SIZE);
    expect(book.apply(d('bid', -1, 'insert', 100.5, 1))).to.equal(BOOK_BAD_PRICE);
    expect(rows(book, 'bid')).to.deep.equal([[100, 1]]);
    expect(describeBookFlags(BOOK_BAD_SIZE | BOOK_CROSSED)).to.deep.equal(['crossed', 'bad-size']);
  });

  it('flags a crossed or locked book on every delta while it stays so', () => {
    const book = new OrderBook('X');
    book.apply(d('bid', -1, 'insert', 100, 1));
    expect(book.apply(d('ask', -1, 'insert', 100, 1))).to.equal(BOOK_CROSSED);
    expect(book.crossed).to.equal(true);
    expect(book.apply(d('bid', -1, 'insert', 99, 1))).to.equal(BOOK_CROSSED);
    expect(book.apply(d('bid', -1, 'delete', 100, 0))).to.equal(0);
    expect(book.crossed).to.equal(false);
  });

  it('tracks receive and exchange time of the last delta and validates topN', () => {
    const book = new OrderBook('X');
    const e = d('bid', -1, 'insert', 100, 1);
    book.apply({ ...e, recvTime: 1234, exchTime: 1200 });
    expect(book.lastRecvTime).to.equal(1234);
    expect(book.lastExchTime).to.equal(1200);
    expect(() => book.setTopN(0)).to.throw(RangeError);
    expect(() => book.setTopN(21)).to.throw(RangeError);
    book.setTopN(1);
    expect(book.topN).to.equal(1);
  });
});

describe('OrderBook: capacity below the view and the feed side (ingest)', () => {
  it('holds price-keyed levels below maxLevels and moves them into view when the levels above go', () => {
    const book = new OrderBook('X', { maxLevels: 3, topN: 2, capacity: 8 });
    for (let k = 0; k < 5; k++) book.apply(d('bid', -1, 'insert', 1000 - k, 10 + k));
    expect(rows(book, 'bid')).to.deep.equal([
      [1000, 10],
      [999, 11],
      [998, 12],
    ]);
    expect(book.heldRows('bid')).to.equal(5);
    expect(book.priceAt('bid', 3)).to.equal(0);
    book.apply(d('bid', -1, 'delete', 1000, 0));
    book.apply(d('bid', -1, 'delete', 999, 0));
    expect(rows(book, 'bid')).to.deep.equal([
      [998, 12],
      [997, 13],
      [996, 14],
    ]);
    expect(book.topVolume('bid')).to.equal(25);
  });

  it('ingest normalises a row-keyed row in place, reports it to the feed, and leaves the delivered row clean in flags', () => {
    const book = new OrderBook('X', { maxLevels: 2, topN: 1 });
    const first = d('bid', 0, 'insert', 100, 1);
    expect(book.ingest(first)).to.equal(0);
    const past = d('bid', 3, 'update', 99, 2);
    expect(book.ingest(past)).to.equal(1); // ROW_ANOMALY: appended
    expect([past.operation, past.position]).to.deep.equal(['insert', 1]);
    expect(book.flags).to.equal(0);
    expect(book.ingest(d('bid', 2, 'insert', 98, 3)) & 2).to.equal(2); // ROW_DROPPED: beyond the rows subscribed
    expect(book.ingest(d('ask', 0, 'insert', 100, 1))).to.equal(0);
    expect(book.flags).to.equal(BOOK_CROSSED);
    expect(book.ingest(d('ask', 1, 'delete', 0, 0))).to.equal(1); // a delete of a row that is not there: delivered
    expect(book.flags & BOOK_BAD_POSITION).to.not.equal(0);
  });

  it("ingest keeps each row's exchange time; a row the feed restates has none, whatever its object holds", () => {
    for (const keyed of [true, false]) {
      const book = new OrderBook('X');
      const pos = keyed ? -1 : 0;
      book.ingest({ ...d('bid', pos, 'insert', 100, 1), recvTime: 50, exchTime: 40 });
      expect([book.lastRecvTime, book.lastExchTime]).to.deep.equal([50, 40]);
      // A stray time on a restated row must not leak into the book's last exchange time.
      book.ingestRestated({ ...d('bid', pos, 'update', 100, 2), recvTime: 60, exchTime: 55 });
      expect([book.lastRecvTime, book.lastExchTime, book.sizeAt('bid', 0)]).to.deep.equal([60, null, 2]);
      book.ingest({ ...d('bid', pos, 'update', 100, 3), recvTime: 70, exchTime: 65 });
      expect([book.lastRecvTime, book.lastExchTime]).to.deep.equal([70, 65]);
    }
  });
});
