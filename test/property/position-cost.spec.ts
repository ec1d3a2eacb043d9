import { expect } from 'chai';
import fc from 'fast-check';
import { applyFillToCost, averageCostPrice, divRoundHalfAway, emptyCostBasis } from '../../core/domain/position-cost.js';
import { Ledger } from '../../core/engine/ledger.js';
import { SimAccount } from '../../adapters/simulated/sim-account.js';
import { TwsHoldings } from '../../adapters/tws/orders/holdings.js';

/** Exact reference: BigInt arithmetic, halves away from zero. */
function refDiv(n: bigint, d: bigint): bigint {
  const q = n / d; // truncates toward zero
  const r = n % d;
  const abs = r < 0n ? -r : r;
  return 2n * abs >= d ? q + (n < 0n ? -1n : 1n) : q;
}

interface Ref {
  q: bigint;
  cost: bigint;
  realized: bigint;
}
function refFill(b: Ref, signed: bigint, price: bigint): void {
  if (b.q === 0n || b.q > 0n === signed > 0n) {
    b.q += signed;
    b.cost += price * signed;
    return;
  }
  const held = b.q < 0n ? -b.q : b.q;
  const qty = signed < 0n ? -signed : signed;
  const closing = qty < held ? qty : held;
  const removed = refDiv(b.cost * closing, held);
  const sign = b.q > 0n ? 1n : -1n;
  b.realized += sign * price * closing - removed;
  b.cost -= removed;
  b.q += signed;
  if (b.q === 0n) b.cost = 0n;
  if (qty > closing) b.cost = price * (signed > 0n ? 1n : -1n) * (qty - closing);
}

const fills = fc.array(
  fc.record({ signed: fc.integer({ min: -5000, max: 5000 }).filter((x) => x !== 0), price: fc.integer({ min: 1, max: 5_000_000 }) }),
  { maxLength: 40 },
);

describe('position cost (core/domain/position-cost)', () => {
  it('divRoundHalfAway equals the BigInt reference for safe integers', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 50), max: 2 ** 50 }), fc.integer({ min: 1, max: 2 ** 20 }), (n, d) => {
        expect(divRoundHalfAway(n, d)).to.equal(Number(refDiv(BigInt(n), BigInt(d))));
      }),
      { numRuns: 2000 },
    );
  });

  it('rounds halves away from zero on both sides', () => {
    expect(divRoundHalfAway(7, 2)).to.equal(4);
    expect(divRoundHalfAway(-7, 2)).to.equal(-4);
    expect(divRoundHalfAway(-5, 2)).to.equal(-3);
    expect(divRoundHalfAway(-4, 3)).to.equal(-1);
  });

  it('any fill sequence matches the exact reference (quantity, cost, realized, average price)', () => {
    fc.assert(
      fc.property(fills, (seq) => {
        const b = emptyCostBasis();
        const r: Ref = { q: 0n, cost: 0n, realized: 0n };
        for (const f of seq) {
          applyFillToCost(b, f.signed, f.price);
          refFill(r, BigInt(f.signed), BigInt(f.price));
          expect([b.quantity, b.cost, b.realized]).to.deep.equal([Number(r.q), Number(r.cost), Number(r.realized)]);
          const avg = r.q === 0n ? 0 : Number(refDiv(r.q > 0n ? r.cost : -r.cost, r.q < 0n ? -r.q : r.q));
          expect(averageCostPrice(b)).to.equal(avg);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a short is the mirror of the same long: realized PnL and average price flip sign only', () => {
    fc.assert(
      fc.property(fills, (seq) => {
        const long = emptyCostBasis();
        const short = emptyCostBasis();
        for (const f of seq) {
          expect(applyFillToCost(short, -f.signed, f.price)).to.equal(-applyFillToCost(long, f.signed, f.price) || 0);
        }
        expect(short.cost).to.equal(-long.cost || 0);
        expect(averageCostPrice(short)).to.equal(averageCostPrice(long));
      }),
      { numRuns: 300 },
    );
  });

  it('the ledger, the simulated account and TWS holdings agree on a short closed at a half (was −1 unit apart)', () => {
    const ledger = new Ledger(0);
    const sim = new SimAccount(0);
    const tws = new TwsHoldings();
    const steps: ['buy' | 'sell', number][] = [
      ['sell', 3],
      ['sell', 4],
      ['buy', 5],
    ];
    for (const [side, price] of steps) {
      ledger.applyFill('X', side, 1, price, 0);
      sim.apply('X', side, 1, price, 0);
      tws.applyFill('X', side, 1, price);
    }
    // Cost −7 over 2 short: covering 1 removes −3.5 → −4 (half away), realized −5 + 4 = −1, the long mirror's +1 negated.
    expect(ledger.realized()).to.equal(-1);
    expect(sim.position('X').realizedPnl).to.equal(-1);
    expect(tws.realized()).to.equal(-1);
    expect(ledger.position('X')?.averagePrice).to.equal(sim.position('X').averagePrice).and.to.equal(tws.view('X').avgPrice);
  });
});
