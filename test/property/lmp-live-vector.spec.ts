import { expect } from 'chai';
import fc from 'fast-check';
import { OrderBook } from '../../core/domain/order-book.js';
import { LmpMetrics } from '../../strategies/lmp/metrics.js';
import { $, SYM, T0, config, setBook, trade } from '../unit/lmp-fixtures.spec.js';

/**
 * The live feature vector is filled lazily (strategies/lmp/metrics.ts): read during a book event it must equal the
 * vector filled eagerly at that event, whatever the strategy did to the state between events.
 */
describe('LMP live vector: lazy equals eager (property)', () => {
  it('same vector and same sampled history for any book/trade sequence and any read pattern', () => {
    const step = fc.record({
      dt: fc.integer({ min: 1, max: 700_000 }),
      bid: fc.integer({ min: 0, max: 20 }),
      sizes: fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 5, maxLength: 5 }),
      print: fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined }),
      read: fc.boolean(),
      retracement: fc.option(fc.double({ min: -1, max: 2, noNaN: true }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 200 }), fc.boolean(), (steps, keep) => {
        const c = config();
        const lazy = new LmpMetrics(c);
        const eager = new LmpMetrics(c);
        eager.keepLive = true;
        lazy.keepLive = keep;
        const bookL = new OrderBook(SYM, { maxLevels: 20, topN: 5 });
        const bookE = new OrderBook(SYM, { maxLevels: 20, topN: 5 });
        let t = T0;
        for (const s of steps) {
          t += s.dt;
          const base = 100 + s.bid * 0.01;
          const bids = s.sizes.map((sz, i) => [base - i * 0.01, sz] as const);
          const asks = s.sizes.map((sz, i) => [base + 0.01 * (i + 1), sz] as const);
          setBook(bookL, bids, asks, t);
          setBook(bookE, bids, asks, t);
          if (s.print !== undefined) {
            lazy.onTrade(trade(t, $(base), s.print), bookL, t);
            eager.onTrade(trade(t, $(base), s.print), bookE, t);
          }
          lazy.onBook(bookL, t);
          eager.onBook(bookE, t);
          if (s.read) expect([...lazy.live]).to.deep.equal([...eager.live]);
          // The strategy rewrites the retracement after metrics (armed phase): the next vector must not see it early.
          if (s.retracement !== undefined) {
            lazy.state.retracement = s.retracement;
            eager.state.retracement = s.retracement;
          }
        }
        expect(lazy.history.length).to.equal(eager.history.length);
        for (let k = 0; k < lazy.history.length; k++)
          for (let col = 0; col < lazy.history.width; col++)
            expect(lazy.history.value(lazy.history.slotOf(k), col)).to.deep.equal(eager.history.value(eager.history.slotOf(k), col));
        expect(lazy.history.timeOf(lazy.history.slotOf(0))).to.be.at.least(T0);
      }),
      { numRuns: 150 },
    );
  });
});
