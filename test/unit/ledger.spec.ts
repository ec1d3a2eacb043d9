import { expect } from 'chai';
import fc from 'fast-check';
import { Ledger } from '../../core/engine/ledger.js';

describe('Ledger', () => {
  it('realizes PnL on a round trip, net of commissions', () => {
    const ledger = new Ledger(1_000_000_000);
    ledger.applyFill('X', 'buy', 100, 500_000, 10_000);
    expect(ledger.position('X')?.averagePrice).to.equal(500_000);
    const realized = ledger.applyFill('X', 'sell', 100, 501_000, 10_000);
    expect(realized).to.equal(100 * 1_000);
    expect(ledger.dailyPnl()).to.equal(100_000 - 20_000);
    expect(ledger.positions()).to.deep.equal([]);
  });

  it('handles shorts and flips through zero', () => {
    const ledger = new Ledger(0);
    ledger.applyFill('X', 'sell', 10, 1_000, 0);
    expect(ledger.applyFill('X', 'buy', 15, 900, 0)).to.equal(10 * 100);
    expect(ledger.position('X')).to.include({ quantity: 5, averagePrice: 900 });
  });

  it('keeps realized PnL equal to proceeds minus cost over any flat-to-flat sequence', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 2_000_000 })), { minLength: 1, maxLength: 20 }),
        (buys) => {
          const ledger = new Ledger(0);
          let cash = 0;
          let qty = 0;
          for (const [q, p] of buys) {
            ledger.applyFill('X', 'buy', q, p, 0);
            cash -= q * p;
            qty += q;
          }
          ledger.applyFill('X', 'sell', qty, 1_000_000, 0);
          cash += qty * 1_000_000;
          // Rounding of partial cost removal never happens here (full close), so equality is exact.
          expect(ledger.realized()).to.equal(cash);
          expect(ledger.quantity('X')).to.equal(0);
        },
      ),
    );
  });
});
