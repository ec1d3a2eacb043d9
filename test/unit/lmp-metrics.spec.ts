import fc from 'fast-check';
import { expect } from 'chai';
import { DateTime } from 'luxon';
import { F, FeatureHistory, emptyMomentum } from '../../strategies/lmp/features.js';
import { SessionWindows } from '../../strategies/lmp/session-window.js';
import { ReplenishmentTracker, ShelfTracker, medianInPlace } from '../../strategies/lmp/shelf.js';
import { SessionVwap, TapeWindow, classifyPrint } from '../../strategies/lmp/tape-window.js';
import { $, S, T0, makeBook, setBook } from './lmp-fixtures.spec.js';

const ny = (iso: string): number => DateTime.fromISO(iso, { zone: 'America/New_York' }).toMillis() * 1000;

describe('LMP session window', () => {
  const w = new SessionWindows('America/New_York', [{ start: '09:30', end: '11:15' }]);

  it('opens at 09:30 and closes at 11:15 New York, half-open', () => {
    expect(w.contains(ny('2024-03-14T09:29:59.999'))).to.equal(false);
    expect(w.contains(ny('2024-03-14T09:30:00'))).to.equal(true);
    expect(w.contains(ny('2024-03-14T11:14:59.999'))).to.equal(true);
    expect(w.contains(ny('2024-03-14T11:15:00'))).to.equal(false);
  });

  it('follows the DST change (spring forward 2024-03-10, fall back 2024-11-03) in UTC terms', () => {
    // Friday before spring forward: EST (UTC−5) → 14:30 UTC. Monday after: EDT (UTC−4) → 13:30 UTC.
    expect(w.contains(Date.UTC(2024, 2, 8, 14, 30) * 1000)).to.equal(true);
    expect(w.contains(Date.UTC(2024, 2, 8, 13, 30) * 1000)).to.equal(false);
    expect(w.contains(Date.UTC(2024, 2, 11, 13, 30) * 1000)).to.equal(true);
    expect(w.contains(Date.UTC(2024, 2, 11, 16, 0) * 1000)).to.equal(false); // 12:00 EDT
    expect(w.windowsOn(Date.UTC(2024, 2, 11, 14) * 1000)[0]!.start).to.equal(Date.UTC(2024, 2, 11, 13, 30) * 1000);
    // Fall back: Friday 2024-11-01 EDT 13:30 UTC; Monday 2024-11-04 EST 14:30 UTC.
    expect(w.windowsOn(Date.UTC(2024, 10, 1, 15) * 1000)[0]!.start).to.equal(Date.UTC(2024, 10, 1, 13, 30) * 1000);
    expect(w.windowsOn(Date.UTC(2024, 10, 4, 15) * 1000)[0]!.start).to.equal(Date.UTC(2024, 10, 4, 14, 30) * 1000);
  });

  it('supports the optional afternoon window and reports the end of the current one', () => {
    const two = new SessionWindows('America/New_York', [
      { start: '09:30', end: '11:15' },
      { start: '14:30', end: '15:45' },
    ]);
    expect(two.contains(ny('2024-03-14T12:00'))).to.equal(false);
    expect(two.contains(ny('2024-03-14T15:00'))).to.equal(true);
    expect(two.endOf(ny('2024-03-14T15:00'))).to.equal(ny('2024-03-14T15:45'));
    expect(two.endOf(ny('2024-03-14T12:00'))).to.equal(null);
  });

  it('rejects an unknown zone', () => {
    expect(() => new SessionWindows('Mars/Olympus', [])).to.throw(/time zone/);
  });
});

