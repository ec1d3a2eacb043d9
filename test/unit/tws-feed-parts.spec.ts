import { expect } from 'chai';
import { QUOTE_FLAG_CROSSED, QUOTE_FLAG_LOCKED, QUOTE_FLAG_MISSING_ASK, QUOTE_FLAG_MISSING_BID } from '../../core/domain/market.js';
import { Sfc32 } from '../../core/domain/random.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import { OP_DELETE, OP_INSERT, OP_NAMES, OP_UPDATE, TwsDepthBook } from '../../adapters/tws/market-data/depth-book.js';
import { TwsQuoteBuilder } from '../../adapters/tws/market-data/quote-builder.js';
import { StaleWatch as TwsStaleWatch } from '../../core/engine/stale-watch.js';

/** The row-array model (docs/tws-adapter.md#depth-rows) for rows that stay inside the book. */
class RefSide {
  rows: [number, number][] = [];
  apply(op: number, p: number, price: number, size: number, levels: number): void {
    if (op === OP_INSERT) {
      this.rows.splice(p, 0, [price, size]);
      if (this.rows.length > levels) this.rows.length = levels;
    } else if (op === OP_UPDATE) this.rows[p] = [price, size];
    else this.rows.splice(p, 1);
  }
}

const rows = (book: TwsDepthBook, bid: boolean): [number, number][] => {
  const s = bid ? book.bids : book.asks;
  return Array.from({ length: s.length }, (_, i) => [s.prices[i]!, s.sizes[i]!]);
};

