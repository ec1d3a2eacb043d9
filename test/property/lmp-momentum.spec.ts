import { expect } from 'chai';
import fc from 'fast-check';
import { F, FeatureHistory, emptyMomentum, type Momentum } from '../../strategies/lmp/features.js';
import { medianInPlace } from '../../strategies/lmp/shelf.js';

/**
 * The rescanning momentum LMP used before the incremental one (every row of the ring visited twice per sample),
 * kept here as the oracle: the incremental FeatureHistory.momentum must return the same values bit for bit.
 */
function rescan(h: FeatureHistory, now: number, lookback: number, mid: number, out: Momentum): Momentum {
  const n = h.length;
  let high = -1;
  let highK = -1;
  for (let k = 0; k < n; k++) {
    const slot = h.slotOf(k);
    if (h.timeOf(slot) < now - lookback) continue;
    const m = h.value(slot, F.mid);
    if (m >= high) {
      high = m;
      highK = k;
    }
  }
  let low = high;
  let swingLow = Number.POSITIVE_INFINITY;
  let absMoves = 0;
  let prev = -1;
  let firstVol = -1;
  for (let k = 0; k < n; k++) {
    const slot = h.slotOf(k);
    const t = h.timeOf(slot);
    const m = h.value(slot, F.mid);
    if (t >= now - lookback && k <= highK && m < low) low = m;
    if (k >= highK && highK >= 0) swingLow = Math.min(swingLow, h.value(slot, F.bestBid));
    if (t >= now - 5_000_000) {
      if (prev >= 0) absMoves += Math.abs(m - prev);
      else firstVol = t;
      prev = m;
    }
  }
  out.high = Math.max(high, 0);
  out.low = Math.max(low, 0);
  out.impulse = out.high - out.low;
  out.swingLow = Number.isFinite(swingLow) ? swingLow : 0;
  out.retracement = out.impulse > 0 ? (out.high - mid) / out.impulse : 0;
  const span = firstVol >= 0 ? (now - firstVol) / 1_000_000 : 0;
  out.volatility = span > 0 ? absMoves / span : 0;
  return out;
}

/** Prices as LMP stores them: integer ten-thousandths, mids possibly ending in .5; now and then an odd value. */
const price = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 0, max: 400 }).map((x) => 3_250_000 + x * 50) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 20 }).map((x) => x * 0.5) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, -3, Number.NaN, Number.POSITIVE_INFINITY) },
);

const step = fc.record({
  dt: fc.integer({ min: 1, max: 2_000_000 }), // µs to the next book event
  mid: price,
  bid: price,
  query: fc.boolean(), // also ask at an arbitrary time, not only right after a sample
  queryBack: fc.integer({ min: -3_000_000, max: 3_000_000 }),
});

describe('LMP momentum is incremental and equal to the rescan (property)', () => {
  it('same high, low, swing low, impulse, retracement and volatility after every sample, for any window', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(100_000, 250_000, 1_000_000),
        fc.integer({ min: 1, max: 40 }).map((s) => s * 1_000_000), // span of the ring
        fc.integer({ min: 1, max: 60 }).map((s) => s * 500_000), // impulse lookback
        fc.array(step, { minLength: 1, maxLength: 600 }),
        (sample, span, lookback, steps) => {
          const h = new FeatureHistory(sample, span, 16);
          const live = new Float64Array(16);
          const a = emptyMomentum();
          const b = emptyMomentum();
          let now = 34_200_000_000;
          for (const s of steps) {
            now += s.dt;
            live[F.mid] = s.mid;
            live[F.bestBid] = s.bid;
            const current = Number.isNaN(s.mid) ? 0 : s.mid;
            if (h.maybeSample(now, live)) {
              expect(h.momentum(now, lookback, current, a)).to.deep.equal(rescan(h, now, lookback, current, b));
            }
            if (s.query) {
              const t = now + s.queryBack;
              expect(h.momentum(t, lookback, current, a)).to.deep.equal(rescan(h, t, lookback, current, b));
              const slot = h.slotAt(t);
              let expected = -1;
              for (let k = h.length - 1; k >= 0; k--)
                if (h.timeOf(h.slotOf(k)) <= t) {
                  expected = h.slotOf(k);
                  break;
                }
              expect(slot).to.equal(expected);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('LMP shelf median without a typed-array view (property)', () => {
  it('equals the median of the sorted copy and sorts the first n entries as a typed array sorts them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.constant(Number.NaN)), { minLength: 0, maxLength: 20 }),
        fc.nat(20),
        (xs, cut) => {
          const n = Math.min(cut, xs.length);
          const a = Float64Array.from(xs);
          const ref = Float64Array.from(xs).subarray(0, n).sort();
          const expected = n === 0 ? 0 : n % 2 === 1 ? ref[(n - 1) >> 1]! : (ref[n / 2 - 1]! + ref[n / 2]!) / 2;
          expect(Object.is(medianInPlace(a, n), expected)).to.equal(true);
          expect([...a.subarray(0, n)]).to.deep.equal([...ref]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