describe('LMP tape window', () => {
  it('keeps signed volume over W and evicts by clock time', () => {
    const w = new TapeWindow(5 * S, 2);
    w.push(T0, 100, 1);
    w.push(T0 + 1 * S, 50, -1);
    w.push(T0 + 2 * S, 30, 0);
    expect(w.imbalance(T0 + 2 * S)).to.be.closeTo(50 / 150, 1e-12);
    expect(w.totalVolume).to.equal(180);
    expect(w.imbalance(T0 + 5 * S)).to.equal(-1); // the buy at T0 is exactly W old: evicted
    expect(w.imbalance(T0 + 7 * S)).to.equal(0);
    expect(w.length).to.equal(0);
  });

  it('classifies by aggressor, then bid/ask crossing, then tick rule', () => {
    const book = makeBook([[10, 100]], [[10.02, 100]]);
    expect(classifyPrint('sell', $(10.02), book, 0)).to.equal(-1);
    expect(classifyPrint('unknown', $(10.02), book, 0)).to.equal(1);
    expect(classifyPrint('unknown', $(10), book, 0)).to.equal(-1);
    expect(classifyPrint('unknown', $(10.01), book, $(10))).to.equal(1);
    expect(classifyPrint('unknown', $(10.01), book, $(10.02))).to.equal(-1);
    expect(classifyPrint('unknown', $(10.01), book, $(10.01))).to.equal(0);
  });

  it('session VWAP is exact over integer price × size', () => {
    const v = new SessionVwap();
    expect(v.value).to.equal(0);
    v.add($(10), 100);
    v.add($(11), 300);
    expect(v.value).to.equal($(10.75));
    expect(v.sessionVolume).to.equal(400);
  });

  it('session VWAP kept at each print equals Σ price·size ÷ volume recomputed at the read, across resets', () => {
    const op = fc.oneof(
      fc.record({ price: fc.integer({ min: 1, max: 50_000_000 }), size: fc.integer({ min: 0, max: 100_000 }) }),
      fc.constant('reset' as const),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const v = new SessionVwap();
        let pv = 0;
        let vol = 0;
        for (const o of ops) {
          if (o === 'reset') {
            v.reset();
            pv = 0;
            vol = 0;
          } else {
            v.add(o.price, o.size);
            pv += o.price * o.size;
            vol += o.size;
          }
          expect(v.value).to.equal(vol > 0 ? Math.round(pv / vol) : 0);
        }
      }),
    );
  });
});

describe('LMP shelf', () => {
  it('median of the top N bid sizes', () => {
    const a = new Float64Array([5, 1, 3, 2]);
    expect(medianInPlace(a, 3)).to.equal(3);
    expect(medianInPlace(new Float64Array([4, 1, 3, 2]), 4)).to.equal(2.5);
    expect(medianInPlace(a, 0)).to.equal(0);
  });

  it('a level ≥ K · median qualifies and must persist 1.5 s', () => {
    const sh = new ShelfTracker(2.5, 5, 1.5 * S);
    const book = makeBook(
      [
        [10, 100],
        [9.99, 100],
        [9.98, 250],
        [9.97, 100],
        [9.96, 100],
      ],
      [[10.01, 100]],
    );
    sh.update(book, T0);
    expect(sh.present).to.equal(true);
    expect(sh.price).to.equal($(9.98));
    expect(sh.sizeRatio).to.equal(2.5);
    sh.update(book, T0 + 1.4 * S);
    expect(sh.persistent(T0 + 1.4 * S)).to.equal(false);
    sh.update(book, T0 + 1.5 * S);
    expect(sh.persistent(T0 + 1.5 * S)).to.equal(true);
    expect(sh.persistence(T0 + 1.5 * S)).to.equal(1.5 * S);
  });

  it('below K · median there is no shelf, and a lost persistent shelf is flagged once', () => {
    const sh = new ShelfTracker(2.5, 5, 1.5 * S);
    const book = makeBook(
      [
        [10, 100],
        [9.99, 100],
        [9.98, 249],
        [9.97, 100],
        [9.96, 100],
      ],
      [[10.01, 100]],
    );
    sh.update(book, T0);
    expect(sh.present).to.equal(false);
    setBook(
      book,
      [
        [10, 100],
        [9.99, 100],
        [9.98, 400],
        [9.97, 100],
        [9.96, 100],
      ],
      [[10.01, 100]],
    );
    sh.update(book, T0);
    sh.update(book, T0 + 2 * S);
    setBook(
      book,
      [
        [10, 100],
        [9.99, 100],
        [9.98, 120],
        [9.97, 100],
        [9.96, 100],
      ],
      [[10.01, 100]],
    );
    sh.update(book, T0 + 3 * S);
    expect(sh.present).to.equal(false);
    expect(sh.justLost).to.equal(true);
    sh.update(book, T0 + 4 * S);
    expect(sh.justLost).to.equal(false);
  });

  it('keeps the tracked shelf while it qualifies even if a bigger level appears', () => {
    const sh = new ShelfTracker(2.5, 5, 1.5 * S);
    const book = makeBook(
      [
        [10, 100],
        [9.99, 100],
        [9.98, 400],
        [9.97, 100],
        [9.96, 100],
      ],
      [[10.01, 100]],
    );
    sh.update(book, T0);
    setBook(
      book,
      [
        [10, 100],
        [9.99, 900],
        [9.98, 400],
        [9.97, 100],
        [9.96, 100],
      ],
      [[10.01, 100]],
    );
    sh.update(book, T0 + 2 * S);
    expect(sh.price).to.equal($(9.98));
    expect(sh.since).to.equal(T0);
  });
});

