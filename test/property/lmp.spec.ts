import { expect } from 'chai';
import fc from 'fast-check';
import { entryLevels } from '../../strategies/lmp/entry.js';
import { ShelfTracker, medianInPlace } from '../../strategies/lmp/shelf.js';
import { positionSize } from '../../strategies/lmp/sizing.js';
import { TapeWindow, type Sign } from '../../strategies/lmp/tape-window.js';
import { OrderBook } from '../../core/domain/order-book.js';

describe('LMP properties', () => {
  it('sizing: integer, within risk budget, position value and max shares; maximal under its bound', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000_000 }), // equity up to $1M in ten-thousandths
        fc.double({ min: 0.0001, max: 0.05, noNaN: true }),
        fc.integer({ min: 100, max: 5_000_000 }), // entry $0.01 .. $500
        fc.integer({ min: 1, max: 500_000 }),
        fc.integer({ min: 1, max: 10_000_000_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        (equity, r, entry, dist, maxValue, maxShares) => {
          const stop = entry - dist;
          const s = positionSize({ equity, riskFraction: r, entry, stop, maxPositionValue: maxValue, maxShares });
          expect(Number.isSafeInteger(s.shares)).to.equal(true);
          expect(s.shares).to.be.at.least(0);
          if (s.boundBy === 'invalid') return;
          expect(s.shares * dist).to.be.at.most(equity * r);
          expect(s.shares * entry).to.be.at.most(maxValue);
          expect(s.shares).to.be.at.most(maxShares);
          if (s.boundBy === 'risk') expect((s.shares + 1) * dist).to.be.greaterThan(s.riskBudget);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('entry levels: tick multiples with stop < limit < tp1 < tp2, limit ≤ ask and ≤ shelf + 1 tick', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 300, max: 5000 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 10 }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.integer({ min: 0, max: 3 }),
        (shelfTicks, askAbove, swingAbove, vol, minBuf) => {
          const tick = 100;
          const lv = entryLevels({
            bestAsk: (shelfTicks + askAbove) * tick,
            shelfPrice: shelfTicks * tick,
            swingLow: (shelfTicks + swingAbove) * tick,
            tick,
            volatilityTicks: vol,
            stopBufferMinTicks: minBuf,
            stopBufferMaxTicks: 3,
            tp1R: 1,
            tp2R: 2,
          });
          for (const x of [lv.limit, lv.stop, lv.tp1, lv.tp2]) expect(x % tick).to.equal(0);
          expect(lv.stop).to.be.lessThan(lv.limit);
          expect(lv.limit).to.be.lessThan(lv.tp1);
          expect(lv.tp1).to.be.lessThan(lv.tp2);
          expect(lv.limit).to.be.at.most((shelfTicks + askAbove) * tick);
          expect(lv.limit).to.be.at.most((shelfTicks + 1) * tick);
          expect(lv.tp1 - lv.limit).to.be.at.least(lv.risk);
        },
      ),
    );
  });

  it('tape window: sums equal a naive recomputation over (now − W, now] for any print sequence', () => {
    const print = fc.record({
      dt: fc.integer({ min: 0, max: 3_000_000 }),
      size: fc.integer({ min: 1, max: 10_000 }),
      sign: fc.constantFrom<Sign>(1, -1, 0),
    });
    fc.assert(
      fc.property(fc.array(print, { maxLength: 300 }), fc.integer({ min: 1, max: 10_000_000 }), (prints, w) => {
        const tape = new TapeWindow(w, 4);
        const seen: Array<{ t: number; size: number; sign: Sign }> = [];
        let t = 1_000_000_000;
        for (const p of prints) {
          t += p.dt;
          tape.push(t, p.size, p.sign);
          seen.push({ t, size: p.size, sign: p.sign });
          const inW = seen.filter((x) => x.t > t - w);
          const buy = inW.filter((x) => x.sign > 0).reduce((a, x) => a + x.size, 0);
          const sell = inW.filter((x) => x.sign < 0).reduce((a, x) => a + x.size, 0);
          const imb = tape.imbalance(t);
          expect(tape.buyVolume).to.equal(buy);
          expect(tape.sellVolume).to.equal(sell);
          expect(tape.length).to.equal(inW.length);
          expect(imb).to.equal(buy + sell > 0 ? (buy - sell) / (buy + sell) : 0);
          expect(imb).to.be.within(-1, 1);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('shelf: present iff some top-N bid is ≥ K · median, and the shelf is such a level', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }), (sizes) => {
        const book = new OrderBook('P', { topN: 5 });
        sizes.forEach((size, i) => {
          book.apply({
            kind: 'depth',
            symbol: 'P',
            seq: i + 1,
            epoch: 1,
            recvTime: 0,
            exchTime: null,
            side: 'bid',
            position: -1,
            operation: 'insert',
            price: 100_000 - i * 100,
            size,
            marketMaker: '',
            endOfBatch: false,
          });
        });
        const sh = new ShelfTracker(2.5, 5, 1_500_000);
        sh.update(book, 0);
        const top = sizes.slice(0, 5);
        const median = medianInPlace(Float64Array.from(top), top.length);
        const qualifies = top.filter((s) => s >= 2.5 * median);
        expect(sh.present).to.equal(qualifies.length > 0);
        if (sh.present) {
          expect(sh.size).to.equal(Math.max(...qualifies));
          expect(sh.sizeRatio).to.be.at.least(2.5);
        }
      }),
    );
  });

  it('shelf: skipping updates while the bid side is unchanged gives the same shelf as rescanning every time', () => {
    // A view of the same book whose change count always moves, so its tracker rescans on every update.
    const rescanning = (book: OrderBook): OrderBook => {
      let n = 0;
      return new Proxy(book, {
        get: (target, key) => {
          if (key === 'changes') return () => ++n;
          const v = Reflect.get(target, key, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    };
    const row = fc.record({
      side: fc.constantFrom('bid' as const, 'ask' as const),
      operation: fc.constantFrom('insert' as const, 'update' as const, 'delete' as const, 'clear' as const),
      tick: fc.integer({ min: 0, max: 12 }),
      size: fc.integer({ min: 0, max: 3000 }),
      dt: fc.integer({ min: 0, max: 1_000_000 }),
      reset: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 200 }), (rows) => {
        const book = new OrderBook('P', { topN: 5 });
        const view = rescanning(book);
        const skipping = new ShelfTracker(2.5, 5, 1_500_000);
        const always = new ShelfTracker(2.5, 5, 1_500_000);
        let now = 0;
        let seq = 0;
        for (const r of rows) {
          now += r.dt;
          book.apply({
            kind: 'depth',
            symbol: 'P',
            seq: ++seq,
            epoch: 1,
            recvTime: now,
            exchTime: null,
            side: r.side,
            position: -1,
            operation: r.operation === 'clear' && !r.reset ? 'update' : r.operation,
            price: r.side === 'bid' ? 100_000 - r.tick * 100 : 101_300 + r.tick * 100,
            size: r.size,
            marketMaker: '',
            endOfBatch: true,
          });
          // Several reads of one book state, as LMP reads it at every batch end whether or not the bids moved.
          for (let k = 0; k < 2; k++) {
            skipping.update(book, now + k);
            always.update(view, now + k);
            const a = [
              skipping.present,
              skipping.price,
              skipping.size,
              skipping.since,
              skipping.median,
              skipping.justLost,
              skipping.sizeRatio,
            ];
            const b = [always.present, always.price, always.size, always.since, always.median, always.justLost, always.sizeRatio];
            expect(a).to.deep.equal(b);
          }
          if (r.reset && r.operation === 'clear') {
            skipping.reset();
            always.reset();
          }
        }
      }),
    );
  });
});