describe('TWS feed parts', () => {
  describe('depth book (IB row semantics, card §3.2)', () => {
    it('matches the reference row model on random in-book inserts, updates and deletes (seeds 1-20)', () => {
      for (let seed = 1; seed <= 20; seed++) {
        const rng = new Sfc32(seed);
        const book = new TwsDepthBook(5, 5, 60_000_000);
        const ref = { bid: new RefSide(), ask: new RefSide() };
        for (let i = 0; i < 2_000; i++) {
          const bid = rng.next() < 0.5;
          const side = bid ? ref.bid : ref.ask;
          const len = side.rows.length;
          const pick = rng.next();
          const op = len === 0 || pick < 0.4 ? OP_INSERT : pick < 0.75 ? OP_UPDATE : OP_DELETE;
          const p = Math.floor(rng.next() * (op === OP_INSERT ? Math.min(len + 1, 5) : len));
          const price = 100_000 + 100 * Math.floor(rng.next() * 50);
          const size = 100 * (1 + Math.floor(rng.next() * 9));
          const removed = op === OP_DELETE ? side.rows[p]! : null;
          expect(book.apply(bid, p, op, price, size), `seed ${seed} row ${i}`).to.equal(true);
          expect(book.anomaly).to.equal(false);
          side.apply(op, p, price, size, 5);
          expect([book.op, book.position]).to.deep.equal([op, p]);
          if (removed !== null) expect([book.price, book.size], 'a delete carries the removed row').to.deep.equal(removed);
          expect(rows(book, bid), `seed ${seed} row ${i}`).to.deep.equal(side.rows);
        }
      }
    });

    it('appends an update beyond the side as an insert at its end, counts it, and drops what cannot apply', () => {
      const book = new TwsDepthBook(3, 5, 60_000_000);
      book.apply(true, 0, OP_INSERT, 123300, 500);
      expect(book.apply(true, 6, OP_UPDATE, 123100, 300)).to.equal(true);
      expect([OP_NAMES[book.op], book.position, book.anomaly]).to.deep.equal(['insert', 1, true]);
      expect(book.apply(true, 4, OP_INSERT, 123000, 100)).to.equal(true);
      expect([book.position, book.anomaly], 'an insert past the end leaves a gap: appended, counted').to.deep.equal([2, true]);
      expect(book.apply(true, 5, OP_UPDATE, 122900, 100), 'beyond a full side').to.equal(false);
      expect(book.anomaly).to.equal(true);
      expect(book.apply(false, 0, OP_DELETE, 0, 0), 'delete of a missing row').to.equal(false);
      expect(book.anomaly).to.equal(true);
      expect(rows(book, true)).to.deep.equal([
        [123300, 500],
        [123100, 300],
        [123000, 100],
      ]);
    });

    it('a delete of the row an insert pushed out of the window is harmless, not an anomaly', () => {
      const book = new TwsDepthBook(3, 5, 60_000_000);
      for (const [p, price] of [
        [0, 123300],
        [1, 123200],
        [2, 123100],
      ] as const)
        book.apply(true, p, OP_INSERT, price, 100);
      expect(book.apply(true, 0, OP_INSERT, 123400, 100)).to.equal(true);
      expect(book.apply(true, 3, OP_DELETE, 0, 0), 'the pushed-out row is already cut').to.equal(false);
      expect(book.anomaly).to.equal(false);
      expect(rows(book, true)).to.deep.equal([
        [123400, 100],
        [123300, 100],
        [123200, 100],
      ]);
      book.apply(true, 2, OP_DELETE, 0, 0);
      expect(book.apply(true, 2, OP_DELETE, 0, 0), 'a missing row inside the window').to.equal(false);
      expect(book.anomaly).to.equal(true);
    });

    it('reports an anomaly burst at K within the window, not when they are spread out', () => {
      const book = new TwsDepthBook(5, 3, 60_000_000);
      expect(
        [0, 40_000_000, 80_000_000].map((t) => book.anomalyBurst(t)),
        '0, 40, 80 s: spread over 80 s',
      ).to.deep.equal([false, false, false]);
      expect(book.anomalyBurst(90_000_000), '40, 80, 90 s: three inside 60 s').to.equal(true);
      expect(book.anomalyBurst(91_000_000), 'the count starts over').to.equal(false);
    });
  });

  describe('quote builder', () => {
    it('commits one quote per turn, flags missing, crossed and locked sides, and drops a malformed turn whole', () => {
      const q = new TwsQuoteBuilder('XYZ');
      const turn = (ticks: [boolean, number, unknown][]): string => {
        for (const [price, field, v] of ticks)
          if (price) q.price(field, v, 1);
          else q.size(field, v, 1);
        return q.flush();
      };
      expect(
        turn([
          [true, 1, 12.34],
          [false, 0, 500],
          [true, 2, 12.35],
          [false, 3, 300],
        ]),
      ).to.equal('emit');
      expect([q.out.bid, q.out.bidSize, q.out.ask, q.out.askSize, q.out.flags]).to.deep.equal([123400, 500, 123500, 300, 0]);
      expect(
        turn([
          [true, 1, -1],
          [false, 0, 500],
        ]),
      ).to.equal('emit');
      expect([q.out.bid, q.out.bidSize, q.out.flags]).to.deep.equal([0, 0, QUOTE_FLAG_MISSING_BID]);
      expect(
        turn([
          [true, 1, 12.36],
          [true, 2, 0],
        ]),
      ).to.equal('emit');
      expect(q.out.flags).to.equal(QUOTE_FLAG_MISSING_ASK);
      expect(
        turn([
          [true, 2, 12.35],
          [false, 3, 300],
        ]),
      ).to.equal('emit');
      expect(q.out.flags).to.equal(QUOTE_FLAG_CROSSED);
      expect(turn([[true, 2, 12.36]])).to.equal('emit');
      expect(q.out.flags).to.equal(QUOTE_FLAG_LOCKED);
      expect(
        turn([
          [true, 1, 12.3],
          [false, 0, -200],
          [true, 2, 12.4],
        ]),
      ).to.equal('malformed');
      expect(q.lastBad).to.equal('bid size -200');
      expect([q.bid, q.ask], 'the last good quote stands').to.deep.equal([123600, 123600]);
      expect(turn([[true, 1, Number.NaN]])).to.equal('malformed');
      expect(
        turn([
          [true, 4, 12.35],
          [false, 5, 100],
        ]),
        'last price and size are not quote ticks',
      ).to.equal('none');
    });

    it('a repeated price inside one read starts the next quote; a repeated size does not', () => {
      const q = new TwsQuoteBuilder('XYZ');
      q.price(1, 12.34, 1);
      q.size(0, 500, 1);
      expect(q.repeats(0), 'IB follows every tickPrice with a duplicate tickSize').to.equal(false);
      expect(q.repeats(2)).to.equal(false);
      expect(q.repeats(1)).to.equal(true);
    });
  });

  describe('stale watch', () => {
    it('stale after T_stale of silence, resubscribe once, escalate when the new request stays silent, then wait for data', () => {
      const clock = new ManualClock(0);
      const calls: [number, boolean][] = [];
      let watch: TwsStaleWatch;
      const host = {
        stale: (silentFor: number, escalated: boolean): boolean => {
          calls.push([silentFor, escalated]);
          if (!escalated) watch.start();
          return !escalated;
        },
      };
      watch = new TwsStaleWatch(clock, 5_000_000, host, 'spec');
      watch.start();
      clock.advanceTo(3_000_000);
      expect(watch.touch(3_000_000)).to.equal(false);
      clock.advanceTo(8_000_000);
      expect(calls).to.deep.equal([[5_000_000, false]]);
      expect(watch.touch(8_000_000), 'the snapshot after the resubscribe').to.equal(true);
      clock.advanceTo(13_000_000);
      expect(calls).to.deep.equal([
        [5_000_000, false],
        [5_000_000, true],
      ]);
      expect(clock.nextTimerAt(), 'no loop after escalating').to.equal(null);
      expect(watch.touch(20_000_000)).to.equal(true);
      watch.cancel();
      expect(clock.nextTimerAt()).to.equal(null);
    });
  });
});