describe('LMP replenishment', () => {
  it('counts a refill after a bid hit, and a step up; a step down cancels', () => {
    const r = new ReplenishmentTracker(10 * S, 0.5);
    const book = makeBook([[10, 500]], [[10.01, 100]]);
    r.onSellHit($(10), 400, book, T0);
    setBook(book, [[10, 100]], [[10.01, 100]]);
    r.onBook(book, T0 + 0.1 * S);
    expect(r.refills(T0 + 0.1 * S)).to.equal(0);
    setBook(book, [[10, 300]], [[10.01, 100]]); // +200 ≥ 0.5 · 400
    r.onBook(book, T0 + 0.5 * S);
    expect(r.refills(T0 + 0.5 * S)).to.equal(1);
    r.onSellHit($(10), 100, book, T0 + 1 * S);
    setBook(book, [[10.01, 50]], [[10.02, 100]]);
    r.onBook(book, T0 + 1.2 * S);
    expect(r.refills(T0 + 1.2 * S)).to.equal(2);
    r.onSellHit($(10.01), 50, book, T0 + 2 * S);
    setBook(book, [[10, 800]], [[10.01, 100]]);
    r.onBook(book, T0 + 2.1 * S);
    expect(r.refills(T0 + 2.1 * S)).to.equal(2);
    expect(r.refills(T0 + 10.6 * S)).to.equal(1); // the first refill left the 10 s window
  });
});

describe('LMP feature history and momentum', () => {
  it('samples on the clock grid and reads back T-3s rows', () => {
    const h = new FeatureHistory(250_000, 10 * S, 16);
    const live = new Float64Array(16);
    let written = 0;
    for (let t = T0; t <= T0 + 5 * S; t += 100_000) {
      live[F.mid] = t;
      if (h.maybeSample(t, live)) written++;
    }
    expect(written).to.equal(21);
    const slot = h.slotAt(T0 + 5 * S - 3 * S);
    expect(h.value(slot, F.mid)).to.equal(T0 + 2 * S);
    expect(h.slotAt(T0 - 1)).to.equal(-1);
  });

  it('measures the impulse low→high, the swing low after it and the retracement', () => {
    const h = new FeatureHistory(1 * S, 200 * S, 16);
    const live = new Float64Array(16);
    const mids = [20, 19.9, 19.95, 20.1, 20.3, 20.2, 20.15, 20.2];
    mids.forEach((m, i) => {
      live[F.mid] = $(m);
      live[F.bestBid] = $(m - 0.005);
      h.maybeSample(T0 + i * S, live);
    });
    const m = h.momentum(T0 + 7 * S, 180 * S, $(20.2), emptyMomentum());
    expect(m.low).to.equal($(19.9));
    expect(m.high).to.equal($(20.3));
    expect(m.impulse).to.equal($(0.4));
    expect(m.swingLow).to.equal($(20.145));
    expect(m.retracement).to.be.closeTo(0.25, 1e-9);
    expect(m.volatility).to.be.greaterThan(0);
  });
});
